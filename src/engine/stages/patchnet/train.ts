/**
 * Training of the patch-refinement nets. Each photo's pyramid is needed only while its crops
 * (one window per landmark and pass, around the truth, wide enough for every training centre
 * and augmentation) are cut; batches are then sampled from the crops.
 */
import type * as tfjs from '../../backend/tf';
import * as tf from '../../backend/tf';
import { optimizerStep, warmCosineRate } from '../../train/step';
import { mulberry32, type RandomSource } from '../../../shared/augment/rng';
import { toLevel, type GreyImage } from '../../imaging/grey';
import { cellOffset, cutCrop, sampleRotated, standardise, type Crop } from './sampling';
import { buildNet, HEATMAP_STRIDE } from './net';
import { DEFAULT_PATCHNET, type PassConfig, type PatchNetConfig, type PatchNetModel } from './model';

export type Point = [number, number];

export interface PatchNetItem {
  /** The photo's pyramid (level 0 = full size), or a loader called once. */
  pyr: GreyImage[] | (() => Promise<GreyImage[]>);
  /** Original px, y down; null where the landmark is missing. */
  truth: (Point | null)[];
  /** Where refinement starts (e.g. the cascade's out-of-fold prediction), original px. */
  start: Point[];
}

export interface PatchNetHooks {
  cancelled?(): boolean;
  /** After each optimizer step; `lossPx` is the running training loss in original pixels (L1 per axis). */
  step?(done: number, total: number, lossPx?: number): void;
  log?(message: string): void;
}

export interface Example {
  crop: Crop;
  /** Level coordinates. */
  truth: Point;
  start: Point;
  landmark: number;
}

function gauss(rnd: RandomSource): number {
  const u = Math.max(1e-12, rnd());
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
}

function cropRadius(p: PassConfig, cfg: PatchNetConfig): number {
  const s = 1 << p.level;
  const half = (p.size / 2) * (1 + cfg.scaleJitter) * Math.SQRT2;
  return Math.ceil(p.maxOffsetPx / s + half + 2);
}

/** The training batch for one step: patches [B, S, S, 1], landmark one-hots, target offsets. */
export function makeBatch(
  examples: Example[],
  p: PassConfig,
  cfg: PatchNetConfig,
  landmarkCount: number,
  rnd: RandomSource,
): { xs: Float32Array; onehot: Float32Array; targets: Float32Array } {
  const B = cfg.batch;
  const S = p.size;
  const n = S * S;
  const xs = new Float32Array(B * n);
  const onehot = new Float32Array(B * landmarkCount);
  const targets = new Float32Array(B * 2);
  const sc = 1 << p.level;
  const maxOff = p.maxOffsetPx / sc;
  const reach = cellOffset((S / HEATMAP_STRIDE) - 1, HEATMAP_STRIDE, S);
  for (let b = 0; b < B; b++) {
    const ex = examples[Math.floor(rnd() * examples.length)];
    let cx: number;
    let cy: number;
    if (rnd() < p.startShare) {
      cx = ex.start[0] + (gauss(rnd) * p.startJitterPx) / sc;
      cy = ex.start[1] + (gauss(rnd) * p.startJitterPx) / sc;
    } else {
      cx = ex.truth[0] + (gauss(rnd) * p.noisePx) / sc;
      cy = ex.truth[1] + (gauss(rnd) * p.noisePx) / sc;
    }
    let ox = cx - ex.truth[0];
    let oy = cy - ex.truth[1];
    const d = Math.hypot(ox, oy);
    if (d > maxOff) {
      ox *= maxOff / d;
      oy *= maxOff / d;
      cx = ex.truth[0] + ox;
      cy = ex.truth[1] + oy;
    }
    const angle = ((2 * rnd() - 1) * cfg.rotationDeg * Math.PI) / 180;
    const scale = Math.exp((2 * rnd() - 1) * Math.log(1 + cfg.scaleJitter));
    sampleRotated(ex.crop, cx, cy, S, scale, angle, xs, b * n);
    const gamma = Math.exp((2 * rnd() - 1) * Math.log(1 + cfg.gammaJitter));
    for (let i = 0; i < n; i++) xs[b * n + i] = Math.pow(Math.max(0, xs[b * n + i]) / 255, gamma);
    standardise(xs, b * n, n);
    // truth in the patch frame: R^T (truth - centre) / scale
    const c = Math.cos(angle);
    const s = Math.sin(angle);
    const tx = (c * -ox + s * -oy) / scale;
    const ty = (-s * -ox + c * -oy) / scale;
    targets[2 * b] = Math.max(-reach, Math.min(reach, tx));
    targets[2 * b + 1] = Math.max(-reach, Math.min(reach, ty));
    onehot[b * landmarkCount + ex.landmark] = 1;
  }
  return { xs, onehot, targets };
}

