/**
 * The patch-refinement CNN: a small encoder-decoder (stride 2 at the input, two more stride-2
 * stages, nearest-neighbour upsampling with skips) from a size x size grey patch to one heatmap
 * logit channel per landmark at half the patch resolution. Plain convolutions and ReLUs only:
 * every kernel has a fast wasm path (src/engine/backend/wasm-kernels).
 */
import type * as tfjs from '../../backend/tf';
import * as tf from '../../backend/tf';

export interface NetShape {
  /** Patch side, pixels (a multiple of 8). */
  size: number;
  /** Channels of the first stage; later stages use 2x and 4x. */
  width: number;
  landmarkCount: number;
}

/** The heatmap is this many times smaller than the patch. */
export const HEATMAP_STRIDE = 2;

export function buildNet(shape: NetShape, seed: number): tfjs.LayersModel {
  if (shape.size % 8 !== 0) throw new Error(`patchnet: patch size ${shape.size} is not a multiple of 8`);
  const c = shape.width;
  let k = 0;
  const conv = (filters: number, kernel: number, strides: number, relu = true): tfjs.layers.Layer =>
    tf.layers.conv2d({
      filters,
      kernelSize: kernel,
      strides,
      padding: 'same',
      activation: relu ? 'relu' : 'linear',
      kernelInitializer: tf.initializers.heNormal({ seed: seed + 7919 * k++ }),
    });
  const input = tf.input({ shape: [shape.size, shape.size, 1] });
  const a = conv(c, 5, 2).apply(input) as tfjs.SymbolicTensor; // S/2
  const b = conv(2 * c, 3, 1).apply(a) as tfjs.SymbolicTensor; // S/2
  const d0 = conv(4 * c, 3, 2).apply(b) as tfjs.SymbolicTensor; // S/4
  const d = conv(4 * c, 3, 1).apply(d0) as tfjs.SymbolicTensor;
  const e0 = conv(4 * c, 3, 2).apply(d) as tfjs.SymbolicTensor; // S/8
  const e = conv(4 * c, 3, 1).apply(e0) as tfjs.SymbolicTensor;
  const up1 = tf.layers.upSampling2d({ size: [2, 2] }).apply(e) as tfjs.SymbolicTensor;
  const f = conv(2 * c, 3, 1).apply(tf.layers.concatenate().apply([up1, d]) as tfjs.SymbolicTensor) as tfjs.SymbolicTensor;
  const up2 = tf.layers.upSampling2d({ size: [2, 2] }).apply(f) as tfjs.SymbolicTensor;
  const g = conv(2 * c, 3, 1).apply(tf.layers.concatenate().apply([up2, b]) as tfjs.SymbolicTensor) as tfjs.SymbolicTensor;
  const out = conv(shape.landmarkCount, 1, 1, false).apply(g) as tfjs.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}
