/**
 * A learned refinement stage for the `default` preset: the Supervised Descent Method (cascaded
 * shape regression, Xiong & De la Torre 2013). Starting from the cascade's landmarks, each stage
 * t moves ALL landmarks jointly by a ridge regression from the concatenated local descriptors
 * (./descriptor.ts) around every current landmark:
 *   shape += s * (W_t' phi_t(image, shape) + b_t)
 * with s the current shape's size (RMS distance of the landmarks from their centroid, original
 * pixels), so updates are scale-free. Stage windows shrink coarse to fine; each stage samples one
 * pyramid level, fixed at training from the median training shape size. Training (standard SDM):
 * every training photo contributes its start plus `perturbations` extra starts (truth + another
 * photo's start error, rescaled), and each stage is trained on the previous stage's outputs.
 * Pure: images come in as GreyImage pyramids (level 0 = full resolution).
 */
import { mulberry32 } from '../../../shared/augment/rng';
import type { GreyImage } from '../../imaging/grey';
import { DEFAULT_DESCRIPTOR, describe, descriptorLength, levelForSpacing, type DescriptorSpec } from './descriptor';
import { fitRidge } from '../../numeric/ridge';
import { cachedShapePrior, fitShape, shapeFrame } from '../cascade/shape';

export type Point = [number, number];

export interface SdmConfig {
  /** Descriptor window side per stage, as a fraction of the shape size s (coarse to fine). */
  windows: number[];
  descriptor: DescriptorSpec;
  /** Ridge penalty, relative to the mean squared norm of the (centred) feature rows. */
  lambda: number;
  /** Extra training starts per photo besides its own start. */
  perturbations: number;
  /** How extra starts are drawn: truth + another photo's start error ('residual'), or start + Gaussian noise ('noise'). */
  perturb: 'residual' | 'noise';
  /** Noise sd (fraction of s) for 'noise'; also jitter added to 'residual' draws. */
  noise: number;
  /** 'residual' draws: the borrowed error is multiplied by a uniform factor in [1, residualMax]. */
  residualMax: number;
  /** Whole-shape jitter of every extra start: shift sd (fraction of s), rotation sd (radians), log-scale sd. */
  jitter: [number, number, number];
  /** Finest pyramid level a stage may sample (0 = full resolution). */
  minLevel: number;
  /** Weight of the current shape itself ((p - centroid) / s, 2L values) appended to the features; 0 = off. */
  shapeFeatures: number;
  /** One regression of all landmarks from all descriptors (true), or one per landmark from its own descriptor (+ shape features). */
  joint: boolean;
  /** Final projection onto the training shapes' span (ridge penalty of ../shape.ts fitShape); 0 = off. */
  prior: number;
  seed: number;
}

/**
 * Tuned on the mollusk validation split (96 train / 24 eval photos, docs/benchmark-history.md):
 * cascade 40.75 px -> 34.3 px mean; wings validation 2.75 -> 2.34 px.
 */
export const DEFAULT_SDM: SdmConfig = {
  windows: [0.6, 0.4, 0.25, 0.15],
  descriptor: DEFAULT_DESCRIPTOR,
  lambda: 2,
  perturbations: 16,
  perturb: 'residual',
  noise: 0.02,
  residualMax: 2,
  jitter: [0.05, 0.05, 0.05],
  minLevel: 0,
  shapeFeatures: 3,
  joint: true,
  prior: 0,
  seed: 1,
};

export interface SdmStage {
  /** Window side / shape size. */
  window: number;
  /** Pyramid level sampled. */
  level: number;
  /** d x 2L (d = L x descriptor length), row-major. */
  w: Float32Array;
  /** 2L. */
  b: Float32Array;
}

export interface SdmModel {
  config: SdmConfig;
  landmarkCount: number;
  stages: SdmStage[];
  /** With config.prior > 0: the training truths, each as (p - centroid) / size, count x 2L. */
  shapes?: Float32Array;
}

export interface SdmItem {
  pyr: GreyImage[];
  truth: Point[];
  start: Point[];
}

export interface SdmResult {
  landmarks: Point[];
  /**
   * Per landmark doubt, original pixels: how far the stages together moved it from the start
   * (a start the regression distrusts is likely wrong; on mollusk validation the 10% most-moved
   * images hold ~42% of the big errors, against ~15% for the cascade's own spread).
   */
  doubt: number[];
  /** Per landmark: how far the last stage alone moved it (original pixels). */
  lastStep: number[];
}

