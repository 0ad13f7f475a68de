/**
 * Guarding work on the WebGPU device. A WebGPU error is not an exception: a buffer bound past
 * the adapter's storage-buffer limit (128 MiB on lavapipe) or an allocation that runs out of
 * GPU memory is a validation / out-of-memory error reported on the side, the dispatch is
 * skipped, and the step silently computes on zeros. So a step runs inside error scopes, the
 * device's uncaptured errors and loss are recorded, and a model is checked against the limits
 * before it starts; each failure is a WebGpuLimitError naming the limit, which the jobs answer
 * with a fallback to wasm (./fallback.ts).
 */
import type * as tfjs from './tf';
import * as tf from './tf';
import { mib } from './webgpu';

export class WebGpuLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebGpuLimitError';
  }
}

interface GpuErrorLike {
  message: string;
}
interface GpuDeviceLike {
  limits: { maxStorageBufferBindingSize: number; maxBufferSize: number };
  lost?: Promise<{ reason?: string; message?: string }>;
  pushErrorScope?(filter: 'validation' | 'out-of-memory' | 'internal'): void;
  popErrorScope?(): Promise<GpuErrorLike | null>;
  onuncapturederror?: ((ev: { error?: GpuErrorLike }) => void) | null;
}

interface Watched {
  device: GpuDeviceLike;
  errors: string[];
  lost?: string;
}
let watched: Watched | undefined;

function currentDevice(): GpuDeviceLike | undefined {
  if (tf.getBackend() !== 'webgpu') return undefined;
  const device = (tf.backend() as unknown as { device?: GpuDeviceLike }).device;
  return device && typeof device === 'object' && device.limits ? device : undefined;
}

/** Starts recording the running webgpu device's side errors and loss (once per device). */
export function watchWebGpuDevice(): void {
  const device = currentDevice();
  if (!device || watched?.device === device) return;
  const w: Watched = { device, errors: [] };
  watched = w;
  device.onuncapturederror = (ev) => {
    if (w.errors.length < 20) w.errors.push(ev.error?.message ?? 'unknown WebGPU error');
  };
  void device.lost?.then((info) => {
    w.lost = `${info.reason ?? 'lost'}${info.message ? `: ${info.message}` : ''}`;
  });
}

/** The running device's buffer limits, or undefined when webgpu is not the backend. */
export function webGpuLimits(): { maxStorageBufferBindingSize: number; maxBufferSize: number } | undefined {
  const d = currentDevice();
  return d ? { maxStorageBufferBindingSize: d.limits.maxStorageBufferBindingSize, maxBufferSize: d.limits.maxBufferSize } : undefined;
}

/** Dawn's text with the limit it hit, in words a user can act on. */
export function limitErrorMessage(what: string, dawnMessage: string, limits?: { maxStorageBufferBindingSize: number; maxBufferSize: number }): string {
  const first = dawnMessage.split('\n')[0].trim();
  const oom = /out of memory|OutOfMemory|allocation/i.test(dawnMessage);
  const named = limits
    ? ` (this adapter: maxStorageBufferBindingSize ${mib(limits.maxStorageBufferBindingSize)}, maxBufferSize ${mib(limits.maxBufferSize)})`
    : '';
  return oom
    ? `WebGPU ran out of GPU memory during ${what}${named}: ${first}`
    : `WebGPU cannot run ${what}: a buffer exceeds the adapter's limits${named}: ${first}`;
}

/** Throws the errors and loss recorded since the last check. */
function throwRecorded(what: string): void {
  const w = watched;
  if (!w || w.device !== currentDevice()) return;
  if (w.lost) throw new WebGpuLimitError(`the WebGPU device was lost during ${what} (${w.lost})`);
  if (w.errors.length) {
    const first = w.errors[0];
    w.errors = [];
    throw new WebGpuLimitError(limitErrorMessage(what, first, w.device.limits));
  }
}

/**
 * Runs `body` (which must await its results, e.g. `await loss.data()`, so that the GPU work
 * is submitted inside) within validation and out-of-memory scopes; a WebGPU error becomes a
 * WebGpuLimitError. On any other backend it just runs `body`.
 */
export async function guardWebGpu<T>(what: string, body: () => Promise<T>): Promise<T> {
  const device = currentDevice();
  if (!device?.pushErrorScope || !device.popErrorScope) return body();
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  let result: T;
  try {
    result = await body();
  } finally {
    const validation = await device.popErrorScope();
    const oom = await device.popErrorScope();
    const e = oom ?? validation;
    if (e) throw new WebGpuLimitError(limitErrorMessage(what, e.message, device.limits));
  }
  throwRecorded(what);
  return result;
}

function product(shape: readonly (number | null)[], batch: number): number {
  return shape.reduce<number>((n, d) => n * (d === null || d < 0 ? batch : d), 1);
}

/**
 * The largest single buffer a model needs at a batch size: a weight (its gradient and
 * optimizer slots are the same size) or a layer's output (its gradient too), float32.
 */
export function largestBuffer(model: tfjs.LayersModel, batch: number): { bytes: number; what: string } {
  let best = { bytes: 0, what: 'nothing' };
  for (const layer of model.layers) {
    for (const w of layer.weights) {
      const bytes = 4 * product(w.shape, batch);
      if (bytes > best.bytes) best = { bytes, what: `weight ${w.name} [${w.shape.join('x')}]` };
    }
    const out = layer.outputShape;
    const shapes = (Array.isArray(out[0]) ? out : [out]) as (number | null)[][];
    for (const s of shapes) {
      const bytes = 4 * product(s, batch);
      if (bytes > best.bytes) best = { bytes, what: `output of ${layer.name} [${s.map((d) => d ?? batch).join('x')}]` };
    }
  }
  return best;
}

/**
 * Throws a WebGpuLimitError before any GPU work when the model at this batch size needs a
 * buffer over the running adapter's storage-buffer limit. No-op on other backends.
 */
export function assertFitsWebGpu(model: tfjs.LayersModel, batch: number, what: string): void {
  const limits = webGpuLimits();
  if (!limits || !(limits.maxStorageBufferBindingSize > 0)) return;
  const need = largestBuffer(model, batch);
  const cap = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize || Infinity);
  if (need.bytes > cap) {
    throw new WebGpuLimitError(
      `WebGPU cannot run ${what}: the ${need.what} needs a ${mib(need.bytes)} buffer at batch ${batch}, ` +
        `over this adapter's maxStorageBufferBindingSize of ${mib(limits.maxStorageBufferBindingSize)} ` +
        `(a smaller input size or batch size fits)`,
    );
  }
}
