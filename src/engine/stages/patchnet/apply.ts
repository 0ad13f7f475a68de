/** Prediction with the patch-refinement nets: all landmarks' patches of a pass in one batch. */
import type * as tfjs from '../../backend/tf';
import * as tf from '../../backend/tf';
import { guardWebGpu } from '../../backend/webgpu-device';
import { fromLevel, toLevel, type GreyImage } from '../../imaging/grey';
import { sampleRotated, softArgmax, standardise } from './sampling';
import { HEATMAP_STRIDE } from './net';
import type { PatchNetModel } from './model';
import type { Point } from './train';

export interface PatchNetResult {
  landmarks: Point[];
  /** Per landmark: the last pass's heatmap spread (sqrt of its variance), original px. */
  doubt: number[];
  /** Per pass and landmark: spread (original px) and peak probability. */
  passes: { spreadPx: number[]; peak: number[] }[];
}

/** Async: the heatmaps are read with `await data()` (a synchronous read fails on WebGPU in Node). */
export async function applyPatchNet(model: PatchNetModel, pyr: GreyImage[], start: Point[]): Promise<PatchNetResult> {
  const L = model.landmarkCount;
  let cur: Point[] = start.map((p) => [p[0], p[1]]);
  const passes: PatchNetResult['passes'] = [];
  for (const [k, p] of model.config.passes.entries()) {
    const img = pyr[p.level];
    const S = p.size;
    const n = S * S;
    const xs = new Float32Array(L * n);
    const src = { img, x0: 0, y0: 0 };
    const centres = cur.map((q): Point => [toLevel(q[0], p.level), toLevel(q[1], p.level)]);
    centres.forEach((c, j) => {
      sampleRotated(src, c[0], c[1], S, 1, 0, xs, j * n);
      for (let i = 0; i < n; i++) xs[j * n + i] = Math.max(0, xs[j * n + i]) / 255;
      standardise(xs, j * n, n);
    });
    // (a typed array returned from tf.tidy would be walked element by element: keep it outside)
    const logits = await guardWebGpu('patch refinement', async () => {
      const input = tf.tensor4d(xs, [L, S, S, 1]);
      const out = model.nets[k].predict(input) as tfjs.Tensor4D;
      try {
        return (await out.data()) as Float32Array;
      } finally {
        input.dispose();
        out.dispose();
      }
    });
    const hm = S / HEATMAP_STRIDE;
    const sc = 1 << p.level;
    const spreadPx: number[] = [];
    const peak: number[] = [];
    cur = centres.map((c, j): Point => {
      const r = softArgmax(logits, j * hm * hm * L, hm, L, j, HEATMAP_STRIDE, S);
      spreadPx.push(r.spread * sc);
      peak.push(r.peak);
      return [fromLevel(c[0] + r.dx, p.level), fromLevel(c[1] + r.dy, p.level)];
    });
    passes.push({ spreadPx, peak });
  }
  return { landmarks: cur, doubt: passes[passes.length - 1]?.spreadPx ?? start.map(() => 0), passes };
}