export { shapeFrame };

function flat(p: Point[]): Float64Array {
  const v = new Float64Array(2 * p.length);
  p.forEach((q, j) => {
    v[2 * j] = q[0];
    v[2 * j + 1] = q[1];
  });
  return v;
}

/** Features of one shape (2L, original pixels) for one stage into out[offset ..]. */
function features(img: GreyImage, level: number, shape: ArrayLike<number>, L: number, window: number, c: SdmConfig, out: Float32Array, offset: number, grid: Float32Array): void {
  const { cx, cy, s } = shapeFrame(shape, L);
  const side = window * s;
  const spec = c.descriptor;
  const len = descriptorLength(spec);
  for (let j = 0; j < L; j++) describe(img, level, shape[2 * j], shape[2 * j + 1], side, spec, out, offset + j * len, grid);
  if (c.shapeFeatures > 0) {
    const o = offset + L * len;
    for (let j = 0; j < L; j++) {
      out[o + 2 * j] = (c.shapeFeatures * (shape[2 * j] - cx)) / s;
      out[o + 2 * j + 1] = (c.shapeFeatures * (shape[2 * j + 1] - cy)) / s;
    }
  }
}

/** Feature length of one shape. */
function featureLength(c: SdmConfig, L: number): number {
  return L * descriptorLength(c.descriptor) + (c.shapeFeatures > 0 ? 2 * L : 0);
}

function gridFor(spec: DescriptorSpec): Float32Array {
  const g = spec.cells * spec.perCell + 2;
  return new Float32Array(g * g);
}

/**
 * The pyramid level each stage samples, from the training truths' median shape size: known
 * before any start is (callers keep only these levels of each photo's pyramid).
 */
export function sdmStageLevels(truths: Point[][], pyramidLevels: number, config: Partial<SdmConfig> = {}): number[] {
  const c: SdmConfig = { ...DEFAULT_SDM, ...config };
  const L = truths[0].length;
  const sorted = truths.map((t) => shapeFrame(flat(t), L).s).sort((a, b) => a - b);
  const sMed = sorted[sorted.length >> 1];
  const n = c.descriptor.cells * c.descriptor.perCell;
  return c.windows.map((w) => levelForSpacing((w * sMed) / n, Math.min(c.minLevel, pyramidLevels - 1), pyramidLevels - 1));
}

/**
 * Stage-by-stage training, so that callers can decode each photo per stage (or keep only the
 * levels `stageLevel()` asks for) instead of holding every full-resolution pyramid:
 *   const t = new SdmTrainer(items, levels, config);
 *   while (!t.done) { for (i ...) t.addItem(i, pyramidOf(i)); t.finishStage(); }
 *   const model = t.model();
 */
export class SdmTrainer {
  readonly config: SdmConfig;
  readonly landmarkCount: number;
  /** Pyramid level each stage samples. */
  readonly levels: number[];
  /** Current training shapes: per photo, (1 + perturbations) shapes of 2L. */
  private readonly shapes: Float64Array[][];
  private readonly truths: Float64Array[];
  private readonly stages: SdmStage[] = [];
  private x: Float32Array;
  private filled: boolean[];
  private readonly grid: Float32Array;

  /** Mean landmark error (px) of the photos' own shapes as the stages so far moved them: the training curve. */
  ownError(): number {
    let se = 0;
    let n = 0;
    this.shapes.forEach((sh, i) => {
      const t = this.truths[i];
      for (let j = 0; j < this.landmarkCount; j++) {
        se += Math.hypot(sh[0][2 * j] - t[2 * j], sh[0][2 * j + 1] - t[2 * j + 1]);
        n++;
      }
    });
    return se / Math.max(1, n);
  }

