/**
 * Picks and initialises the TensorFlow.js backend the engine runs on, and says why.
 *
 * auto: WebGPU (Dawn, ./webgpu.ts) on a hardware adapter, else `@tensorflow/tfjs-node-gpu` if it
 * loads and sees a GPU, else `@tensorflow/tfjs-node`, else WebAssembly (with our training
 * kernels), else the pure-JS `cpu` backend. A software WebGPU adapter is never auto's pick.
 * The env var LANDMARKS_BACKEND (auto|webgpu|native-gpu|native-cpu|wasm|cpu) overrides the choice.
 * A forced backend that fails is an error saying why; auto records every rejection.
 *
 * At most one native package is ever loaded: both register the backend named `tensorflow`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from './tf';
import type { BackendChoice, BackendName, BackendReport, WebGpuAdapterReport } from '../../shared/protocol/engine';
import { registerWasmTrainingKernels } from './wasm-kernels';
import { defaultWebGpuDriver, webGpuDecision, type WebGpuDriver } from './webgpu';
import { watchWebGpuDevice } from './webgpu-device';
import { requestedWasmThreads, WASM_THREADS_ENV_VAR, withWasmThreads } from './wasm-threads';

export const BACKEND_ENV_VAR = 'LANDMARKS_BACKEND';
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'webgpu', 'native-gpu', 'native-cpu', 'wasm', 'cpu'];
/** Auto's order. */
export const AUTO_ORDER: readonly Exclude<BackendChoice, 'auto'>[] = ['webgpu', 'native-gpu', 'native-cpu', 'wasm', 'cpu'];

/** Injected pieces (tests give a fake WebGPU adapter probe). */
export interface BackendInitOptions {
  webgpu?: WebGpuDriver;
}

const GPU_PACKAGE = '@tensorflow/tfjs-node-gpu';
const CPU_PACKAGE = '@tensorflow/tfjs-node';
const NATIVE_BACKEND = 'tensorflow';

export type Attempt = ({ ok: true; name: BackendName; reason: string } | { ok: false; name: BackendName; why: string }) & {
  /** The WebGPU adapter found, when this attempt probed one. */
  adapter?: WebGpuAdapterReport;
};

/** Native packages tried in this process, with why each failed (undefined: loaded). */
const nativeAttempts = new Map<string, string | undefined>();
/** The native package loaded in this process, if any (the two cannot coexist). */
let nativeActive: string | null = null;
let wasmPathsSet = false;

export function isBackendChoice(v: unknown): v is BackendChoice {
  return typeof v === 'string' && (BACKEND_CHOICES as readonly string[]).includes(v);
}

/** The effective choice: LANDMARKS_BACKEND wins over the argument. Throws on a bad env value. */
export function resolveBackendChoice(choice: BackendChoice, env: NodeJS.ProcessEnv = process.env): {
  choice: BackendChoice;
  source: string;
} {
  const fromEnv = env[BACKEND_ENV_VAR]?.trim();
  if (fromEnv) {
    if (!isBackendChoice(fromEnv)) {
      throw new Error(
        `${BACKEND_ENV_VAR}="${fromEnv}" is not a backend; use one of ${BACKEND_CHOICES.join(', ')}.`,
      );
    }
    return { choice: fromEnv, source: `${BACKEND_ENV_VAR}=${fromEnv}` };
  }
  return { choice, source: choice === 'auto' ? 'auto' : `setting "${choice}"` };
}

export async function initBackend(
  choice: BackendChoice = 'auto',
  log: (line: string) => void = () => undefined,
  options: BackendInitOptions = {},
): Promise<BackendReport> {
  const { choice: effective, source } = resolveBackendChoice(choice);
  const order: Exclude<BackendChoice, 'auto'>[] = effective === 'auto' ? [...AUTO_ORDER] : [effective];
  const rejected: BackendReport['rejected'] = [];
  let adapter: WebGpuAdapterReport | undefined;
  for (const candidate of order) {
    log(`backend: trying ${candidate}`);
    const attempt = await tryBackend(candidate, effective === 'auto', options);
    adapter ??= attempt.adapter;
    if (attempt.ok) {
      const report: BackendReport = {
        name: attempt.name,
        reason: effective === 'auto' ? `auto: ${attempt.reason}` : `forced by ${source}: ${attempt.reason}`,
        rejected,
        ...(adapter ? { adapter } : {}),
      };
      log(`backend: using ${report.name} (${report.reason})`);
      return report;
    }
    log(`backend: ${attempt.name} rejected: ${attempt.why}`);
    rejected.push({ name: attempt.name, why: attempt.why });
    if (effective !== 'auto') {
      throw new Error(`Backend ${candidate} (forced by ${source}) is not available: ${attempt.why}`);
    }
  }
  throw new Error(`No TensorFlow.js backend could start: ${rejected.map((r) => `${r.name}: ${r.why}`).join('; ')}`);
}

