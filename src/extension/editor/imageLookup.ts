/**
 * Finds the photo of a specimen on disk from its IMAGE= value with the TPS core's resolver
 * (src/shared/dataset: relative to the TPS file, its images/ folder, the parent's, case and
 * extension tolerant). Adds the message the editor shows when nothing is found.
 */
import * as path from 'path';
import { createListingCache, imageSearchDirs, resolveImagePath, type ListingCache } from '../../shared/dataset/images';

export interface ImageLookup {
  path?: string;
  /** Why there is no path: names what was looked for and where. */
  problem?: string;
}

export { createListingCache, type ListingCache };

/** Resolves IMAGE= for a specimen of the TPS file `tpsPath`. */
export async function findSpecimenImage(tpsPath: string, imageField: string | undefined, cache?: ListingCache): Promise<ImageLookup> {
  if (imageField === undefined || imageField.trim() === '') return { problem: 'This specimen has no IMAGE= line.' };
  const found = await resolveImagePath(tpsPath, imageField, undefined, cache);
  if (found) return { path: found };
  const dirs = imageSearchDirs(tpsPath).map((d) => path.relative(path.dirname(tpsPath), d) || '.');
  return { problem: `Image not found: IMAGE=${imageField.trim()} (looked in ${dirs.join(', ')} beside ${path.basename(tpsPath)}).` };
}
