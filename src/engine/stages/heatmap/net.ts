/**
 * The heatmap U-Net: four encoder levels (3x3 conv + ReLU twice, 2x2 max-pool), a bottleneck at
 * 1/16, and a decoder (nearest 2x upsampling, concatenation with the encoder level's output,
 * 3x3 conv + ReLU twice) up to 1/2 of the input, then a 1x1 conv to one heatmap per landmark.
 * Plain convolutions, pools and ReLUs only: every kernel has a wasm and a WebGPU path.
 */
import type * as tfjs from '../../backend/tf';
import * as tf from '../../backend/tf';

/** The heatmap is this many times smaller than the input frame. */
export const HEATMAP_STRIDE = 2;

export interface HeatmapNetShape {
  inputWidth: number;
  inputHeight: number;
  channels: number;
  landmarkCount: number;
}

export function buildHeatmapNet(shape: HeatmapNetShape, seed: number): tfjs.LayersModel {
  if (shape.inputWidth % 16 !== 0 || shape.inputHeight % 16 !== 0) {
    throw new Error(`heatmap: input ${shape.inputWidth}x${shape.inputHeight} is not a multiple of 16`);
  }
  const c = shape.channels;
  let k = 0;
  const conv = (x: tfjs.SymbolicTensor, filters: number, kernel = 3, relu = true): tfjs.SymbolicTensor =>
    tf.layers
      .conv2d({
        filters,
        kernelSize: kernel,
        padding: 'same',
        activation: relu ? 'relu' : 'linear',
        kernelInitializer: tf.initializers.heNormal({ seed: seed + 7919 * k++ }),
      })
      .apply(x) as tfjs.SymbolicTensor;
  const pool = (x: tfjs.SymbolicTensor): tfjs.SymbolicTensor => tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }).apply(x) as tfjs.SymbolicTensor;
  const up = (x: tfjs.SymbolicTensor, skip: tfjs.SymbolicTensor): tfjs.SymbolicTensor =>
    tf.layers.concatenate().apply([tf.layers.upSampling2d({ size: [2, 2] }).apply(x) as tfjs.SymbolicTensor, skip]) as tfjs.SymbolicTensor;
  const input = tf.input({ shape: [shape.inputHeight, shape.inputWidth, 1] });
  // full resolution: one conv only (the most expensive level; its detail reaches the decoder through /2)
  const e1 = conv(input, c); // 1
  const e2 = conv(conv(pool(e1), 2 * c), 2 * c); // 1/2
  const e3 = conv(conv(pool(e2), 4 * c), 4 * c); // 1/4
  const e4 = conv(conv(pool(e3), 4 * c), 4 * c); // 1/8
  const b = conv(conv(pool(e4), 4 * c), 4 * c); // 1/16: wide receptive field, tells neighbours apart
  const d4 = conv(conv(up(b, e4), 4 * c), 4 * c); // 1/8
  const d3 = conv(conv(up(d4, e3), 2 * c), 2 * c); // 1/4
  const d2 = conv(conv(up(d3, e2), 2 * c), 2 * c); // 1/2
  const out = conv(d2, shape.landmarkCount, 1, false);
  return tf.model({ inputs: input, outputs: out });
}
