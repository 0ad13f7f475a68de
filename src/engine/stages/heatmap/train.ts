/**
 * Training of the heatmap net: a custom loop of Adam steps on random batches of whole photos,
 * each warped (zoom, rotation, shift, a mirror only with landmark flip pairs) and re-exposed
 * (gamma, contrast, brightness, noise) afresh, against Gaussian target maps. Losses are read with
 * `await data()` (WebGPU in Node cannot read synchronously).
 */
import type * as tfjs from '../../backend/tf';
import * as tf from '../../backend/tf';
import { optimizerStep, warmCosineRate } from '../../train/step';
import { mulberry32 } from '../../../shared/augment/rng';
import { applyHeatmapMany } from './apply';
import type { HeatmapConfig } from './config';
import { inputToCell } from './decode';
import { normalise, toInput, type HeatmapInput } from './input';
import type { HeatmapModel } from './model';
import { buildHeatmapNet, HEATMAP_STRIDE } from './net';

export interface HeatmapItem {
  input: HeatmapInput;
  /** Per landmark, original photo px; null = missing (not trained on). */
  truth: ([number, number] | null)[];
}

export interface HeatmapHooks {
  cancelled?(): boolean;
  step?(done: number, total: number, metrics?: { trainLoss?: number; valErrorPx?: number }): void;
  log?(m: string): void;
}

export interface HeatmapBatch {
  /** [batch, H, W, 1], normalised. */
  xs: Float32Array;
  /** [batch, K, H/2 * W/2] Gaussian targets, each summing to 1 (a spatial distribution). */
  targets: Float32Array;
  /** [batch, K]: 1 where the landmark is known and inside the warped frame. */
  mask: Float32Array;
}

/** Gaussian N(0, 1) from two uniforms. */
function gauss(rnd: () => number): number {
  return Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
}

/** One augmented batch; exported for the unit test (targets must sit on the warped landmarks). */
export function makeHeatmapBatch(items: HeatmapItem[], landmarkCount: number, cfg: HeatmapConfig, rnd: () => number, augment = true): HeatmapBatch {
  const W = cfg.inputWidth;
  const H = cfg.inputHeight;
  const w = W / HEATMAP_STRIDE;
  const h = H / HEATMAP_STRIDE;
  const K = landmarkCount;
  const B = cfg.batch;
  const a = cfg.augment;
  const xs = new Float32Array(B * W * H);
  const targets = new Float32Array(B * w * h * K);
  const mask = new Float32Array(B * K);
  const warped = new Float32Array(W * H);
  const u = (r: number): number => (2 * rnd() - 1) * r;
  const radius = Math.ceil(3 * cfg.sigmaPx);
  for (let b = 0; b < B; b++) {
    const item = items[Math.floor(rnd() * items.length)];
    const img = item.input.image;
    if (img.width !== W || img.height !== H) throw new Error(`heatmap: input ${img.width}x${img.height}, the config says ${W}x${H}`);
    const s = augment ? 1 + u(a.scale) : 1;
    const th = augment ? (u(a.rotationDeg) * Math.PI) / 180 : 0;
    const tx = augment ? u(a.shift) * W : 0;
    const ty = augment ? u(a.shift) * H : 0;
    const flip = augment && !!a.flipPairs && a.flipPairs.length > 0 && rnd() < 0.5;
    const cx = (W - 1) / 2;
    const cy = (H - 1) / 2;
    const cos = Math.cos(th);
    const sin = Math.sin(th);
    // frame px p -> warped px q = c + t + s R (F(p) - c); sampling uses the inverse
    const forward = (x: number, y: number): [number, number] => {
      const fx = (flip ? W - 1 - x : x) - cx;
      const fy = y - cy;
      return [cx + tx + s * (cos * fx - sin * fy), cy + ty + s * (sin * fx + cos * fy)];
    };
    let mean = 0;
    for (let i = 0; i < img.data.length; i++) mean += img.data[i];
    mean /= img.data.length;
    const g = augment ? 1 + u(a.gamma) : 1;
    for (let qy = 0; qy < H; qy++) {
      for (let qx = 0; qx < W; qx++) {
        const dx = (qx - cx - tx) / s;
        const dy = (qy - cy - ty) / s;
        let px = cx + cos * dx + sin * dy;
        const py = cy - sin * dx + cos * dy;
        if (flip) px = W - 1 - px;
        let v = mean;
        if (px >= 0 && py >= 0 && px <= W - 1 && py <= H - 1) {
          const x0 = Math.min(W - 2, Math.floor(px));
          const y0 = Math.min(H - 2, Math.floor(py));
          const fx = px - x0;
          const fy = py - y0;
          const o = y0 * W + x0;
          const d = img.data;
          v = (1 - fy) * ((1 - fx) * d[o] + fx * d[o + 1]) + fy * ((1 - fx) * d[o + W] + fx * d[o + W + 1]);
        }
        warped[qy * W + qx] = g === 1 ? v : 255 * Math.pow(Math.min(1, Math.max(0, v / 255)), g);
      }
    }
    const x = xs.subarray(b * W * H, (b + 1) * W * H);
    normalise(warped, x);
    if (augment) {
      const c = 1 + u(a.contrast);
      const br = u(a.brightness);
      for (let i = 0; i < x.length; i++) x[i] = x[i] * c + br + a.noise * gauss(rnd);
    }
    // a mirror swaps the paired landmarks' roles
    const source = Array.from({ length: K }, (_, k) => k);
    if (flip) for (const [p, q] of a.flipPairs ?? []) [source[p], source[q]] = [source[q], source[p]];
    for (let k = 0; k < K; k++) {
      const t = item.truth[source[k]];
      if (!t) continue;
      const [ix, iy] = toInput(item.input, t[0], t[1]);
      const [qx, qy] = forward(ix, iy);
      const hx = inputToCell(qx);
      const hy = inputToCell(qy);
      if (hx < 0 || hy < 0 || hx > w - 1 || hy > h - 1) continue;
      mask[b * K + k] = 1;
      const base = (b * K + k) * w * h;
      let sum = 0;
      for (let yy = Math.max(0, Math.floor(hy) - radius); yy <= Math.min(h - 1, Math.ceil(hy) + radius); yy++) {
        for (let xx = Math.max(0, Math.floor(hx) - radius); xx <= Math.min(w - 1, Math.ceil(hx) + radius); xx++) {
          const d2 = (xx - hx) * (xx - hx) + (yy - hy) * (yy - hy);
          const v = Math.exp(-d2 / (2 * cfg.sigmaPx * cfg.sigmaPx));
          targets[base + yy * w + xx] = v;
          sum += v;
        }
      }
      for (let i = base; i < base + w * h; i++) targets[i] /= sum;
    }
  }
  return { xs, targets, mask };
}