/** Cell offsets (patch px) along x and y for a flattened hm x hm heatmap. */
export function cellGrids(size: number): { gx: Float32Array; gy: Float32Array } {
  const hm = size / HEATMAP_STRIDE;
  const gx = new Float32Array(hm * hm);
  const gy = new Float32Array(hm * hm);
  for (let y = 0; y < hm; y++) {
    for (let x = 0; x < hm; x++) {
      gx[y * hm + x] = cellOffset(x, HEATMAP_STRIDE, size);
      gy[y * hm + x] = cellOffset(y, HEATMAP_STRIDE, size);
    }
  }
  return { gx, gy };
}

/** Integral-regression loss: L1 between the selected channel's soft-argmax and the target. */
export function softArgmaxLoss(
  logits: tfjs.Tensor4D,
  onehot: tfjs.Tensor2D,
  targets: tfjs.Tensor2D,
  gx: tfjs.Tensor1D,
  gy: tfjs.Tensor1D,
): tfjs.Scalar {
  const [B, h, w, L] = logits.shape;
  const sel = tf.sum(tf.mul(logits, tf.reshape(onehot, [B, 1, 1, L])), 3);
  const p = tf.softmax(tf.reshape(sel, [B, h * w]));
  const px = tf.sum(tf.mul(p, gx), 1);
  const py = tf.sum(tf.mul(p, gy), 1);
  const pred = tf.stack([px, py], 1);
  return tf.mean(tf.abs(tf.sub(pred, targets))) as tfjs.Scalar;
}

async function cutExamples(items: PatchNetItem[], cfg: PatchNetConfig, hooks: PatchNetHooks): Promise<Example[][]> {
  const perPass: Example[][] = cfg.passes.map(() => []);
  for (const [i, it] of items.entries()) {
    if (hooks.cancelled?.()) break;
    const pyr = typeof it.pyr === 'function' ? await it.pyr() : it.pyr;
    cfg.passes.forEach((p, k) => {
      const img = pyr[p.level];
      const r = cropRadius(p, cfg);
      it.truth.forEach((t, j) => {
        if (!t) return;
        const truth: Point = [toLevel(t[0], p.level), toLevel(t[1], p.level)];
        const start: Point = [toLevel(it.start[j][0], p.level), toLevel(it.start[j][1], p.level)];
        perPass[k].push({ crop: cutCrop(img, truth[0], truth[1], r), truth, start, landmark: j });
      });
    });
    hooks.log?.(`patchnet: cut patches of photo ${i + 1}/${items.length}`);
    await new Promise((r) => setImmediate(r));
  }
  return perPass;
}

export async function trainPatchNet(
  items: PatchNetItem[],
  hooks: PatchNetHooks = {},
  config: Partial<PatchNetConfig> = {},
): Promise<PatchNetModel> {
  const cfg: PatchNetConfig = { ...DEFAULT_PATCHNET, ...config };
  if (items.length === 0) throw new Error('patchnet: no training items');
  const landmarkCount = items[0].start.length;
  const examples = await cutExamples(items, cfg, hooks);
  const nets: tfjs.LayersModel[] = [];
  const total = cfg.passes.reduce((n, p) => n + p.steps, 0);
  let done = 0;
  for (const [k, p] of cfg.passes.entries()) {
    const net = buildNet({ size: p.size, width: p.width, landmarkCount }, cfg.seed + k);
    nets.push(net);
    const rnd = mulberry32(cfg.seed * 1000 + k);
    const opt = tf.train.adam(cfg.learningRate);
    const lrOf = opt as unknown as { learningRate: number };
    const grids = cellGrids(p.size);
    const gx = tf.tensor1d(grids.gx);
    const gy = tf.tensor1d(grids.gy);
    let avg = 0;
    for (let step = 0; step < p.steps; step++) {
      if (hooks.cancelled?.()) break;
      // short warm-up, then cosine decay to 5%
      lrOf.learningRate = warmCosineRate(cfg.learningRate, step, p.steps);
      const batch = makeBatch(examples[k], p, cfg, landmarkCount, rnd);
      const xs = tf.tensor4d(batch.xs, [cfg.batch, p.size, p.size, 1]);
      const oh = tf.tensor2d(batch.onehot, [cfg.batch, landmarkCount]);
      const tg = tf.tensor2d(batch.targets, [cfg.batch, 2]);
      let v: number;
      try {
        v = await optimizerStep(opt, `patchnet pass ${k + 1} step ${step + 1}`, () => softArgmaxLoss(net.apply(xs, { training: true }) as tfjs.Tensor4D, oh, tg, gx, gy));
      } finally {
        xs.dispose();
        oh.dispose();
        tg.dispose();
      }
      avg = step === 0 ? v : 0.95 * avg + 0.05 * v;
      done++;
      hooks.step?.(done, total, avg * (1 << p.level));
      if ((step + 1) % 250 === 0 || step + 1 === p.steps) hooks.log?.(`patchnet: pass ${k + 1} step ${step + 1}/${p.steps} loss ${(avg * (1 << p.level)).toFixed(1)} px (L1 per axis)`);
    }
    gx.dispose();
    gy.dispose();
    opt.dispose();
  }
  return { config: cfg, landmarkCount, nets };
}
