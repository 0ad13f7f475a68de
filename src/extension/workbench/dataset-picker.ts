/**
 * The items of the dataset pickers (Train, Cross-validation, Evaluate): each TPS file by its
 * name, its workspace-relative folder and what it holds ("46 specimens · 12 landmarks"), a folder
 * of one-specimen files as one item, in a stable order (by relative path), with the manual files
 * first and the files a model wrote set apart: predictions (Predict's output, to correct before
 * they are trusted) and validation / cross-validation outputs (inside the models folder).
 *
 * `summariseTpsFile` reads one file (fs, no vscode); `datasetPickEntries` is pure, so the picker
 * is unit-tested on the real data folder.
 */
import * as fs from 'fs';
import * as path from 'path';
import { getField } from '../../shared/tps/model';
import { parseTps } from '../../shared/tps/parse';
import { parsePredictionNotes } from '../../shared/tps/review';

/** What one TPS file holds, as far as the picker needs. */
export interface TpsFileSummary {
  /** Absolute path. */
  path: string;
  specimens: number;
  /** Distinct landmark counts of its specimens, ascending. */
  landmarkCounts: number[];
  /** Written by Predict: its specimens' COMMENT= carry "predicted by ...; confidence ...; doubt px ...". */
  predicted: boolean;
  /** Why it could not be read. */
  error?: string;
}

/** Where a file goes in the picker, in this order by default. */
export type DatasetSection = 'manual' | 'predicted' | 'validation';

export interface PickRoot {
  /** The workspace folder's name (shown in a multi-root workspace). */
  name: string;
  /** Its absolute path. */
  path: string;
}

export type DatasetPickEntry =
  | { kind: 'separator'; label: string }
  | {
      kind: 'dataset';
      /** File name, or the folder name and "/" for a folder of one-specimen files. */
      label: string;
      /** The folder it is in, relative to its workspace folder. */
      description: string;
      /** "46 specimens · 12 landmarks". */
      detail: string;
      /** File, or folder, to train on. */
      fsPath: string;
      section: DatasetSection;
      isFolder: boolean;
    };

export interface PickOptions {
  roots: readonly PickRoot[];
  /** Models folders: what a training or a cross-validation wrote there is a validation output. */
  modelsFolders?: readonly string[];
  /** Section order (default manual, predicted, validation: the Evaluate predicted pick puts predicted first). */
  order?: readonly DatasetSection[];
  /** Leave this path out (the other side of an evaluation). */
  exclude?: string;
}

/** Predict names its files `<folder or image>-predicted.tps`, `-predicted-2.tps`, ... */
const PREDICTED_NAME = /(^|[-_ .])predicted(-\d+)?\.tps$/i;
/** What Predict writes at the start of each specimen's COMMENT=. */
const PREDICTED_COMMENT = /^\s*predicted by\b/i;

export function summariseTpsText(file: string, text: string): TpsFileSummary {
  const doc = parseTps(text, file);
  const counts = [...new Set(doc.specimens.map((s) => s.landmarks.length))].sort((a, b) => a - b);
  const predicted = doc.specimens.some((s) => {
    const comment = getField(s, 'COMMENT');
    const notes = parsePredictionNotes(comment);
    return notes.confidence !== undefined || notes.doubtPx !== undefined || (comment !== undefined && PREDICTED_COMMENT.test(comment));
  });
  return { path: file, specimens: doc.specimens.length, landmarkCounts: counts, predicted };
}

/** Reads and summarises one TPS file; an unreadable one is listed with why. */
export async function summariseTpsFile(file: string): Promise<TpsFileSummary> {
  try {
    return summariseTpsText(file, await fs.promises.readFile(file, 'utf8'));
  } catch (e) {
    return { path: file, specimens: 0, landmarkCounts: [], predicted: false, error: (e as Error).message };
  }
}

