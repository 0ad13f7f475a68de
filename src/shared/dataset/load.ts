/**
 * Loading TPS files and data sets from disk (Node fs).
 *
 * A data set is either one TPS file, or a folder of TPS files (typically one specimen each, the
 * beetle layout `beetles/mandible-right/all-specimens/`, `beetles/manual-256x192/pronotum/`)
 * whose images sit in the folder, its `images/`, the parent or the parent's `images/`
 * (or an explicit `images` folder).
 */
import { promises as fsp } from 'fs';
import * as path from 'path';
import type { TpsDiagnostic, TpsDocument, TpsSpecimen } from '../tps/model';
import { getField } from '../tps/model';
import { parseTps } from '../tps/parse';
import { imageBaseName, stripImageExtension } from '../tps/resolve';
import { createListingCache, naturalCompare, resolveImage, unresolvedImageReason, type ListingCache } from './images';

export interface DatasetEntry {
  /** Absolute path of the TPS file holding the specimen. */
  tpsPath: string;
  /** 0-based index of the specimen in its TPS file. */
  index: number;
  specimen: TpsSpecimen;
  /** Image base name without extension, else ID=, else `<tps file name>#<index+1>`. */
  name: string;
  /** Absolute path of the resolved image, when found. */
  imagePath?: string;
  landmarkCount: number;
}

export interface Dataset {
  /** Absolute path of the TPS file or folder the data set was loaded from. */
  root: string;
  /** The TPS files read, absolute, in natural order. */
  tpsFiles: string[];
  entries: DatasetEntry[];
  /** Parser diagnostics of every file, plus unresolved images and mixed landmark counts. */
  diagnostics: TpsDiagnostic[];
  /** Distinct landmark counts over the entries, ascending. */
  landmarkCounts: number[];
}

export interface LoadDatasetOptions {
  /** Folder searched first for images. */
  images?: string;
  /** For a folder: include TPS files in subfolders too (default false). */
  recursive?: boolean;
  /** Skip image resolution (faster when only landmarks are needed). */
  resolveImages?: boolean;
}

export function isTpsFile(name: string): boolean {
  return /\.tps$/i.test(name);
}

/** Reads and parses one TPS file (never throws for bad content; throws if the file cannot be read). */
export async function loadTpsFile(tpsPath: string): Promise<TpsDocument> {
  const text = await fsp.readFile(tpsPath, 'utf8');
  return parseTps(text, tpsPath);
}

/** TPS files (.tps, any case) in a folder, absolute, natural order; recursive when asked. */
export async function listTpsFiles(dir: string, options: { recursive?: boolean } = {}): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    const entries = await fsp.readdir(d, { withFileTypes: true });
    for (const e of entries) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) {
        if (options.recursive && !e.name.startsWith('.') && e.name !== 'node_modules') await walk(full);
      } else if (isTpsFile(e.name)) out.push(full);
    }
  };
  await walk(path.resolve(dir));
  return out.sort(naturalCompare);
}

function entryName(tpsPath: string, index: number, specimen: TpsSpecimen): string {
  const image = getField(specimen, 'IMAGE');
  if (image) {
    const base = stripImageExtension(imageBaseName(image));
    if (base) return base;
  }
  const id = getField(specimen, 'ID');
  if (id) return id;
  return `${path.basename(tpsPath)}#${index + 1}`;
}

/**
 * Loads a data set: one TPS file, or a folder of TPS files. Images are resolved per specimen
 * (see ./images.ts); a specimen whose IMAGE= cannot be found gets a warning diagnostic.
 */
export async function loadDataset(pathToTpsOrFolder: string, options: LoadDatasetOptions = {}): Promise<Dataset> {
  const root = path.resolve(pathToTpsOrFolder);
  const stat = await fsp.stat(root);
  const tpsFiles = stat.isDirectory() ? await listTpsFiles(root, { recursive: options.recursive }) : [root];
  const diagnostics: TpsDiagnostic[] = [];
  const entries: DatasetEntry[] = [];
  const cache: ListingCache = createListingCache();
  if (stat.isDirectory() && tpsFiles.length === 0) {
    diagnostics.push({ severity: 'error', message: `no .tps file in ${root}`, line: 0, file: root });
  }
  for (const tpsPath of tpsFiles) {
    const doc = await loadTpsFile(tpsPath);
    diagnostics.push(...doc.diagnostics);
    for (const [index, specimen] of doc.specimens.entries()) {
      const entry: DatasetEntry = {
        tpsPath,
        index,
        specimen,
        name: entryName(tpsPath, index, specimen),
        landmarkCount: specimen.landmarks.length,
      };
      const image = getField(specimen, 'IMAGE');
      if (options.resolveImages !== false && image) {
        const found = await resolveImage(tpsPath, image, options.images, cache);
        if (found) entry.imagePath = found.path;
        else {
          const line = specimen.fields.find((f) => f.key.toUpperCase() === 'IMAGE')?.line ?? specimen.line;
          diagnostics.push({ severity: 'warning', message: await unresolvedImageReason(tpsPath, image, options.images), line, specimen: index, file: tpsPath });
        }
      }
      entries.push(entry);
    }
  }
  const landmarkCounts = [...new Set(entries.map((e) => e.landmarkCount))].sort((a, b) => a - b);
  if (landmarkCounts.filter((n) => n > 0).length > 1) {
    diagnostics.push({
      severity: 'warning',
      message: `specimens have different landmark counts: ${landmarkCounts.join(', ')}`,
      line: 0,
      file: root,
    });
  }
  return { root, tpsFiles, entries, diagnostics, landmarkCounts };
}
