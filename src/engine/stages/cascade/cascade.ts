/**
 * The `default` preset's landmark locator: coarse-to-fine template matching on an image pyramid.
 *
 * Training keeps, for every training image, landmark and pyramid level, the normalised patch
 * around the manual landmark, plus a small thumbnail of the whole image and its landmarks in
 * normalised coordinates. Prediction:
 *   1. init: mean landmarks of the k most similar training thumbnails (cosine similarity);
 *   2. from the coarsest level to full resolution, for each landmark: rank all training patches
 *      of that landmark by their correlation with the patch at the current estimate, average
 *      the best k into a template, and move to the best normalised-cross-correlation match in a
 *      small window (sub-pixel peak). A level's error of one pixel is two at the next, so the
 *      fine windows stay small and the final answer is at full resolution.
 *   3. disagreement: the last levels are matched again with the next-best k templates; the
 *      distance between the two answers (original pixels) is the per-landmark spread.
 * Pure: images come in as GreyImage pyramids.
 */
import { GreyImage, normalise, sample, samplePatch, toLevel, fromLevel } from '../../imaging/grey';
import { searchNcc } from './match';
import { choleskySolve } from '../../numeric/cholesky';
import { cachedShapePrior, fitShape, type ShapePrior } from './shape';

export interface CascadeConfig {
  /** Pyramid levels (level 0 = full resolution; levels - 1 = coarsest). */
  levels: number;
  /** Patch side in pixels (every level). */
  patch: number;
  /** Search radius at the coarsest level and at the finer ones (level pixels). */
  coarseRadius: number;
  fineRadius: number;

  /** Templates averaged per landmark and level. */
  k: number;

  /** Thumbnail side for the nearest-neighbour initialisation, and neighbours used. */
  thumb: number;
  /** What the thumbnail holds: grey levels, the object's silhouette, or both. */
  thumbFeature: 'grey' | 'mask' | 'both';
  kInit: number;
  /** Passes over the coarsest level (each re-centres the window). */
  coarsePasses: number;
  /** Score penalty at the window edge, favouring the current estimate. */
  prior: number;
  /** Initial landmarks relative to the whole frame, or to the object's bounding box (object on a plain background). */
  align: 'frame' | 'bbox';
  /** Shape prior: ridge penalty (0 = off) and how many of the coarsest levels it constrains. */
  shapeRidge: number;
  shapeLevels: number;
  /** Finest level matched (0 = full resolution). */
  finest: number;
  /** Initial shape: mean of the kInit nearest thumbnails, or kernel ridge regression on all (penalty initRidge). */
  init: 'knn' | 'ridge';
  initRidge: number;
  /** Answer with the mean of the two template sets' matches (else the first's). */
  average: boolean;
  /**
   * Final robust shape check (0 = off): landmarks farther than snap x box width from a robust
   * fit of the shape prior to all landmarks are replaced by the fit (measured worse: off).
   */
  snap: number;
  snapRidge: number;
  /** Template choice: the k training patches most like the current one, or the k most similar images overall. */
  select: 'local' | 'global';
}

export const DEFAULT_CASCADE: CascadeConfig = {
  levels: 5,
  patch: 25,
  coarseRadius: 10,
  fineRadius: 4,
  k: 8,
  thumb: 24,
  thumbFeature: 'mask',
  kInit: 5,
  coarsePasses: 2,
  prior: 0.05,
  align: 'bbox',
  shapeRidge: 0.01,
  shapeLevels: 3,
  finest: 0,
  select: 'local',
  average: true,
  snap: 0,
  snapRidge: 0.1,
  init: 'ridge',
  initRidge: 0.1,
};

/** Levels so that the coarsest level is about `coarsestWidth` pixels wide. */
export function levelsFor(width: number, coarsestWidth = 110): number {
  return Math.max(1, Math.floor(Math.log2(Math.max(1, width / coarsestWidth))) + 1);
}

