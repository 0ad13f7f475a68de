/**
 * Tile for wasm as a broadcast. The shipped Tile is a generic element loop (0.6-1.7 s to tile a
 * [1,1,1,32] vector to [16,96,128,32], as batch-norm gradients do). Any tile is a broadcast
 * once each tiled axis of size d > 1 is split into [reps, d]; each broadcast axis group is then
 * materialised by an exact K=1 BatchMatMul: ones[1,B,1] @ x[P,1,Q] -> [P,B,Q].
 * Non-float32 tensors and tiny outputs keep the shipped kernel.
 */
import * as tf from '../tf';
import { shippedKernel, withScratch } from './scratch';

/** Below this many output elements the shipped loop is cheaper than the extra kernels. */
const MIN_ELEMENTS = 4096;

interface Segment {
  size: number;
  broadcast: boolean;
}

/** The output of tile(shape, reps) as merged kept / broadcast segments (sizes > 1 only). */
export function tileSegments(shape: readonly number[], reps: readonly number[]): Segment[] {
  const dims: Segment[] = [];
  shape.forEach((d, i) => {
    const r = reps[i];
    if (r > 1) dims.push({ size: r, broadcast: true });
    if (d > 1) dims.push({ size: d, broadcast: false });
  });
  const merged: Segment[] = [];
  for (const dim of dims) {
    const last = merged[merged.length - 1];
    if (last && last.broadcast === dim.broadcast) last.size *= dim.size;
    else merged.push({ ...dim });
  }
  return merged;
}

function tile(args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { x } = args.inputs as unknown as { x: tf.TensorInfo };
  const { reps } = args.attrs as unknown as tf.TileAttrs;
  const outShape = x.shape.map((d, i) => d * reps[i]);
  const outSize = outShape.reduce((a, b) => a * b, 1);
  if (x.dtype !== 'float32' || outSize < MIN_ELEMENTS || outSize === 0) {
    return shippedKernel(tf.Tile)(args) as tf.TensorInfo;
  }
  const segments = tileSegments(x.shape, reps);
  return withScratch(args.backend, (s) => {
    let current = x;
    const done = segments.map((seg) => !seg.broadcast);
    // Broadcast the smallest groups first: each step costs the size of its result.
    const order = segments
      .map((seg, i) => ({ seg, i }))
      .filter(({ seg }) => seg.broadcast)
      .sort((a, b) => a.seg.size - b.seg.size);
    for (const { seg, i } of order) {
      const before = segments.slice(0, i).reduce((p, sg, j) => p * (done[j] ? sg.size : 1), 1);
      const after = segments.slice(i + 1).reduce((p, sg, j) => p * (done[i + 1 + j] ? sg.size : 1), 1);
      const ones = s.run(tf.Fill, {}, { shape: [1, seg.size, 1], value: 1, dtype: 'float32' });
      const view = s.reshape(current, [before, 1, after]);
      current = s.run(tf.BatchMatMul, { a: ones, b: view }, { transposeA: false, transposeB: false });
      done[i] = true;
    }
    return s.reshape(current, outShape);
  });
}

export const tileConfig: tf.KernelConfig = {
  kernelName: tf.Tile,
  backendName: 'wasm',
  kernelFunc: tile as unknown as tf.KernelFunc,
};