  constructor(items: { truth: Point[]; start: Point[] }[], pyramidLevels: number, config: Partial<SdmConfig> = {}) {
    const c: SdmConfig = { ...DEFAULT_SDM, ...config };
    this.config = c;
    if (items.length === 0) throw new Error('SDM: no training items');
    const L = items[0].truth.length;
    this.landmarkCount = L;
    this.truths = items.map((it) => flat(it.truth));
    const starts = items.map((it) => flat(it.start));
    const rnd = mulberry32(c.seed);
    const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
    const sizes = this.truths.map((t) => shapeFrame(t, L).s);
    this.shapes = items.map((_, i) => {
      const own = [Float64Array.from(starts[i])];
      for (let p = 0; p < c.perturbations; p++) {
        const v = new Float64Array(2 * L);
        if (c.perturb === 'residual' && items.length > 1) {
          let k = Math.floor(rnd() * (items.length - 1));
          if (k >= i) k++;
          const r = (sizes[i] / sizes[k]) * (1 + rnd() * (c.residualMax - 1));
          for (let q = 0; q < 2 * L; q++) v[q] = this.truths[i][q] + (starts[k][q] - this.truths[k][q]) * r + c.noise * sizes[i] * gauss();
        } else {
          for (let q = 0; q < 2 * L; q++) v[q] = starts[i][q] + c.noise * sizes[i] * gauss();
        }
        const [sh, rot, sc] = c.jitter;
        if (sh > 0 || rot > 0 || sc > 0) {
          const f = shapeFrame(v, L);
          const a = rot * gauss();
          const m = Math.exp(sc * gauss());
          const tx = sh * sizes[i] * gauss();
          const ty = sh * sizes[i] * gauss();
          const ca = m * Math.cos(a);
          const sa = m * Math.sin(a);
          for (let j = 0; j < L; j++) {
            const dx = v[2 * j] - f.cx;
            const dy = v[2 * j + 1] - f.cy;
            v[2 * j] = f.cx + tx + ca * dx - sa * dy;
            v[2 * j + 1] = f.cy + ty + sa * dx + ca * dy;
          }
        }
        own.push(v);
      }
      return own;
    });
    this.levels = sdmStageLevels(items.map((it) => it.truth), pyramidLevels, c);
    this.grid = gridFor(c.descriptor);
    this.x = new Float32Array(0);
    this.filled = [];
    this.allocate();
  }

  get stage(): number {
    return this.stages.length;
  }

  get done(): boolean {
    return this.stages.length >= this.config.windows.length;
  }

  /** The pyramid level the current stage samples. */
  stageLevel(): number {
    return this.levels[this.stage];
  }

  private rows(): number {
    return this.shapes.length * (1 + this.config.perturbations);
  }

  private dim(): number {
    return featureLength(this.config, this.landmarkCount);
  }

  private allocate(): void {
    if (this.done) return;
    this.x = new Float32Array(this.rows() * this.dim());
    this.filled = this.shapes.map(() => false);
  }

  /** Descriptors of photo i's current training shapes; `pyr` needs the level stageLevel(). */
  addItem(i: number, pyr: GreyImage[]): void {
    if (this.done) throw new Error('SDM: all stages trained');
    const c = this.config;
    const l = this.stageLevel();
    if (!pyr[l]) throw new Error(`SDM: pyramid level ${l} missing`);
    const per = 1 + c.perturbations;
    const d = this.dim();
    this.shapes[i].forEach((sh, p) => features(pyr[l], l, sh, this.landmarkCount, c.windows[this.stage], c, this.x, (i * per + p) * d, this.grid));
    this.filled[i] = true;
  }

  /** Fits this stage's regression and moves every training shape by it. */
  finishStage(): void {
    const missing = this.filled.indexOf(false);
    if (missing >= 0) throw new Error(`SDM: photo ${missing} not added to stage ${this.stage}`);
    const c = this.config;
    const L = this.landmarkCount;
    const n = this.rows();
    const d = this.dim();
    const k = 2 * L;
    const per = 1 + c.perturbations;
    const y = new Float64Array(n * k);
    this.shapes.forEach((own, i) =>
      own.forEach((sh, p) => {
        const { s } = shapeFrame(sh, L);
        for (let q = 0; q < k; q++) y[(i * per + p) * k + q] = (this.truths[i][q] - sh[q]) / s;
      }),
    );
    const stage: SdmStage = { window: c.windows[this.stage], level: this.stageLevel(), ...fitStage(c, L, this.x, y, n) };
    this.shapes.forEach((own, i) =>
      own.forEach((sh, p) => {
        const delta = predictDelta(stage, c, L, this.x, (i * per + p) * d);
        const { s } = shapeFrame(sh, L);
        for (let q = 0; q < k; q++) sh[q] += s * delta[q];
      }),
    );
    this.stages.push(stage);
    this.allocate();
  }