export interface CascadeModel {
  config: CascadeConfig;
  landmarkCount: number;
  /** Training images kept. */
  count: number;
  /** templates[level]: count x landmarkCount x patch^2, normalised (zeros where missing). */
  templates: Float32Array[];
  /** count x landmarkCount x 2, landmarks / (width, height); NaN where missing. */
  shapes: Float32Array;
  /** count x thumb^2, normalised thumbnails. */
  thumbs: Float32Array;
  /** count x 4: the reference box (x0, y0, x1, y1) in original pixels that `shapes` are relative to. */
  boxes: Float32Array;
}

export type Box = [number, number, number, number];

/**
 * The object's bounding box in original pixels: pixels that differ from the border's median
 * grey by more than a threshold, between their 1st and 99th percentiles along each axis.
 * Falls back to the whole frame when too few pixels stand out.
 */
/** Background grey (median of the border) and the difference that marks the object. */
export function background(img: GreyImage): { bg: number; thr: number } {
  const { width: w, height: h, data } = img;
  const border: number[] = [];
  for (let x = 0; x < w; x++) border.push(data[x], data[(h - 1) * w + x]);
  for (let y = 0; y < h; y++) border.push(data[y * w], data[y * w + w - 1]);
  border.sort((a, b) => a - b);
  const bg = border[border.length >> 1];
  const mad = Math.abs(border[Math.floor(border.length * 0.75)] - border[Math.floor(border.length * 0.25)]);
  return { bg, thr: Math.max(20, 3 * mad) };
}

export function objectBox(img: GreyImage, level: number): Box {
  const { width: w, height: h, data } = img;
  const { bg, thr } = background(img);
  const colHist = new Float64Array(w);
  const rowHist = new Float64Array(h);
  let n = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (Math.abs(data[y * w + x] - bg) > thr) {
        colHist[x]++;
        rowHist[y]++;
        n++;
      }
    }
  }
  const frame: Box = [0, 0, fromLevel(w - 1, level), fromLevel(h - 1, level)];
  if (n < 0.01 * w * h) return frame;
  const pct = (hist: Float64Array, q: number): number => {
    let acc = 0;
    for (let i = 0; i < hist.length; i++) {
      acc += hist[i];
      if (acc >= q * n) return i;
    }
    return hist.length - 1;
  };
  return [
    fromLevel(pct(colHist, 0.01), level),
    fromLevel(pct(rowHist, 0.01), level),
    fromLevel(pct(colHist, 0.99), level),
    fromLevel(pct(rowHist, 0.99), level),
  ];
}

function referenceBox(pyr: GreyImage[], c: CascadeConfig): Box {
  if (c.align === 'bbox') return objectBox(pyr[c.levels - 1], c.levels - 1);
  return [0, 0, pyr[0].width, pyr[0].height];
}

export type Landmarks = ([number, number] | null)[];

/**
 * A side x side thumbnail of `box` (original pixels) sampled from `level`, normalised; with
 * `mask`, a second side x side block holds the object's soft silhouette (difference from the
 * background grey, saturated), which carries the outline's shape whatever the texture.
 */
function thumbnail(img: GreyImage, level: number, side: number, box: Box, feature: CascadeConfig['thumbFeature'] = 'grey'): Float32Array {
  const n = side * side;
  const grey = new Float32Array(n);
  const mask = new Float32Array(n);
  const bw = box[2] - box[0];
  const bh = box[3] - box[1];
  const { bg, thr } = background(img);
  for (let j = 0; j < side; j++) {
    for (let i = 0; i < side; i++) {
      const v = sample(img, toLevel(box[0] + ((i + 0.5) / side) * bw, level), toLevel(box[1] + ((j + 0.5) / side) * bh, level));
      grey[j * side + i] = v;
      mask[j * side + i] = Math.min(1, Math.abs(v - bg) / (2 * thr));
    }
  }
  if (feature === 'grey') return normalise(grey);
  normalise(mask);
  if (feature === 'mask') return mask;
  normalise(grey);
  const both = new Float32Array(2 * n);
  for (let q = 0; q < n; q++) {
    both[q] = grey[q] * Math.SQRT1_2;
    both[n + q] = mask[q] * Math.SQRT1_2;
  }
  return both;
}

function thumbLength(c: CascadeConfig): number {
  return (c.thumbFeature === 'both' ? 2 : 1) * c.thumb * c.thumb;
}