/** Mean distance, original px, between predictions and the known truths. */
export async function heatmapErrorPx(model: HeatmapModel, items: HeatmapItem[]): Promise<number> {
  const preds = await applyHeatmapMany(model, items.map((i) => i.input));
  let sum = 0;
  let n = 0;
  items.forEach((it, i) =>
    it.truth.forEach((t, k) => {
      if (!t) return;
      const p = preds[i].landmarks[k];
      sum += Math.hypot(p[0] - t[0], p[1] - t[1]);
      n++;
    }),
  );
  return n > 0 ? sum / n : NaN;
}

/**
 * Trains a fresh net; undefined when cancelled. With `validation`, reports the mean error there
 * (original px) about every 10% of the steps and at the end.
 */
export async function trainHeatmap(
  items: HeatmapItem[],
  landmarkCount: number,
  cfg: HeatmapConfig,
  hooks: HeatmapHooks = {},
  validation?: HeatmapItem[],
): Promise<HeatmapModel | undefined> {
  if (items.length === 0) throw new Error('heatmap: no training items');
  const net = buildHeatmapNet({ inputWidth: cfg.inputWidth, inputHeight: cfg.inputHeight, channels: cfg.channels, landmarkCount }, cfg.seed);
  const model: HeatmapModel = { config: cfg, landmarkCount, net };
  const rnd = mulberry32(cfg.seed * 7777 + 1);
  const opt = tf.train.adam(cfg.learningRate);
  const lrOf = opt as unknown as { learningRate: number };
  const w = cfg.inputWidth / HEATMAP_STRIDE;
  const h = cfg.inputHeight / HEATMAP_STRIDE;
  const every = Math.max(1, Math.round(cfg.steps / 10));
  let avg = NaN;
  try {
    for (let step = 0; step < cfg.steps; step++) {
      if (hooks.cancelled?.()) {
        net.dispose();
        return undefined;
      }
      // short warm-up, then cosine decay to 5%
      lrOf.learningRate = warmCosineRate(cfg.learningRate, step, cfg.steps);
      const batch = makeHeatmapBatch(items, landmarkCount, cfg, rnd);
      const xs = tf.tensor4d(batch.xs, [cfg.batch, cfg.inputHeight, cfg.inputWidth, 1]);
      const tg = tf.tensor3d(batch.targets, [cfg.batch, landmarkCount, h * w]);
      const mk = tf.tensor3d(batch.mask, [cfg.batch, landmarkCount, 1]);
      let v: number;
      try {
        v = await optimizerStep(opt, `heatmap step ${step + 1}`, () => {
          const out = net.apply(xs, { training: true }) as tfjs.Tensor4D;
          // cross-entropy of each landmark's spatial softmax against its normalised Gaussian:
          // unlike MSE on mostly-zero maps it cannot settle at an all-zero answer first
          const logits = tf.transpose(tf.reshape(out, [cfg.batch, h * w, landmarkCount]), [0, 2, 1]);
          const logp = tf.logSoftmax(logits);
          return tf.div(tf.neg(tf.sum(tf.mul(tf.mul(mk, tg), logp))), tf.add(1e-6, tf.sum(mk)));
        });
      } finally {
        xs.dispose();
        tg.dispose();
        mk.dispose();
      }
      avg = step === 0 ? v : 0.95 * avg + 0.05 * v;
      let valErrorPx: number | undefined;
      if (validation && validation.length > 0 && ((step + 1) % every === 0 || step + 1 === cfg.steps)) {
        valErrorPx = await heatmapErrorPx(model, validation);
      }
      hooks.step?.(step + 1, cfg.steps, { trainLoss: avg, valErrorPx });
      if ((step + 1) % every === 0 || step + 1 === cfg.steps) {
        hooks.log?.(`heatmap: step ${step + 1}/${cfg.steps} loss ${avg.toExponential(3)}${valErrorPx !== undefined ? ` validation ${valErrorPx.toFixed(1)} px` : ''}`);
      }
    }
  } finally {
    opt.dispose();
  }
  return model;
}