  /** Mean error (original pixels) of the photos' own starts after the stages so far (training fit). */
  trainingError(): number {
    const L = this.landmarkCount;
    let e = 0;
    this.shapes.forEach((own, i) => {
      for (let j = 0; j < L; j++) e += Math.hypot(own[0][2 * j] - this.truths[i][2 * j], own[0][2 * j + 1] - this.truths[i][2 * j + 1]);
    });
    return e / (this.shapes.length * L);
  }

  model(): SdmModel {
    if (!this.done) throw new Error('SDM: training not finished');
    const L = this.landmarkCount;
    const shapes = this.config.prior > 0 ? normalisedShapes(this.truths, L) : undefined;
    return { config: this.config, landmarkCount: L, stages: this.stages, shapes };
  }
}

/** Feature columns landmark j's local regression reads (its descriptor, then the shape features). */
function localColumns(c: SdmConfig, L: number, j: number): number[] {
  const len = descriptorLength(c.descriptor);
  const cols = Array.from({ length: len }, (_, q) => j * len + q);
  if (c.shapeFeatures > 0) for (let q = 0; q < 2 * L; q++) cols.push(L * len + q);
  return cols;
}

function fitStage(c: SdmConfig, L: number, x: Float32Array, y: Float64Array, n: number): { w: Float32Array; b: Float32Array } {
  const d = featureLength(c, L);
  const k = 2 * L;
  if (c.joint) {
    const fit = fitRidge(x, y, n, d, k, c.lambda);
    return { w: Float32Array.from(fit.w), b: Float32Array.from(fit.b) };
  }
  const cols = localColumns(c, L, 0).length;
  const w = new Float32Array(L * cols * 2);
  const b = new Float32Array(k);
  for (let j = 0; j < L; j++) {
    const idx = localColumns(c, L, j);
    const xj = new Float32Array(n * cols);
    const yj = new Float64Array(n * 2);
    for (let i = 0; i < n; i++) {
      for (let q = 0; q < cols; q++) xj[i * cols + q] = x[i * d + idx[q]];
      yj[2 * i] = y[i * k + 2 * j];
      yj[2 * i + 1] = y[i * k + 2 * j + 1];
    }
    const fit = fitRidge(xj, yj, n, cols, 2, c.lambda);
    w.set(fit.w, j * cols * 2);
    b[2 * j] = fit.b[0];
    b[2 * j + 1] = fit.b[1];
  }
  return { w, b };
}

function predictDelta(stage: SdmStage, c: SdmConfig, L: number, x: Float32Array, offset: number): Float64Array {
  const out = Float64Array.from(stage.b);
  const w = stage.w;
  const k = 2 * L;
  if (c.joint) {
    const d = featureLength(c, L);
    for (let q = 0; q < d; q++) {
      const v = x[offset + q];
      if (v === 0) continue;
      const o = q * k;
      for (let t = 0; t < k; t++) out[t] += v * w[o + t];
    }
    return out;
  }
  for (let j = 0; j < L; j++) {
    const idx = localColumns(c, L, j);
    const o = j * idx.length * 2;
    for (let q = 0; q < idx.length; q++) {
      const v = x[offset + idx[q]];
      out[2 * j] += v * w[o + 2 * q];
      out[2 * j + 1] += v * w[o + 2 * q + 1];
    }
  }
  return out;
}

function stageWeights(c: SdmConfig, L: number): number {
  return c.joint ? featureLength(c, L) * 2 * L : L * localColumns(c, L, 0).length * 2;
}

function normalisedShapes(truths: Float64Array[], L: number): Float32Array {
  const out = new Float32Array(truths.length * 2 * L);
  truths.forEach((t, i) => {
    const f = shapeFrame(t, L);
    for (let j = 0; j < L; j++) {
      out[i * 2 * L + 2 * j] = (t[2 * j] - f.cx) / f.s;
      out[i * 2 * L + 2 * j + 1] = (t[2 * j + 1] - f.cy) / f.s;
    }
  });
  return out;
}

function projectOnPrior(model: SdmModel, sh: Float64Array): void {
  const L = model.landmarkCount;
  if (!model.shapes || model.config.prior <= 0) return;
  const prior = cachedShapePrior(model.shapes, model.shapes.length / (2 * L), L, model.config.prior);
  const f = shapeFrame(sh, L);
  const v = new Float64Array(2 * L);
  for (let j = 0; j < L; j++) {
    v[2 * j] = (sh[2 * j] - f.cx) / f.s;
    v[2 * j + 1] = (sh[2 * j + 1] - f.cy) / f.s;
  }
  const fit = fitShape(prior, v, new Array<number>(L).fill(1));
  for (let j = 0; j < L; j++) {
    sh[2 * j] = f.cx + fit[2 * j] * f.s;
    sh[2 * j + 1] = f.cy + fit[2 * j + 1] * f.s;
  }
}

