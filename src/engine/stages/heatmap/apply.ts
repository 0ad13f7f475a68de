/** Runs the heatmap net on photos and decodes every landmark to original photo pixels. */
import type * as tfjs from '../../backend/tf';
import * as tf from '../../backend/tf';
import { guardWebGpu } from '../../backend/webgpu-device';
import { cellToInput, decodePeak } from './decode';
import { normalise, toOriginal, type HeatmapInput } from './input';
import type { HeatmapModel } from './model';
import { HEATMAP_STRIDE } from './net';

export interface HeatmapPrediction {
  /** Original photo pixels, origin top-left, y down. */
  landmarks: [number, number][];
  /** Per landmark, original px: the heatmap's spread around its peak; larger = less sure. */
  doubt: number[];
}

/** Raw maps for several inputs at once (NHWC, read with await data() so WebGPU works). */
export async function heatmapsOf(net: tfjs.LayersModel, inputs: HeatmapInput[]): Promise<Float32Array> {
  const { width: w, height: h } = inputs[0].image;
  const xs = new Float32Array(inputs.length * w * h);
  inputs.forEach((inp, i) => normalise(inp.image.data, xs.subarray(i * w * h, (i + 1) * w * h)));
  return guardWebGpu('heatmap prediction', async () => {
    // each landmark's map as a spatial softmax (what training fits to the Gaussian), back to NHWC
    const out = tf.tidy(() => {
      const o = net.predict(tf.tensor4d(xs, [inputs.length, h, w, 1])) as tfjs.Tensor4D;
      const [n, hh, ww, k] = o.shape;
      const p = tf.softmax(tf.transpose(tf.reshape(o, [n, hh * ww, k]), [0, 2, 1]));
      return tf.transpose(p, [0, 2, 1]);
    });
    try {
      return (await out.data()) as Float32Array;
    } finally {
      out.dispose();
    }
  });
}

export function decodeAll(maps: Float32Array, index: number, input: HeatmapInput, landmarkCount: number): HeatmapPrediction {
  const w = input.image.width / HEATMAP_STRIDE;
  const h = input.image.height / HEATMAP_STRIDE;
  const base = index * w * h * landmarkCount;
  const landmarks: [number, number][] = [];
  const doubt: number[] = [];
  for (let k = 0; k < landmarkCount; k++) {
    const p = decodePeak(maps, base, w, h, landmarkCount, k);
    landmarks.push(toOriginal(input, cellToInput(p.x), cellToInput(p.y)));
    doubt.push((p.spread * HEATMAP_STRIDE) / input.scale);
  }
  return { landmarks, doubt };
}

export async function applyHeatmap(model: HeatmapModel, input: HeatmapInput): Promise<HeatmapPrediction> {
  return (await applyHeatmapMany(model, [input]))[0];
}

/** Several photos per forward pass (faster on every backend). */
export async function applyHeatmapMany(model: HeatmapModel, inputs: HeatmapInput[], chunk = 8): Promise<HeatmapPrediction[]> {
  const res: HeatmapPrediction[] = [];
  for (let i = 0; i < inputs.length; i += chunk) {
    const part = inputs.slice(i, i + chunk);
    const maps = await heatmapsOf(model.net, part);
    part.forEach((inp, j) => res.push(decodeAll(maps, j, inp, model.landmarkCount)));
  }
  return res;
}
