/**
 * When a job hits a WebGPU limit (a buffer over the adapter's storage-buffer limit, GPU memory
 * exhausted, the device lost), it runs again from the start on wasm, with wasm's defaults,
 * instead of failing; the engine returns to WebGPU for the next job. The log says what limit
 * was hit and that wasm ran.
 */
import type { JobEnv } from '../env';
import { tryBackend } from './init';
import * as tf from './tf';
import { WebGpuLimitError } from './webgpu-device';

export async function withWasmFallback<T>(env: JobEnv, what: string, run: (env: JobEnv) => Promise<T>): Promise<T> {
  try {
    return await run(env);
  } catch (e) {
    if (!(e instanceof WebGpuLimitError) || env.backend !== 'webgpu' || env.cancel.cancelled) throw e;
    env.log(`warning: ${e.message}`);
    env.log(`${what}: running it again on wasm (WebAssembly on the CPU, slower) with wasm's defaults`);
    const wasm = await tryBackend('wasm', false);
    if (!wasm.ok) throw new Error(`${e.message}; the wasm fallback did not start either: ${wasm.why}`);
    try {
      return await run({ ...env, backend: 'wasm' });
    } finally {
      let back = false;
      try {
        back = await tf.setBackend('webgpu');
      } catch {
        back = false;
      }
      if (!back) env.log('warning: WebGPU did not come back after the fallback: this engine stays on wasm until it restarts');
    }
  }
}