/** Builds the model from pyramids (each with config.levels levels) and their landmarks. */
export class CascadeBuilder {
  private readonly tpl: Float32Array[][] = [];
  private readonly shapes: number[] = [];
  private readonly thumbs: Float32Array[] = [];
  private readonly boxes: number[] = [];

  constructor(
    readonly config: CascadeConfig,
    readonly landmarkCount: number,
  ) {}

  add(pyr: GreyImage[], landmarks: Landmarks): void {
    const { config: c, landmarkCount: L } = this;
    if (pyr.length < c.levels) throw new Error(`pyramid has ${pyr.length} levels, ${c.levels} needed`);
    const pp = c.patch * c.patch;
    const per: Float32Array[] = [];
    for (let l = 0; l < c.levels; l++) {
      const block = new Float32Array(L * pp);
      for (let j = 0; j < L; j++) {
        const p = landmarks[j];
        if (!p) continue;
        const patch = samplePatch(pyr[l], toLevel(p[0], l), toLevel(p[1], l), c.patch);
        block.set(normalise(patch), j * pp);
      }
      per.push(block);
    }
    this.tpl.push(per);
    const box = referenceBox(pyr, c);
    this.boxes.push(...box);
    const bw = Math.max(1, box[2] - box[0]);
    const bh = Math.max(1, box[3] - box[1]);
    for (let j = 0; j < L; j++) {
      const p = landmarks[j];
      this.shapes.push(p ? (p[0] - box[0]) / bw : NaN, p ? (p[1] - box[1]) / bh : NaN);
    }
    this.thumbs.push(thumbnail(pyr[c.levels - 1], c.levels - 1, c.thumb, box, c.thumbFeature));
  }

  build(): CascadeModel {
    const { config: c, landmarkCount: L } = this;
    const n = this.tpl.length;
    if (n === 0) throw new Error('no training images');
    const pp = c.patch * c.patch;
    const templates: Float32Array[] = [];
    for (let l = 0; l < c.levels; l++) {
      const t = new Float32Array(n * L * pp);
      for (let i = 0; i < n; i++) t.set(this.tpl[i][l], i * L * pp);
      templates.push(t);
    }
    const tt = thumbLength(c);
    const thumbs = new Float32Array(n * tt);
    for (let i = 0; i < n; i++) thumbs.set(this.thumbs[i], i * tt);
    return { config: c, landmarkCount: L, count: n, templates, shapes: Float32Array.from(this.shapes), thumbs, boxes: Float32Array.from(this.boxes) };
  }
}

export interface CascadeResult {
  /** Original pixels, top-left origin. */
  landmarks: [number, number][];
  /** Per landmark: distance between the two template sets' answers, original pixels. */
  spread: number[];
  /** Per landmark: NCC of the final match. */
  score: number[];
  /** Per landmark: distance (original pixels) from the shape prior's fit to the final landmarks. */
  residual: number[];
}

/** Weight of the match's NCC shortfall in the doubt: pixels per (1 - NCC) per pixel of width. */
export const NCC_DOUBT_PER_WIDTH = 0.05;

/**
 * Per-landmark doubt in original pixels (higher = less trustworthy): the two template sets'
 * disagreement + the distance from the shape prior's fit + 0.05 x width x (1 - NCC of the final
 * match). The NCC term ranks outliers far better (mollusk val, 120 out-of-fold photos: the 10%
 * most doubtful photos hold 38% of the big errors instead of 17%, the 10% most doubtful
 * landmarks 29% instead of 18%; fly wings: 27% = 27% of photos, 29% instead of 24% of landmarks).
 */
export function landmarkDoubt(r: Pick<CascadeResult, 'spread' | 'residual' | 'score'>, width: number): number[] {
  return r.spread.map((s, j) => s + r.residual[j] + NCC_DOUBT_PER_WIDTH * width * (1 - Math.min(1, r.score[j])));
}

/**
 * Indices of the k largest values after skipping the `skip` largest, in descending order, ties
 * by index (what a stable descending sort gives). Small k + skip: an insertion selection instead
 * of sorting every index.
 */