/** Summaries of many files, a few reads at a time. */
export async function summariseTpsFiles(files: readonly string[], concurrency = 8): Promise<TpsFileSummary[]> {
  const out: TpsFileSummary[] = new Array(files.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, files.length) }, async () => {
      while (next < files.length) {
        const i = next++;
        out[i] = await summariseTpsFile(files[i]);
      }
    }),
  );
  return out;
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** A total order that does not depend on the locale or on the order files were found in. */
export function compareRelative(a: string, b: string): number {
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

function isInside(file: string, folder: string): boolean {
  const rel = path.relative(folder, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** The folder of `p` relative to its workspace folder ("images", "wings/images"), "/"-separated. */
export function relativeFolder(p: string, roots: readonly PickRoot[]): string {
  const dir = path.dirname(p);
  const root = [...roots].filter((r) => dir === r.path || isInside(dir, r.path)).sort((a, b) => b.path.length - a.path.length)[0];
  // Outside every workspace folder: the full folder is the only honest name.
  if (!root) return dir.split(path.sep).join('/');
  const rel = path.relative(root.path, dir).split(path.sep).join('/');
  if (roots.length > 1) return rel ? `${root.name}/${rel}` : root.name;
  // At the top of a single-root workspace: the folder's own name, as the Explorer shows it.
  return rel || root.name;
}

function sectionOf(s: TpsFileSummary, modelsFolders: readonly string[]): DatasetSection {
  const name = path.basename(s.path);
  if (/^validation/i.test(name) || modelsFolders.some((m) => isInside(s.path, m))) return 'validation';
  if (s.predicted || PREDICTED_NAME.test(name)) return 'predicted';
  return 'manual';
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function landmarksText(counts: readonly number[]): string {
  if (counts.length === 0) return 'no landmarks';
  if (counts.length === 1) return plural(counts[0], 'landmark');
  return `${counts[0]}–${counts[counts.length - 1]} landmarks (mixed)`;
}

/** "46 specimens · 12 landmarks", with the file count for a folder. */
export function summaryDetail(specimens: number, counts: readonly number[], files?: number): string {
  const parts = [plural(specimens, 'specimen'), landmarksText(counts)];
  if (files !== undefined) parts.push(`${files} files`);
  return parts.join(' · ');
}

const SECTION_LABEL: Record<DatasetSection, string> = {
  manual: 'Manual landmarks',
  predicted: 'Predicted by a model (correct them before training on them)',
  validation: 'Validation and cross-validation outputs (in the models folder)',
};

/**
 * The picker's entries: a separator per non-empty section, then its datasets sorted by relative
 * path. Folders whose TPS files all hold one specimen (the beetle layout) become one entry.
 */
export function datasetPickEntries(files: readonly TpsFileSummary[], options: PickOptions): DatasetPickEntry[] {
  const modelsFolders = options.modelsFolders ?? [];
  const order = options.order ?? ['manual', 'predicted', 'validation'];
  type Dataset = Extract<DatasetPickEntry, { kind: 'dataset' }>;
  const bySection = new Map<DatasetSection, Dataset[]>(order.map((s) => [s, []]));
  const byFolder = new Map<string, { section: DatasetSection; files: TpsFileSummary[] }[]>();
  for (const f of files) {
    if (options.exclude && path.resolve(f.path) === path.resolve(options.exclude)) continue;
    const dir = path.dirname(f.path);
    const list = byFolder.get(dir) ?? [];
    const section = sectionOf(f, modelsFolders);
    let group = list.find((g) => g.section === section);
    if (!group) list.push((group = { section, files: [] }));
    group.files.push(f);
    byFolder.set(dir, list);
  }
  for (const [dir, groups] of byFolder) {
    // A folder is one dataset when every TPS file in it is a one-specimen manual file (the
    // beetle layout); what a model wrote stays file by file, each one to check on its own.
    const oneFolder =
      groups.length === 1 && groups[0].section === 'manual' && groups[0].files.length > 1 && groups[0].files.every((f) => !f.error && f.specimens === 1);
    if (oneFolder) {
      const g = groups[0];
      const counts = [...new Set(g.files.flatMap((f) => f.landmarkCounts))].sort((a, b) => a - b);
      bySection.get(g.section)?.push({
        kind: 'dataset',
        label: `${path.basename(dir)}/`,
        description: relativeFolder(dir, options.roots),
        detail: summaryDetail(g.files.length, counts, g.files.length),
        fsPath: dir,
        section: g.section,
        isFolder: true,
      });
      continue;
    }
    for (const g of groups) {
      for (const f of g.files) {
        bySection.get(g.section)?.push({
          kind: 'dataset',
          label: path.basename(f.path),
          description: relativeFolder(f.path, options.roots),
          detail: f.error ? `cannot be read: ${f.error}` : summaryDetail(f.specimens, f.landmarkCounts),
          fsPath: f.path,
          section: g.section,
          isFolder: false,
        });
      }
    }
  }
  const out: DatasetPickEntry[] = [];
  for (const section of order) {
    const list = bySection.get(section) ?? [];
    if (list.length === 0) continue;
    list.sort((a, b) => compareRelative(`${a.description}/${a.label}`, `${b.description}/${b.label}`));
    out.push({ kind: 'separator', label: SECTION_LABEL[section] }, ...list);
  }
  return out;
}
