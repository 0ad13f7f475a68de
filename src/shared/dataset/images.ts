/**
 * Finding image files on disk: listing a folder's images and resolving a specimen's IMAGE=
 * value to a file (Node fs; the matching rules themselves are pure, in ../tps/resolve.ts).
 */
import { promises as fsp } from 'fs';
import * as path from 'path';
import { normalizeImageField, resolveImageInListing, type ImageMatch } from '../tps/resolve';
import { IMAGE_EXTENSIONS_TEXT, isImageFile } from '../image-files';

/** Directory listings shared between resolutions (one readdir per folder). */
export type ListingCache = Map<string, Promise<string[]>>;

export function createListingCache(): ListingCache {
  return new Map();
}

/** File names (not folders) directly in `dir`; empty when it does not exist. */
function listFiles(dir: string, cache?: ListingCache): Promise<string[]> {
  const key = path.resolve(dir);
  const hit = cache?.get(key);
  if (hit) return hit;
  const p = fsp
    .readdir(key, { withFileTypes: true })
    .then((entries) => entries.filter((e) => e.isFile() || e.isSymbolicLink()).map((e) => e.name))
    .catch(() => [] as string[]);
  cache?.set(key, p);
  return p;
}

/**
 * Image files (../image-files.ts: IMAGE_EXTENSIONS, any case) in a folder, as absolute paths sorted
 * naturally (`2.jpg` before `10.jpg`). With `recursive`, subfolders too (hidden ones skipped).
 */
export async function listImageFiles(dir: string, options: { recursive?: boolean } = {}): Promise<string[]> {
  const root = path.resolve(dir);
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    let entries;
    try {
      entries = await fsp.readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) {
        if (options.recursive && !e.name.startsWith('.')) await walk(full);
      } else if (isImageFile(e.name)) out.push(full);
    }
  };
  await walk(root);
  return out.sort(naturalCompare);
}

/** Natural, case-insensitive order: `Md 2` before `Md 10`. */
export function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, undefined, { numeric: true, sensitivity: 'base' });
}

/**
 * Folders searched for a TPS file's images, most specific first: the explicit images folder,
 * the TPS file's folder, its `images/`, the parent folder and the parent's `images/` (the beetle
 * layout: `all-specimens/*.TPS` beside `images/`).
 */
export function imageSearchDirs(tpsPath: string, imagesDir?: string): string[] {
  const dir = path.dirname(path.resolve(tpsPath));
  const parent = path.dirname(dir);
  const dirs = [imagesDir ? path.resolve(imagesDir) : undefined, dir, path.join(dir, 'images'), parent, path.join(parent, 'images')];
  return [...new Set(dirs.filter((d): d is string => d !== undefined))];
}

export interface ImageResolution {
  /** Absolute path of the image. */
  path: string;
  how: ImageMatch;
}

async function exists(p: string): Promise<boolean> {
  try {
    return (await fsp.stat(p)).isFile();
  } catch {
    return false;
  }
}

/**
 * Resolves IMAGE= for a specimen of `tpsPath`: relative to the TPS file (or `imagesDir` first,
 * when given), case-insensitive, extension optional, Windows paths reduced to the file name,
 * then a unique loose match (spaces/underscores/case ignored). Undefined when not found.
 * Only image files (by extension) are ever returned: an IMAGE= written as a path to something
 * else (`../../../../etc/passwd`) resolves to nothing, so no caller decodes or serves it;
 * `unresolvedImageReason` says why.
 */
export async function resolveImage(
  tpsPath: string,
  imageField: string,
  imagesDir?: string,
  cache: ListingCache = createListingCache(),
): Promise<ImageResolution | undefined> {
  const rel = normalizeImageField(imageField);
  if (rel === '') return undefined;
  const dirs = imageSearchDirs(tpsPath, imagesDir);
  // A relative path with folders (`results/x.jpg`, `test\x.jpg`) as written.
  if (!rel.startsWith('/') && rel.includes('/')) {
    for (const d of dirs) {
      const p = path.join(d, ...rel.split('/'));
      if (isImageFile(p) && (await exists(p))) return { path: p, how: 'exact' };
    }
  }
  if (path.isAbsolute(imageField.trim()) && isImageFile(imageField.trim()) && (await exists(imageField.trim()))) {
    return { path: imageField.trim(), how: 'exact' };
  }
  for (const loose of [false, true]) {
    for (const d of dirs) {
      const files = await listFiles(d, cache);
      const hit = resolveImageInListing(imageField, files, { loose });
      if (hit) return { path: path.join(d, hit.file), how: hit.how };
    }
  }
  return undefined;
}

/** Convenience: the resolved image's absolute path, or undefined. */
export async function resolveImagePath(
  tpsPath: string,
  imageField: string,
  imagesDir?: string,
  cache?: ListingCache,
): Promise<string | undefined> {
  return (await resolveImage(tpsPath, imageField, imagesDir, cache))?.path;
}

/**
 * Why IMAGE= found no photo, in one sentence for a warning: the value names an existing file
 * that is not an image (refused, never decoded), or nothing was found where it was looked for.
 */
export async function unresolvedImageReason(tpsPath: string, imageField: string, imagesDir?: string): Promise<string> {
  const value = imageField.trim();
  const rel = normalizeImageField(imageField);
  const candidates: string[] = [];
  if (path.isAbsolute(value)) candidates.push(value);
  if (rel !== '' && !rel.startsWith('/')) for (const d of imageSearchDirs(tpsPath, imagesDir)) candidates.push(path.join(d, ...rel.split('/')));
  for (const c of candidates) {
    if (!isImageFile(c) && (await exists(c))) {
      return `IMAGE=${value} points to ${c}, which is not an image file ${IMAGE_EXTENSIONS_TEXT}: not opened`;
    }
  }
  return `image not found: IMAGE=${value}`;
}

/** Whether `file` lies inside one of `roots` (after resolving `..`; a root itself counts). */
export function isInside(file: string, roots: readonly string[]): boolean {
  const abs = path.resolve(file);
  return roots.some((r) => {
    const rel = path.relative(path.resolve(r), abs);
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
  });
}

/**
 * The height of each named photo (IMAGE= values, or paths in a label file), found as a TPS
 * file's images are (beside `file`, its images/, ..., or the bare file name there) and measured by
 * `heightOfPhoto`; a photo not found or unreadable is left out of the map.
 */
export async function photoHeights(names: Iterable<string>, file: string, imagesDir: string | undefined, heightOfPhoto: (photo: string) => Promise<number>): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const cache = createListingCache();
  for (const name of new Set(names)) {
    const found = (await resolveImage(file, name, imagesDir, cache)) ?? (await resolveImage(file, path.basename(name), imagesDir, cache));
    if (!found) continue;
    try {
      out.set(name, await heightOfPhoto(found.path));
    } catch {
      // unreadable photo: its specimen is reported as of unknown height
    }
  }
  return out;
}