export function topK(values: ArrayLike<number>, k: number, skip = 0): number[] {
  const n = values.length;
  const m = Math.min(n, skip + k);
  let finite = true;
  for (let i = 0; i < n && finite; i++) finite = !Number.isNaN(values[i]);
  if (!finite || m > 32) {
    const idx = Array.from({ length: n }, (_, i) => i);
    idx.sort((a, b) => values[b] - values[a]);
    return idx.slice(skip, skip + k);
  }
  const best: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (best.length === m && v <= values[best[m - 1]]) continue;
    let p = best.length === m ? m - 1 : best.length;
    // a later index goes after equal values (stable order)
    while (p > 0 && values[best[p - 1]] < v) {
      best[p] = best[p - 1];
      p--;
    }
    best[p] = i;
    if (best.length > m) best.length = m;
  }
  return best.slice(skip, skip + k);
}

/** Similarity of this photo's thumbnail to each training photo's (dot products of the normalised thumbnails). */
function thumbnailSimilarities(model: CascadeModel, pyr: GreyImage[], box: Box): Float64Array {
  const c = model.config;
  const th = thumbnail(pyr[c.levels - 1], c.levels - 1, c.thumb, box, c.thumbFeature);
  const tt = thumbLength(c);
  const sims = new Float64Array(model.count);
  for (let i = 0; i < model.count; i++) {
    let s = 0;
    for (let q = 0; q < tt; q++) s += th[q] * model.thumbs[i * tt + q];
    sims[i] = s;
  }
  return sims;
}

/** Training images ordered by thumbnail similarity to this one. */
export function neighbourOrder(model: CascadeModel, pyr: GreyImage[], box = referenceBox(pyr, model.config)): number[] {
  return topK(thumbnailSimilarities(model, pyr, box), model.count);
}

export function initialShape(model: CascadeModel, pyr: GreyImage[], box = referenceBox(pyr, model.config)): [number, number][] {
  const c = model.config;
  const L = model.landmarkCount;
  const sims = thumbnailSimilarities(model, pyr, box);
  const bw0 = Math.max(1, box[2] - box[0]);
  const bh0 = Math.max(1, box[3] - box[1]);
  if (c.init === 'ridge') {
    const { mean, alpha } = ridgeInit(model);
    const d = 2 * L;
    const v = Float64Array.from(mean);
    for (let i = 0; i < model.count; i++) {
      for (let q = 0; q < d; q++) v[q] += sims[i] * alpha[i * d + q];
    }
    return Array.from({ length: L }, (_, j) => [box[0] + v[2 * j] * bw0, box[1] + v[2 * j + 1] * bh0] as [number, number]);
  }
  const nn = topK(sims, Math.min(c.kInit, model.count));
  const bw = Math.max(1, box[2] - box[0]);
  const bh = Math.max(1, box[3] - box[1]);
  const out: [number, number][] = [];
  for (let j = 0; j < L; j++) {
    let sx = 0;
    let sy = 0;
    let n = 0;
    for (const i of nn) {
      const x = model.shapes[(i * L + j) * 2];
      const y = model.shapes[(i * L + j) * 2 + 1];
      if (Number.isNaN(x)) continue;
      sx += x;
      sy += y;
      n++;
    }
    if (n === 0) {
      for (let i = 0; i < model.count; i++) {
        const x = model.shapes[(i * L + j) * 2];
        if (Number.isNaN(x)) continue;
        sx += x;
        sy += model.shapes[(i * L + j) * 2 + 1];
        n++;
      }
    }
    out.push(n ? [box[0] + (sx / n) * bw, box[1] + (sy / n) * bh] : [box[0] + bw / 2, box[1] + bh / 2]);
  }
  return out;
}