/**
 * Starts one backend (as a forced choice when `auto` is false) and says whether it runs.
 * Used by initBackend, by `cli backends`, and by the wasm fallback of WebGPU jobs.
 */
export async function tryBackend(
  choice: Exclude<BackendChoice, 'auto'>,
  auto: boolean,
  options: BackendInitOptions = {},
): Promise<Attempt> {
  switch (choice) {
    case 'webgpu':
      return tryWebGpu(auto, options.webgpu ?? defaultWebGpuDriver());
    case 'native-gpu':
      return tryNativeGpu(auto);
    case 'native-cpu':
      return tryNativeCpu();
    case 'wasm':
      return tryWasm();
    case 'cpu':
      return trySetBackend('cpu', 'cpu', 'pure JavaScript reference backend (very slow for training)');
  }
}

async function tryWebGpu(auto: boolean, driver: WebGpuDriver): Promise<Attempt> {
  const name: BackendName = 'webgpu';
  const probe = await driver.probe();
  const adapter = probe.ok ? probe.adapter : undefined;
  const decision = webGpuDecision(probe, auto);
  if (!decision.use) return { ok: false, name, why: decision.why, adapter };
  let tfName: string;
  try {
    tfName = await driver.start();
  } catch (e) {
    return { ok: false, name, why: e instanceof Error ? e.message : String(e), adapter };
  }
  const started = await trySetBackend(tfName, name, decision.reason);
  if (started.ok) watchWebGpuDevice();
  return { ...started, adapter };
}

async function tryNativeGpu(auto: boolean): Promise<Attempt> {
  const name: BackendName = 'tensorflow-gpu';
  const loaded = loadNative(GPU_PACKAGE);
  if (loaded) return { ok: false, name, why: loaded };
  const started = await trySetBackend(NATIVE_BACKEND, name, `${GPU_PACKAGE} (libtensorflow)`);
  if (!started.ok) return started;
  if (nativeUsesGpu()) return { ok: true, name, reason: `${GPU_PACKAGE} loaded and uses a CUDA GPU` };
  if (auto) {
    // The GPU build runs fine on the CPU, and tfjs-node cannot be loaded beside it.
    return {
      ok: true,
      name: 'tensorflow',
      reason: `${GPU_PACKAGE} loaded but sees no CUDA GPU; running its native CPU kernels`,
    };
  }
  return { ok: false, name, why: `${GPU_PACKAGE} loaded but sees no CUDA GPU (check the driver, CUDA 11.2, cuDNN 8.1)` };
}

async function tryNativeCpu(): Promise<Attempt> {
  const name: BackendName = 'tensorflow';
  if (nativeActive === GPU_PACKAGE && !nativeAttempts.get(GPU_PACKAGE)) {
    return trySetBackend(NATIVE_BACKEND, name, `${GPU_PACKAGE} (already loaded) on the CPU`);
  }
  const loaded = loadNative(CPU_PACKAGE);
  if (loaded) return { ok: false, name, why: loaded };
  return trySetBackend(NATIVE_BACKEND, name, `${CPU_PACKAGE} (libtensorflow, native CPU)`);
}

/** Loads a native package once; returns why it failed, or undefined when it is loaded. */
function loadNative(pkg: string): string | undefined {
  if (nativeActive && nativeActive !== pkg) {
    return `not loaded: ${nativeActive} is already loaded in this process (both register "${NATIVE_BACKEND}")`;
  }
  if (nativeAttempts.has(pkg)) return nativeAttempts.get(pkg);
  let error: string | undefined;
  try {
    // Resolved at run time from node_modules (the bundles keep native packages external),
    // registering into this engine's tfjs-core rather than a copy of its own.
    withSharedTfjs(() => require(pkg));
    nativeActive = pkg;
    if (!tf.findBackendFactory(NATIVE_BACKEND)) {
      error =
        `${pkg} loaded but registered no "${NATIVE_BACKEND}" backend in this @tensorflow/tfjs ` +
        `(${tf.version.tfjs}): it uses another tfjs copy; install matching versions`;
    }
  } catch (e) {
    // A failed require registers nothing, so the other package may still be tried.
    error = describeLoadError(pkg, e);
  }
  nativeAttempts.set(pkg, error);
  return error;
}

