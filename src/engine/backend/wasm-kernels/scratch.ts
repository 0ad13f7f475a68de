/**
 * Helpers for kernels built out of other wasm kernels: run a shipped kernel by name on the
 * backend's own tensors (no tape, no engine bookkeeping) and free the intermediates.
 */
import * as tf from '../tf';

export const WASM = 'wasm';

/** Shipped kernels we replaced, kept so our replacements can still call them (null: none shipped). */
const shipped = new Map<string, tf.KernelConfig | null>();

/** The shipped wasm kernel function, even where we registered a replacement. */
export function shippedKernel(kernelName: string): tf.KernelFunc {
  const saved = shipped.get(kernelName);
  if (saved) return saved.kernelFunc;
  const config = saved === null ? undefined : tf.getKernel(kernelName, WASM);
  if (!config) throw new Error(`wasm ships no ${kernelName} kernel (or @tensorflow/tfjs-backend-wasm is not loaded)`);
  return config.kernelFunc;
}

/** Runs shipped kernels and disposes every intermediate except those `keep`-ed. */
export class Scratch {
  private readonly owned: tf.TensorInfo[] = [];

  constructor(private readonly backend: tf.KernelBackend) {}

  run(kernelName: string, inputs: Record<string, tf.TensorInfo>, attrs: tf.NamedAttrMap = {}): tf.TensorInfo {
    const out = shippedKernel(kernelName)({ inputs, backend: this.backend, attrs });
    if (Array.isArray(out)) throw new Error(`wasm kernel ${kernelName} returned several outputs`);
    this.owned.push(out);
    return out;
  }

  transpose(x: tf.TensorInfo, perm: number[]): tf.TensorInfo {
    return this.run(tf.Transpose, { x }, { perm });
  }

  reshape(x: tf.TensorInfo, shape: number[]): tf.TensorInfo {
    return this.run(tf.Reshape, { x }, { shape });
  }

  slice(x: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo {
    return this.run(tf.Slice, { x }, { begin, size });
  }

  /** Hands `t` to the caller: it is not disposed by `dispose()`. */
  keep(t: tf.TensorInfo): tf.TensorInfo {
    const i = this.owned.lastIndexOf(t);
    if (i >= 0) this.owned.splice(i, 1);
    return t;
  }

  dispose(): void {
    for (const t of this.owned) this.backend.disposeData(t.dataId);
    this.owned.length = 0;
  }
}

/** Runs `body` with a scratch area; the returned tensor is kept, everything else freed. */
export function withScratch(backend: tf.KernelBackend, body: (s: Scratch) => tf.TensorInfo): tf.TensorInfo {
  const s = new Scratch(backend);
  try {
    return s.keep(body(s));
  } finally {
    s.dispose();
  }
}

/** Registers `config` for wasm, replacing (and remembering) the shipped kernel if there is one. */
export function replaceKernel(config: tf.KernelConfig): void {
  const existing = tf.getKernel(config.kernelName, WASM);
  if (existing?.kernelFunc === config.kernelFunc) return; // already ours
  if (!shipped.has(config.kernelName)) shipped.set(config.kernelName, existing ?? null);
  if (existing) tf.unregisterKernel(config.kernelName, WASM);
  const original = shipped.get(config.kernelName);
  tf.registerKernel({
    ...config,
    backendName: WASM,
    // Keep the shipped setup (it binds the wasm function our replacement may still call).
    setupFunc: config.setupFunc ?? original?.setupFunc,
  });
}

/** Puts the shipped kernel back (or none, where wasm ships none). For benchmarks and tests. */
export function restoreShipped(kernelName: string): void {
  if (!shipped.has(kernelName)) return;
  if (tf.getKernel(kernelName, WASM)) tf.unregisterKernel(kernelName, WASM);
  const original = shipped.get(kernelName);
  if (original) tf.registerKernel(original);
}

export function checkChannelsLast(kernelName: string, dataFormat: string | undefined): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') {
    throw new Error(`${kernelName} on wasm supports only NHWC (channelsLast) data, not ${dataFormat}`);
  }
}