const ridges = new WeakMap<CascadeModel, { mean: Float64Array; alpha: Float64Array }>();
/** Kernel ridge regression (linear kernel on thumbnails) from thumbnail to normalised shape. */
function ridgeInit(model: CascadeModel): { mean: Float64Array; alpha: Float64Array } {
  let r = ridges.get(model);
  if (r) return r;
  const n = model.count;
  const d = 2 * model.landmarkCount;
  const tt = thumbLength(model.config);
  const mean = new Float64Array(d);
  const cnt = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let q = 0; q < d; q++) {
      const v = model.shapes[i * d + q];
      if (!Number.isNaN(v)) {
        mean[q] += v;
        cnt[q]++;
      }
    }
  }
  for (let q = 0; q < d; q++) mean[q] = cnt[q] ? mean[q] / cnt[q] : 0.5;
  const k = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let q = 0; q < tt; q++) s += model.thumbs[i * tt + q] * model.thumbs[j * tt + q];
      k[i * n + j] = s;
      k[j * n + i] = s;
    }
    k[i * n + i] += model.config.initRidge;
  }
  const alpha = new Float64Array(n * d);
  for (let q = 0; q < d; q++) {
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = model.shapes[i * d + q];
      y[i] = Number.isNaN(v) ? 0 : v - mean[q];
    }
    const a = choleskySolve(k, y, n);
    for (let i = 0; i < n; i++) alpha[i * d + q] = a[i];
  }
  r = { mean, alpha };
  ridges.set(model, r);
  return r;
}

function snapPrior(model: CascadeModel): ShapePrior {
  return cachedShapePrior(model.shapes, model.count, model.landmarkCount, model.config.snapRidge);
}

function shapePrior(model: CascadeModel): ShapePrior {
  return cachedShapePrior(model.shapes, model.count, model.landmarkCount, model.config.shapeRidge);
}

/** Averages the templates `ids` of landmark j at level l. */
function meanTemplate(model: CascadeModel, l: number, j: number, ids: number[]): Float32Array {
  const pp = model.config.patch * model.config.patch;
  const L = model.landmarkCount;
  const t = new Float32Array(pp);
  const src = model.templates[l];
  for (const i of ids) {
    const o = (i * L + j) * pp;
    for (let q = 0; q < pp; q++) t[q] += src[o + q];
  }
  return t;
}

/**
 * Correlation of every training patch of landmark j (level l) with `patch` (normalised). Four
 * training patches per sweep (each sum in the same order as alone: bit-identical).
 */
function rankTemplates(model: CascadeModel, l: number, j: number, patch: Float32Array): Float64Array {
  const pp = model.config.patch * model.config.patch;
  const L = model.landmarkCount;
  const src = model.templates[l];
  const n = model.count;
  const r = new Float64Array(n);
  const step = L * pp;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const o = (i * L + j) * pp;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let q = 0; q < pp; q++) {
      const v = patch[q];
      const k = o + q;
      s0 += src[k] * v;
      s1 += src[k + step] * v;
      s2 += src[k + 2 * step] * v;
      s3 += src[k + 3 * step] * v;
    }
    r[i] = s0;
    r[i + 1] = s1;
    r[i + 2] = s2;
    r[i + 3] = s3;
  }
  for (; i < n; i++) {
    const o = (i * L + j) * pp;
    let s = 0;
    for (let q = 0; q < pp; q++) s += src[o + q] * patch[q];
    r[i] = s;
  }
  return r;
}

/** One landmark, one level: returns the new position in original pixels. */
function refine(
  model: CascadeModel,
  pyr: GreyImage[],
  l: number,
  j: number,
  p: [number, number],
  radius: number,
  skip: number,
  neighbours?: number[],
  rankCache?: Map<string, Float64Array>,
): { p: [number, number]; score: number } {
  const c = model.config;
  const img = pyr[l];
  const lx = toLevel(p[0], l);
  const ly = toLevel(p[1], l);
  let ids: number[];
  if (neighbours) {
    ids = skip ? neighbours.slice(c.k, 2 * c.k) : neighbours.slice(0, c.k);
  } else {
    // the two template sets start from the same point on the first level they split at
    const key = `${l} ${j} ${p[0]} ${p[1]}`;
    let ranks = rankCache?.get(key);
    if (!ranks) {
      ranks = rankTemplates(model, l, j, normalise(samplePatch(img, lx, ly, c.patch)));
      rankCache?.set(key, ranks);
    }
    ids = topK(ranks, Math.min(c.k, model.count), Math.min(skip, Math.max(0, model.count - c.k)));
  }
  const t = meanTemplate(model, l, j, ids);
  const m = searchNcc(img, t, c.patch, lx, ly, radius, c.prior);
  return { p: [fromLevel(m.x, l), fromLevel(m.y, l)], score: m.score };
}

