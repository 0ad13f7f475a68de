/**
 * Finds the photo of a specimen on disk from its IMAGE= value, with the TPS core's matching
 * rules (src/shared/tps/resolve.ts). Listings are cached for a few seconds, so resolving every
 * specimen of a 150-specimen file reads each folder once.
 */
import * as fs from 'fs';
import * as path from 'path';
import { normalizeImageField, resolveImageInListing } from '../../shared/tps/resolve';

export interface ImageLookup {
  path?: string;
  /** Why there is no path: names what was looked for and where. */
  problem?: string;
}

const LISTING_TTL_MS = 3000;
const listings = new Map<string, { at: number; files: string[] }>();

/** Files of `dir` and of its direct sub-folders, as `/`-separated relative paths. */
function listing(dir: string): string[] {
  const now = Date.now();
  const cached = listings.get(dir);
  if (cached && now - cached.at < LISTING_TTL_MS) return cached.files;
  const files: string[] = [];
  let entries: fs.Dirent[] = [];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    // unreadable or missing folder: empty listing
  }
  for (const e of entries) {
    if (e.isFile()) files.push(e.name);
    else if (e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules') {
      try {
        for (const f of fs.readdirSync(path.join(dir, e.name), { withFileTypes: true })) if (f.isFile()) files.push(`${e.name}/${f.name}`);
      } catch {
        // skip unreadable sub-folder
      }
    }
  }
  listings.set(dir, { at: now, files });
  return files;
}

/** Resolves IMAGE= for a specimen of the TPS file `tpsPath`. */
export function findSpecimenImage(tpsPath: string, imageField: string | undefined): ImageLookup {
  if (imageField === undefined || imageField.trim() === '') return { problem: 'no IMAGE= line for this specimen' };
  const norm = normalizeImageField(imageField);
  if (path.isAbsolute(norm) && /^[/]/.test(imageField.trim()) && fs.existsSync(norm)) return { path: norm };
  const dir = path.dirname(tpsPath);
  const candidates = [dir, path.join(dir, '..'), path.join(dir, '..', 'images')];
  for (const d of candidates) {
    const hit = resolveImageInListing(imageField, listing(d));
    if (hit) return { path: path.resolve(d, hit.file) };
  }
  return { problem: `image not found: IMAGE=${imageField.trim()} (looked in ${dir} and its sub-folders)` };
}
