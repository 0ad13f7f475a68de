/**
 * Experimental: the multi-threaded SIMD build of tfjs-backend-wasm in Node.
 *
 * tfjs turns threads off in Node (WASM_HAS_MULTITHREAD_SUPPORT is false there), and its
 * threaded build could not start anyway: it hands its pthread workers `blob:` URLs, which
 * Node's worker_threads refuse. While the backend initialises, this writes the two scripts it
 * would put in blobs (the module factory and the worker) to a temp folder and hands out their
 * paths instead. The module also caps XNNPACK threads at (logical cores / 2), read from
 * os.cpus() once at start-up, which on a 2-core machine means 1: os.cpus() is padded for that
 * moment. Everything patched is restored before this returns.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import * as tf from './tf';

export const WASM_THREADS_ENV_VAR = 'LANDMARKS_WASM_THREADS';

/** Threads requested through LANDMARKS_WASM_THREADS (1 = the default single-threaded build). */
export function requestedWasmThreads(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[WASM_THREADS_ENV_VAR]?.trim();
  if (!raw) return 1;
  if (raw === 'auto') return Math.max(1, Math.min(8, Math.floor(os.cpus().length / 2) || 1));
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 8) {
    throw new Error(`${WASM_THREADS_ENV_VAR}="${raw}" must be auto or a whole number from 1 to 8`);
  }
  return n;
}

// The factory source refers to these variables of the tfjs-backend-wasm node bundle.
const FACTORY_PRELUDE =
  "var require$$0 = require('fs'), require$$1 = require('path'), require$$3 = require('perf_hooks'), " +
  "require$$4 = require('os'), commonjsGlobal = globalThis;\n";

/**
 * Runs `init` (which must call tf.setBackend('wasm')) with the threaded build enabled.
 * Returns what `init` returns.
 */
export async function withWasmThreads<T>(threads: number, init: () => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'landmarks-wasm-threads-'));
  const mainScript = path.join(dir, 'factory.js');
  const workerScript = path.join(dir, 'worker.js');
  const texts = new WeakMap<object, string>();
  const RealBlob = globalThis.Blob;
  const realCreateObjectURL = URL.createObjectURL;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const nodeOs = require('os') as typeof os;
  const realCpus = nodeOs.cpus;

  class RecordingBlob extends RealBlob {
    constructor(parts?: ConstructorParameters<typeof Blob>[0], options?: ConstructorParameters<typeof Blob>[1]) {
      super(parts ?? [], options);
      const text = (parts ?? []).map((p) => (typeof p === 'string' ? p : '')).join('');
      texts.set(this, text);
      if (text.startsWith('var WasmBackendModuleThreadedSimd')) fs.writeFileSync(mainScript, FACTORY_PRELUDE + text);
    }
  }
  globalThis.Blob = RecordingBlob as typeof Blob;
  URL.createObjectURL = (obj: Blob): string => {
    const text = texts.get(obj);
    if (text === undefined) return realCreateObjectURL(obj);
    // The worker turns the factory Blob it is sent into a URL too: point it at the file.
    const patch = `URL.createObjectURL = () => ${JSON.stringify(mainScript)}; URL.revokeObjectURL = () => {};\n`;
    fs.writeFileSync(workerScript, patch + text);
    return workerScript;
  };
  nodeOs.cpus = () => {
    const cpus = realCpus();
    return Array.from({ length: Math.max(cpus.length, 2 * threads) }, (_, i) => cpus[i % cpus.length]);
  };
  try {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
    setThreadsCount(threads);
    const result = await init();
    unrefWorkers();
    return result;
  } finally {
    globalThis.Blob = RealBlob;
    URL.createObjectURL = realCreateObjectURL;
    nodeOs.cpus = realCpus;
  }
}

interface EmscriptenThreads {
  PThread?: { runningWorkers?: { unref?: () => void }[]; unusedWorkers?: { unref?: () => void }[] };
}

/** The pool's workers wait forever; unref them so the process can still exit by itself. */
function unrefWorkers(): void {
  if (!tf.findBackend('wasm')) return;
  const module = (tf.backend() as unknown as { wasm?: EmscriptenThreads }).wasm;
  const pthreads = module?.PThread;
  for (const w of [...(pthreads?.runningWorkers ?? []), ...(pthreads?.unusedWorkers ?? [])]) w.unref?.();
}