export function locate(model: CascadeModel, pyr: GreyImage[], trace?: (level: number, pts: [number, number][]) => void, start?: [number, number][]): CascadeResult {
  const c = model.config;
  const L = model.landmarkCount;
  const box = referenceBox(pyr, c);
  const nb = c.select === 'global' ? neighbourOrder(model, pyr, box) : undefined;
  const pts = start ? start.map((p) => [p[0], p[1]] as [number, number]) : initialShape(model, pyr, box);
  const score = new Array<number>(L).fill(0);
  const prior = c.shapeRidge > 0 ? shapePrior(model) : undefined;
  const bw = Math.max(1, box[2] - box[0]);
  const bh = Math.max(1, box[3] - box[1]);
  const constrain = (): void => {
    if (!prior) return;
    const v = new Float64Array(2 * L);
    for (let j = 0; j < L; j++) {
      v[2 * j] = (pts[j][0] - box[0]) / bw;
      v[2 * j + 1] = (pts[j][1] - box[1]) / bh;
    }
    const w = score.map((s) => Math.max(0.05, s) ** 2);
    const f = fitShape(prior, v, w);
    for (let j = 0; j < L; j++) pts[j] = [box[0] + f[2 * j] * bw, box[1] + f[2 * j + 1] * bh];
  };
  const top = c.levels - 1;
  // the two coarse-to-fine paths share the levels down to `split`; below it they use different templates
  const split = Math.min(top, c.finest + 1);
  for (let l = top; l >= split; l--) {
    const passes = l === top ? c.coarsePasses : 1;
    const radius = l === top ? c.coarseRadius : c.fineRadius;
    for (let pass = 0; pass < passes; pass++) {
      for (let j = 0; j < L; j++) {
        const r = refine(model, pyr, l, j, pts[j], radius, 0, nb);
        pts[j] = r.p;
        score[j] = r.score;
      }
      if (l > top - c.shapeLevels) constrain();
    }
    trace?.(l, pts);
  }
  const alt = pts.map((p) => [p[0], p[1]] as [number, number]);
  for (let l = split - 1; l >= c.finest; l--) {
    for (let j = 0; j < L; j++) {
      const cache = new Map<string, Float64Array>();
      const r = refine(model, pyr, l, j, pts[j], c.fineRadius, 0, nb, cache);
      pts[j] = r.p;
      score[j] = r.score;
      alt[j] = refine(model, pyr, l, j, alt[j], c.fineRadius, c.k, nb, cache).p;
    }
    trace?.(l, pts);
  }
  const spread = pts.map((p, j) => Math.hypot(p[0] - alt[j][0], p[1] - alt[j][1]));
  const landmarks: [number, number][] = c.average ? pts.map((p, j) => [(p[0] + alt[j][0]) / 2, (p[1] + alt[j][1]) / 2] as [number, number]) : pts;
  const residual = new Array<number>(L).fill(0);
  if (prior) {
    const v = new Float64Array(2 * L);
    for (let j = 0; j < L; j++) {
      v[2 * j] = (landmarks[j][0] - box[0]) / bw;
      v[2 * j + 1] = (landmarks[j][1] - box[1]) / bh;
    }
    const res = (f: Float64Array, j: number): number => Math.hypot((f[2 * j] - v[2 * j]) * bw, (f[2 * j + 1] - v[2 * j + 1]) * bh);
    let w = new Array<number>(L).fill(1);
    let f = fitShape(prior, v, w);
    for (let j = 0; j < L; j++) residual[j] = res(f, j);
    if (c.snap > 0) {
      const strong = snapPrior(model);
      const tau = c.snap * bw;
      f = fitShape(strong, v, w);
      for (let it = 0; it < 3; it++) {
        w = w.map((_, j) => 1 / (1 + (res(f, j) / tau) ** 2));
        f = fitShape(strong, v, w);
      }
      for (let j = 0; j < L; j++) {
        if (res(f, j) > tau) landmarks[j] = [box[0] + f[2 * j] * bw, box[1] + f[2 * j + 1] * bh];
      }
    }
  }
  return { landmarks, spread, score, residual };
}