/** A one-line reason for a failed `require` of a native tfjs package. */
export function describeLoadError(pkg: string, e: unknown): string {
  const err = e as { code?: unknown; message?: unknown };
  const message = typeof err?.message === 'string' ? err.message : String(e);
  const first = message.split('\n')[0].trim();
  if (err?.code === 'MODULE_NOT_FOUND' && message.includes(`'${pkg}'`)) {
    return (
      `${pkg} is not installed (optional dependency: its install script downloads libtensorflow, ` +
      `which failed or was skipped)`
    );
  }
  if (/tfjs_binding\.node|native addon/i.test(message)) {
    return `${pkg} is installed but its native addon is missing (libtensorflow was not downloaded): ${first}`;
  }
  if (/libcud|libcublas|libcufft|libcurand|libcusolver|libcusparse/i.test(message)) {
    return `${pkg} needs CUDA 11.2 and cuDNN 8.1 libraries, which were not found: ${first}`;
  }
  if (/libtensorflow/i.test(message)) return `${pkg} could not load libtensorflow: ${first}`;
  return `${pkg} failed to load: ${first}`;
}

function nativeUsesGpu(): boolean {
  const backend = tf.backend() as unknown as { isUsingGpuDevice?: boolean | (() => boolean) };
  const flag = backend.isUsingGpuDevice;
  return typeof flag === 'function' ? Boolean(flag.call(backend)) : Boolean(flag);
}

async function trySetBackend(tfName: string, name: BackendName, reason: string): Promise<Attempt> {
  try {
    const ok = await tf.setBackend(tfName);
    if (!ok) return { ok: false, name, why: `tf.setBackend('${tfName}') failed to initialise` };
    await tf.ready();
    return { ok: true, name, reason };
  } catch (e) {
    return { ok: false, name, why: `${tfName} failed to initialise: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** The tfjs package names a native backend asks for, answered with this engine's namespace. */
const SHARED_TFJS_REQUESTS = new Set(['@tensorflow/tfjs', '@tensorflow/tfjs-core']);

/**
 * Runs `load` (a `require` of a native tfjs package) with `@tensorflow/tfjs` and
 * `@tensorflow/tfjs-core` answered by this engine's `tf`: the bundles (dist/tfjs.js) hold their
 * own tfjs-core, and a native package that loaded the node_modules copy would register its
 * backend where the engine never looks.
 */
export function withSharedTfjs<T>(load: () => T): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Module = require('module') as { _load: (request: string, parent: unknown, isMain: boolean) => unknown };
  const real = Module._load;
  Module._load = function (this: unknown, request: string, parent: unknown, isMain: boolean): unknown {
    if (SHARED_TFJS_REQUESTS.has(request)) return tf;
    return real.call(this, request, parent, isMain);
  };
  try {
    return load();
  } finally {
    Module._load = real;
  }
}

// esbuild.js ships the SIMD builds only (Node >= 20 and Electron always have wasm SIMD).
const WASM_BINARY = 'tfjs-backend-wasm-simd.wasm';

/**
 * Folder holding the .wasm binaries, ending in a separator: dist/wasm/ beside the bundle that
 * runs (esbuild.js copies them there), else the package's own dist/ (from source: tests, tsx).
 */
export function wasmBinariesDir(here: string = __dirname): string {
  const beside = path.join(here, 'wasm');
  if (fs.existsSync(path.join(beside, WASM_BINARY))) return beside + path.sep;
  return path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
}

async function tryWasm(): Promise<Attempt> {
  const name: BackendName = 'wasm';
  let threads = 1;
  try {
    threads = requestedWasmThreads();
    if (!wasmPathsSet) {
      setWasmPaths(wasmBinariesDir());
      wasmPathsSet = true;
    }
    registerWasmTrainingKernels();
  } catch (e) {
    return { ok: false, name, why: `wasm setup failed: ${e instanceof Error ? e.message : String(e)}` };
  }
  const start = (): Promise<Attempt> => trySetBackend('wasm', name, 'WebAssembly (XNNPACK)');
  const started = threads > 1 && !tf.findBackend('wasm') ? await withWasmThreads(threads, start) : await start();
  if (!started.ok) return started;
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  let threading = 'one thread';
  try {
    const n = getThreadsCount();
    if (n > 1) threading = `${n} threads (experimental, ${WASM_THREADS_ENV_VAR})`;
  } catch {
    // not initialised through the threaded build
  }
  return {
    ok: true,
    name,
    reason: `WebAssembly (XNNPACK, SIMD ${simd ? 'on' : 'off'}, ${threading}) with the engine's training kernels`,
  };
}
