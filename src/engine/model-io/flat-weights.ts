/**
 * A tfjs network's weights as one Float32Array plus their shapes: how the stage model files
 * (patch CNN, heatmap CNN) store a net next to their JSON header.
 */
import type * as tfjs from '../backend/tf';
import * as tf from '../backend/tf';

/** All weights in one Float32Array (layer order), and their shapes. Read with `await data()` (WebGPU cannot read synchronously in Node). */
export async function flattenWeights(model: tfjs.LayersModel): Promise<{ shapes: number[][]; weights: Float32Array }> {
  const ws = model.getWeights();
  const shapes = ws.map((w) => w.shape.slice());
  const weights = new Float32Array(ws.reduce((n, w) => n + w.size, 0));
  let o = 0;
  for (const w of ws) {
    weights.set((await w.data()) as Float32Array, o);
    o += w.size;
  }
  return { shapes, weights };
}

/** Sets `model`'s weights from flattenWeights' form; `what` names the net in errors. */
export function loadWeights(model: tfjs.LayersModel, shapes: number[][], weights: Float32Array, what: string): void {
  const own = model.getWeights();
  if (own.length !== shapes.length || own.some((w, i) => w.shape.join('x') !== shapes[i].join('x'))) {
    throw new Error(`${what}: saved weights do not fit the network`);
  }
  let o = 0;
  const ts = shapes.map((s) => {
    const n = s.reduce((a, b) => a * b, 1);
    const t = tf.tensor(weights.subarray(o, o + n), s);
    o += n;
    return t;
  });
  if (o !== weights.length) throw new Error(`${what}: ${weights.length} saved weights, the network has ${o}`);
  model.setWeights(ts);
  for (const t of ts) t.dispose();
}