/** Trains on in-memory pyramids (every item's pyramid must hold the levels the stages use). */
export function trainSdm(items: SdmItem[], config: Partial<SdmConfig> = {}): SdmModel {
  const t = new SdmTrainer(items, Math.min(...items.map((it) => it.pyr.length)), config);
  while (!t.done) {
    items.forEach((it, i) => t.addItem(i, it.pyr));
    t.finishStage();
  }
  return t.model();
}

/** The pyramid levels applySdm reads. */
export function sdmLevels(model: SdmModel): number[] {
  return [...new Set(model.stages.map((s) => s.level))].sort((a, b) => a - b);
}

export function applySdm(model: SdmModel, pyr: GreyImage[], start: Point[]): SdmResult {
  const L = model.landmarkCount;
  const c = model.config;
  const d = featureLength(c, L);
  const k = 2 * L;
  const x = new Float32Array(d);
  const grid = gridFor(c.descriptor);
  const sh = flat(start);
  const lastStep = new Array<number>(L).fill(0);
  for (const st of model.stages) {
    features(pyr[st.level], st.level, sh, L, st.window, c, x, 0, grid);
    const delta = predictDelta(st, c, L, x, 0);
    const { s } = shapeFrame(sh, L);
    for (let j = 0; j < L; j++) {
      sh[2 * j] += s * delta[2 * j];
      sh[2 * j + 1] += s * delta[2 * j + 1];
      lastStep[j] = s * Math.hypot(delta[2 * j], delta[2 * j + 1]);
    }
  }
  projectOnPrior(model, sh);
  const landmarks = Array.from({ length: L }, (_, j) => [sh[2 * j], sh[2 * j + 1]] as Point);
  const doubt = landmarks.map((p, j) => Math.hypot(p[0] - start[j][0], p[1] - start[j][1]));
  return { landmarks, doubt, lastStep };
}

export interface SdmFileMeta {
  format: 'sdm-1';
  config: SdmConfig;
  landmarkCount: number;
  stages: { window: number; level: number }[];
  /** Training shapes stored after the stages (for the final shape prior). */
  shapeCount: number;
}

/** JSON-able metadata plus one Float32Array with every stage's W then b. */
export function sdmToFile(model: SdmModel): { meta: SdmFileMeta; weights: Float32Array } {
  const total = model.stages.reduce((a, s) => a + s.w.length + s.b.length, 0) + (model.shapes?.length ?? 0);
  const weights = new Float32Array(total);
  let o = 0;
  for (const s of model.stages) {
    weights.set(s.w, o);
    o += s.w.length;
    weights.set(s.b, o);
    o += s.b.length;
  }
  if (model.shapes) weights.set(model.shapes, o);
  return {
    meta: {
      format: 'sdm-1',
      config: model.config,
      landmarkCount: model.landmarkCount,
      stages: model.stages.map((s) => ({ window: s.window, level: s.level })),
      shapeCount: model.shapes ? model.shapes.length / (2 * model.landmarkCount) : 0,
    },
    weights,
  };
}

export function sdmFromFile(meta: SdmFileMeta, weights: Float32Array): SdmModel {
  if (meta.format !== 'sdm-1') throw new Error(`SDM: unknown model format ${String(meta.format)}`);
  const L = meta.landmarkCount;
  const k = 2 * L;
  const wn = stageWeights(meta.config, L);
  const need = meta.stages.length * (wn + k) + meta.shapeCount * k;
  if (weights.length !== need) throw new Error(`SDM: ${weights.length} weights, ${need} expected`);
  let o = 0;
  const stages = meta.stages.map((s) => {
    const w = weights.slice(o, o + wn);
    o += wn;
    const b = weights.slice(o, o + k);
    o += k;
    return { window: s.window, level: s.level, w, b };
  });
  const shapes = meta.shapeCount > 0 ? weights.slice(o, o + meta.shapeCount * k) : undefined;
  return { config: meta.config, landmarkCount: L, stages, shapes };
}
