/**
 * Reads a TPS file, or a folder of TPS files (one specimen each, the beetle layout), into the
 * specimens the workbench needs, and finds each specimen's photo from IMAGE=: relative to the
 * TPS file, case-insensitive, extension optional, Windows paths reduced to the file name.
 * Node fs only (no vscode), so it is unit-tested on the real data.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseTps } from '../../shared/tps/parse';
import { getField, getScale, type TpsDiagnostic } from '../../shared/tps/model';
import type { SpecimenLite } from './results-model';

export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.tif', '.tiff', '.bmp', '.gif', '.webp'];

export function isImageFile(p: string): boolean {
  return IMAGE_EXTENSIONS.includes(path.extname(p).toLowerCase());
}

export interface LoadedTps {
  specimens: SpecimenLite[];
  diagnostics: TpsDiagnostic[];
  /** TPS files read. */
  files: string[];
}

/** TPS files of a dataset path: the file itself, or the folder's *.tps (sorted, not recursive). */
export function tpsFilesOf(p: string): string[] {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return [p];
  return fs
    .readdirSync(p)
    .filter((f) => /\.tps$/i.test(f))
    .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))
    .map((f) => path.join(p, f));
}

export function loadTps(p: string): LoadedTps {
  const files = tpsFilesOf(p);
  const specimens: SpecimenLite[] = [];
  const diagnostics: TpsDiagnostic[] = [];
  for (const file of files) {
    const doc = parseTps(fs.readFileSync(file, 'utf8'), file);
    diagnostics.push(...doc.diagnostics);
    doc.specimens.forEach((s, i) => {
      specimens.push({
        index: i,
        image: getField(s, 'IMAGE'),
        id: getField(s, 'ID'),
        landmarks: s.landmarks,
        scale: getScale(s),
        file,
      });
      // A folder of one-specimen files without IMAGE=: the file's own name is the image name.
      const last = specimens[specimens.length - 1];
      if (!last.image && files.length > 1) last.image = path.basename(file, path.extname(file));
    });
  }
  return { specimens, diagnostics, files };
}

const dirCache = new Map<string, string[]>();
function listDir(dir: string): string[] {
  let l = dirCache.get(dir);
  if (!l) {
    try {
      l = fs.readdirSync(dir);
    } catch {
      l = [];
    }
    dirCache.set(dir, l);
    if (dirCache.size > 200) dirCache.delete(dirCache.keys().next().value as string);
  }
  return l;
}

/** Forget cached folder listings (after new files were written). */
export function clearDirCache(): void {
  dirCache.clear();
}

/**
 * The photo of a specimen, or undefined. Looks next to the TPS file, in `imagesDir` when given,
 * and in an `images/` folder beside the TPS file.
 */
export function resolveImage(s: SpecimenLite, imagesDir?: string): string | undefined {
  if (!s.image) return undefined;
  const raw = s.image.trim();
  const tpsDir = path.dirname(s.file);
  const candidates: string[] = [];
  if (!/^[A-Za-z]:\\/.test(raw)) candidates.push(path.resolve(tpsDir, raw.replace(/\\/g, '/')));
  const base = raw.split(/[\\/]/).pop() ?? raw;
  const dirs = [tpsDir, ...(imagesDir ? [imagesDir] : []), path.join(tpsDir, 'images')];
  for (const c of candidates) if (fs.existsSync(c) && fs.statSync(c).isFile()) return c;
  const want = base.toLowerCase();
  const hasExt = isImageFile(base);
  for (const d of [path.dirname(candidates[0] ?? tpsDir), ...dirs]) {
    for (const f of listDir(d)) {
      const lf = f.toLowerCase();
      if (lf === want || (!hasExt && isImageFile(f) && lf.slice(0, lf.length - path.extname(lf).length) === want)) {
        return path.join(d, f);
      }
    }
  }
  return undefined;
}
