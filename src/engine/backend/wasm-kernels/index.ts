/**
 * Training kernels for the wasm backend: replacements for missing or slow shipped kernels,
 * each built from fast shipped ones. `registerWasmTrainingKernels()` is idempotent and must run
 * after @tensorflow/tfjs-backend-wasm is imported (it registers the shipped kernels).
 */
import * as tf from '../tf';
import '@tensorflow/tfjs-backend-wasm';
import { replaceKernel, restoreShipped } from './scratch';
import { conv2DBackpropFilterConfig, conv2DBackpropInputConfig } from './conv2d-backprop';
import { batchMatMulConfig } from './batch-matmul';
import { tileConfig } from './tile';
import { maxPoolGradConfig } from './max-pool-grad';

export const WASM_TRAINING_KERNELS: readonly tf.KernelConfig[] = [
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  batchMatMulConfig,
  tileConfig,
  maxPoolGradConfig,
];

/** Registers our kernels for backend 'wasm'; returns their names. */
export function registerWasmTrainingKernels(): string[] {
  for (const config of WASM_TRAINING_KERNELS) replaceKernel(config);
  return WASM_TRAINING_KERNELS.map((k) => k.kernelName);
}

/** Puts the shipped wasm kernels back (benchmarks and tests compare against them). */
export function unregisterWasmTrainingKernels(): void {
  for (const config of WASM_TRAINING_KERNELS) restoreShipped(config.kernelName);
}
