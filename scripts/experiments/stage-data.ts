/**
 * Starting points for refinement experiments: the current `default` cascade's predictions on
 * every image of a split, cached as JSON so that refinement stages can be trained and tuned fast.
 *
 * npx tsx scripts/experiments/stage-data.ts mollusk|wings val|test [folds=4]
 * -> /tmp/stage-data/<ds>-<mode>.json
 *
 * val:  role 'train' = the training part's 80% (96 mollusk photos), role 'eval' = its other 20%
 *       (24); tune on these. test: 'train' = the whole training part (120), 'eval' = the held-out
 *       30 (bench split; confirm only, never tune on it).
 * 'train' items carry out-of-fold starts (K-fold cascades trained on the other train items), so
 * their errors look like the errors on unseen photos; 'eval' items carry the starts of a cascade
 * trained on all 'train' items. Coordinates: original pixels, y down (image rows).
 */
import * as fs from 'fs';
import * as path from 'path';
import { heldOutSplit } from '../bench';
import { readGrey } from '../../src/engine/presets/default';
import { pyramid, type GreyImage } from '../../src/engine/imaging/grey';
import { contourOf, DEFAULT_CONTOUR } from '../../src/engine/stages/contour/model';
import { CascadeBuilder, DEFAULT_CASCADE, levelsFor, locate, type CascadeModel, type Landmarks } from '../../src/engine/stages/cascade/cascade';

export interface StageItem {
  image: string; // absolute path
  role: 'train' | 'eval';
  width: number;
  height: number;
  truth: [number, number][];
  start: [number, number][];
  /** The cascade's per-landmark doubt (spread + residual), original px. */
  doubt: number[];
}
export interface StageData {
  dataset: string;
  mode: string;
  landmarkCount: number;
  items: StageItem[];
}

export function datasetDir(ds: string): string {
  return ds === 'mollusk' ? '/work/shared/data/mollusk' : '/work/shared/data/drosophila-wings';
}

export interface Spec { image: string; pts: number[][] }
export function readTps(file: string): Spec[] {
  const out: Spec[] = [];
  let cur: number[][] = [];
  for (const l of fs.readFileSync(file, 'utf8').split(/\r?\n/)) {
    if (l.startsWith('LM=')) cur = [];
    else if (l.startsWith('IMAGE=')) out.push({ image: l.slice(6).trim(), pts: cur });
    else if (/^[-\d.]/.test(l.trim())) cur.push(l.trim().split(/\s+/).map(Number));
  }
  return out;
}

/** The split used by cascade-exp.ts and the bench. */
export function splitFor(ds: string, mode: string): { train: Spec[]; evalSet: Spec[] } {
  const specs = readTps(path.join(datasetDir(ds), 'landmarks.tps'));
  const split = heldOutSplit(specs, (s) => s.image);
  if (mode === 'test') return { train: split.train, evalSet: split.test };
  const nv = Math.round(split.train.length * 0.2);
  return { train: split.train.slice(nv), evalSet: split.train.slice(0, nv) };
}

export function loadStageData(ds: string, mode: string): StageData {
  return JSON.parse(fs.readFileSync(`/tmp/stage-data/${ds}-${mode}.json`, 'utf8')) as StageData;
}

/**
 * Every item's photo decoded once: its pyramid with the levels below `keepFrom` emptied (memory;
 * the refinement stages sample level `keepFrom` and up) and its silhouette outline.
 */
export async function decodeStageItems(items: StageItem[], keepFrom: number): Promise<{ pyrs: GreyImage[][]; contours: ReturnType<typeof contourOf>[] }> {
  const levels = levelsFor(items[0].width);
  const pyrs: GreyImage[][] = [];
  const contours: ReturnType<typeof contourOf>[] = [];
  for (const it of items) {
    const p = pyramid(await readGrey(it.image), levels);
    contours.push(contourOf(p, DEFAULT_CONTOUR));
    for (let l = 0; l < keepFrom; l++) p[l] = { width: 0, height: 0, data: new Float32Array(0) };
    pyrs.push(p);
  }
  return { pyrs, contours };
}

async function main(): Promise<void> {
  const [ds = 'mollusk', mode = 'val', foldsArg = '4'] = process.argv.slice(2);
  const folds = +foldsArg;
  const dir = datasetDir(ds);
  const { train, evalSet } = splitFor(ds, mode);
  const first = await readGrey(path.join(dir, 'images', train[0].image));
  const cfg = { ...DEFAULT_CASCADE, levels: levelsFor(first.width) };
  const L = train[0].pts.length;
  const truthOf = (s: Spec, h: number): [number, number][] => s.pts.map((p) => [p[0], h - p[1]]);
  const build = async (specs: Spec[]): Promise<CascadeModel> => {
    const b = new CascadeBuilder(cfg, L);
    for (const s of specs) {
      const g = await readGrey(path.join(dir, 'images', s.image));
      b.add(pyramid(g, cfg.levels), truthOf(s, g.height) as Landmarks);
    }
    return b.build();
  };
  const predict = async (model: CascadeModel, s: Spec, role: 'train' | 'eval'): Promise<StageItem> => {
    const file = path.join(dir, 'images', s.image);
    const g = await readGrey(file);
    const r = locate(model, pyramid(g, cfg.levels));
    return {
      image: file,
      role,
      width: g.width,
      height: g.height,
      truth: truthOf(s, g.height),
      start: r.landmarks,
      doubt: r.spread.map((v, j) => v + r.residual[j]),
    };
  };
  const items: StageItem[] = [];
  for (let f = 0; f < folds; f++) {
    const held = train.filter((_, i) => i % folds === f);
    const model = await build(train.filter((_, i) => i % folds !== f));
    for (const s of held) items.push(await predict(model, s, 'train'));
    console.error(`fold ${f + 1}/${folds} done`);
  }
  const full = await build(train);
  for (const s of evalSet) items.push(await predict(full, s, 'eval'));
  const err = (role: string): number => {
    const e = items.filter((it) => it.role === role).flatMap((it) => it.start.map((p, j) => Math.hypot(p[0] - it.truth[j][0], p[1] - it.truth[j][1])));
    return e.reduce((a, b) => a + b, 0) / e.length;
  };
  fs.mkdirSync('/tmp/stage-data', { recursive: true });
  const out = `/tmp/stage-data/${ds}-${mode}.json`;
  fs.writeFileSync(out, JSON.stringify({ dataset: ds, mode, landmarkCount: L, items } satisfies StageData));
  console.log(`${out}: ${items.length} items; cascade mean error train (out-of-fold) ${err('train').toFixed(2)} px, eval ${err('eval').toFixed(2)} px`);
}

if (require.main === module) void main();
