/**
 * Resolving a specimen's IMAGE= value against directory listings. Pure: the caller lists the
 * directories (src/shared/dataset does it with fs); this module only decides which file matches.
 *
 * Order of attempts, first hit wins, within each directory in the caller's order:
 *   1. the value as a relative path (backslashes read as separators), exact case;
 *   2. the same, case-insensitive;
 *   3. the same with an image extension added when the value has none (`Prono_001` ->
 *      `Prono_001.JPG`), case-insensitive;
 *   4. the file name alone (Windows absolute paths like `C:\Users\me\img.jpg`, or `test\a.jpg`
 *      whose folder is elsewhere), case-insensitive, extension optional;
 *   5. a loose match, only when it is unique: case, spaces, `_` and `-` ignored, and the image
 *      extension optional (`Md 039.JPG` -> `Md039.JPG`, `Md 028.JPG` -> `md028.jpg`).
 */

import { IMAGE_EXTENSIONS, imageExtensionOf, isImageFile } from '../image-files';

export type ImageMatch = 'exact' | 'case' | 'extension' | 'basename' | 'loose';

export interface ResolvedImage {
  /** The matching entry of the listing, as given. */
  file: string;
  how: ImageMatch;
}

/** IMAGE= value as a relative path with `/` separators: quotes, drive letters and `./` removed. */
export function normalizeImageField(value: string): string {
  let v = value.trim().replace(/^["']|["']$/g, '').trim();
  v = v.replace(/\\/g, '/');
  v = v.replace(/^[A-Za-z]:\//, '/').replace(/^file:\/\//i, '');
  v = v.replace(/^(\.\/)+/, '');
  return v;
}

/** The last path component of an IMAGE= value (Windows or POSIX separators). */
export function imageBaseName(value: string): string {
  const n = normalizeImageField(value);
  const i = n.lastIndexOf('/');
  return i >= 0 ? n.slice(i + 1) : n;
}

/** The file name without its image extension (only an image extension is removed). */
export function stripImageExtension(name: string): string {
  const ext = imageExtensionOf(name);
  return ext ? name.slice(0, name.length - ext.length) : name;
}

function looseKey(name: string): string {
  return stripImageExtension(name).toLowerCase().replace(/[\s_-]+/g, '');
}

function baseOf(p: string): string {
  const n = p.replace(/\\/g, '/');
  const i = n.lastIndexOf('/');
  return i >= 0 ? n.slice(i + 1) : n;
}

/**
 * Matches an IMAGE= value against one directory listing: `files` are paths relative to that
 * directory with `/` separators (a flat listing is just file names). Returns undefined when
 * nothing matches (or only an ambiguous loose match). `loose: false` skips step 5.
 */
export function resolveImageInListing(
  imageField: string,
  files: readonly string[],
  options: { loose?: boolean } = {},
): ResolvedImage | undefined {
  const rel = normalizeImageField(imageField);
  if (rel === '') return undefined;
  const relative = rel.startsWith('/') ? undefined : rel;
  if (relative !== undefined) {
    const exact = files.find((f) => f === relative);
    if (exact !== undefined) return { file: exact, how: 'exact' };
    const lower = relative.toLowerCase();
    const ci = files.find((f) => f.toLowerCase() === lower);
    if (ci !== undefined) return { file: ci, how: 'case' };
    if (!isImageFile(relative)) {
      for (const ext of IMAGE_EXTENSIONS) {
        const hit = files.find((f) => f.toLowerCase() === lower + ext);
        if (hit !== undefined) return { file: hit, how: 'extension' };
      }
    }
  }
  const base = baseOf(rel);
  const baseLower = base.toLowerCase();
  const byBase = files.filter((f) => isImageFile(f) && baseOf(f).toLowerCase() === baseLower);
  if (byBase.length >= 1) return { file: byBase[0], how: 'basename' };
  if (!isImageFile(base)) {
    for (const ext of IMAGE_EXTENSIONS) {
      const hit = files.find((f) => baseOf(f).toLowerCase() === baseLower + ext);
      if (hit !== undefined) return { file: hit, how: 'basename' };
    }
  }
  if (options.loose === false) return undefined;
  const key = looseKey(base);
  if (key === '') return undefined;
  const loose = files.filter((f) => isImageFile(f) && looseKey(baseOf(f)) === key);
  if (loose.length === 1) return { file: loose[0], how: 'loose' };
  return undefined;
}
