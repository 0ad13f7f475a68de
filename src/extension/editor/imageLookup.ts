/**
 * Finds the photo of a specimen on disk from its IMAGE= value with the TPS core's resolver
 * (src/shared/dataset: relative to the TPS file, its images/ folder, the parent's, case and
 * extension tolerant). Adds the message the editor shows when nothing is found.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import {
  createListingCache,
  imageSearchDirs,
  isInside,
  resolveImagePath,
  unresolvedImageReason,
  type ListingCache,
} from '../../shared/dataset/images';

export interface ImageLookup {
  path?: string;
  /** Why there is no path: names what was looked for and where. */
  problem?: string;
}

export { createListingCache, type ListingCache };

/**
 * Folders photos may be opened from: everywhere in a trusted workspace; in an untrusted one only
 * inside its folders, since a file's IMAGE= could point anywhere on the machine.
 */
function allowedRoots(): string[] | undefined {
  if (vscode.workspace.isTrusted) return undefined;
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
}

/** Resolves IMAGE= for a specimen of the TPS file `tpsPath`. */
export async function findSpecimenImage(tpsPath: string, imageField: string | undefined, cache?: ListingCache): Promise<ImageLookup> {
  if (imageField === undefined || imageField.trim() === '') return { problem: 'This specimen has no IMAGE= line.' };
  const found = await resolveImagePath(tpsPath, imageField, undefined, cache);
  if (found) {
    const roots = allowedRoots();
    if (roots && !isInside(found, roots)) {
      return {
        problem: `IMAGE=${imageField.trim()} is outside the workspace (${found}): in an untrusted workspace photos outside it are not opened. Trust the workspace to show it.`,
      };
    }
    return { path: found };
  }
  const reason = await unresolvedImageReason(tpsPath, imageField);
  if (!reason.startsWith('image not found')) return { problem: `${reason[0].toUpperCase()}${reason.slice(1)}.` };
  const dirs = imageSearchDirs(tpsPath).map((d) => path.relative(path.dirname(tpsPath), d) || '.');
  return { problem: `Image not found: IMAGE=${imageField.trim()} (looked in ${dirs.join(', ')} beside ${path.basename(tpsPath)}).` };
}
