/**
 * The engine child process (dist/engine.js starts it: esbuild.js). Forked by the extension
 * (or a test), it speaks src/shared/protocol/engine.ts over process.send / process.on('message'):
 *  - starts the backend (env LANDMARKS_BACKEND, or `--backend <choice>`), sends 'ready' with the
 *    BackendReport and each preset's defaults on that backend (or an 'error' with id "engine"
 *    and exits 1 when no backend starts);
 *  - runs one job at a time: a request while a job runs gets an 'error' of kind 'busy' naming
 *    the running job, its start and ETA;
 *  - 'cancel' with the job's id stops it at the next batch/image (training keeps its best model);
 *    a cancelled job that ends by throwing is reported as an 'error' of kind 'cancelled';
 *  - 'shutdown' exits once the running job (if any) has stopped;
 *  - an uncaught error becomes an 'error' event (for the running job, else id "engine").
 */
import type { BackendChoice, BackendName, EngineEvent, EngineJobKind, EngineRequest, PresetInfo } from '../shared/protocol/engine';
import { initBackend, isBackendChoice } from './backend/init';
import { getPreset, presetNames } from './presets';
import * as tf from './backend/tf';
import { CancelSource, type JobEnv } from './env';
import { isJobRequest, runJob } from './jobs';

function send(ev: EngineEvent): void {
  if (process.send && process.connected) process.send(ev);
  else if (ev.type === 'error' || ev.type === 'log') process.stderr.write(`${JSON.stringify(ev)}\n`);
}

function log(message: string, level: 'info' | 'warn' | 'error' = 'info', id?: string): void {
  send({ type: 'log', level, message, ...(id ? { id } : {}) });
}

function backendFromArgv(argv: string[]): BackendChoice {
  const i = argv.indexOf('--backend');
  const v = i >= 0 ? argv[i + 1] : undefined;
  if (v === undefined) return 'auto';
  if (!isBackendChoice(v)) throw new Error(`--backend ${v}: not a backend (auto, native-gpu, native-cpu, wasm, cpu)`);
  return v;
}

interface RunningJob {
  id: string;
  kind: EngineJobKind;
  started: number;
  /** From the job's last progress that had one, and when that progress came. */
  eta?: { seconds: number; at: number };
  cancel: CancelSource;
}

let current: RunningJob | undefined;
let shuttingDown = false;

/** Each preset's defaults on the backend that runs, for callers to say what will run. */
function presetInfos(backend: BackendName): PresetInfo[] {
  return presetNames().map((name) => {
    const p = getPreset(name);
    const d = p.defaults(backend);
    return {
      name,
      description: p.description,
      defaults: { inputSize: d.inputSize, epochs: d.epochs, batchSize: d.batchSize, validationSplit: d.validationSplit },
      uses: [...p.uses],
      ...(p.options ? { options: p.options() } : {}),
    };
  });
}

/** Node has WebAssembly but its types live in the DOM lib, which the Node-side typecheck leaves out. */
const WasmRuntimeError = (globalThis as unknown as { WebAssembly: { RuntimeError: ErrorConstructor } }).WebAssembly.RuntimeError;

function errorDetail(e: unknown): { message: string; detail?: string } {
  if (e instanceof Error) return { message: e.message, detail: e.stack };
  return { message: String(e) };
}

async function main(): Promise<void> {
  if (!process.send) {
    process.stderr.write('dist/engine.js is the engine child process: fork it with an IPC channel (the CLI is dist/cli.js)\n');
    process.exit(2);
  }
  process.on('uncaughtException', (e) => {
    send({ type: 'error', id: current?.id ?? 'engine', ...errorDetail(e) });
    process.exitCode = 1;
    setTimeout(() => process.exit(1), 100);
  });
  process.on('unhandledRejection', (e) => {
    send({ type: 'error', id: current?.id ?? 'engine', ...errorDetail(e) });
  });
  process.on('disconnect', () => process.exit(0));

  let backendName;
  try {
    const report = await initBackend(backendFromArgv(process.argv.slice(2)), (m) => log(m));
    backendName = report.name;
    send({ type: 'ready', backend: report, pid: process.pid, presets: presetInfos(report.name) });
  } catch (e) {
    send({ type: 'error', id: 'engine', ...errorDetail(e) });
    setTimeout(() => process.exit(1), 100);
    return;
  }
  const backend = backendName;

  process.on('message', (raw: unknown) => {
    const req = raw as EngineRequest;
    if (!req || typeof req !== 'object' || typeof (req as { type?: unknown }).type !== 'string') {
      log(`ignored a message that is not a request: ${JSON.stringify(raw)}`, 'warn');
      return;
    }
    if (req.type === 'shutdown') {
      shuttingDown = true;
      if (current) current.cancel.cancel();
      else process.exit(0);
      return;
    }
    if (req.type === 'cancel') {
      if (current && current.id === req.id) {
        current.cancel.cancel();
        log(`cancelling ${current.kind} job ${req.id}`, 'info', req.id);
      } else log(`cancel ${req.id}: no such running job`, 'warn', req.id);
      return;
    }
    if (!isJobRequest(req)) return;
    if (current) {
      const { id, kind, started, eta } = current;
      const etaSeconds = eta ? Math.max(0, Math.round(eta.seconds - (Date.now() - eta.at) / 1000)) : undefined;
      send({
        type: 'error',
        id: req.id,
        kind: 'busy',
        busy: { id, kind, started, ...(etaSeconds !== undefined ? { etaSeconds } : {}) },
        message: `the engine is busy with ${kind} job ${id}; one job at a time (wait for it to end, or cancel it)`,
      });
      return;
    }
    const cancel = new CancelSource();
    const job: RunningJob = { id: req.id, kind: req.type, started: Date.now(), cancel };
    current = job;
    const env: JobEnv = {
      tf,
      backend,
      cancel,
      progress: (progress) => {
        // Kept for the busy answer: a refused request is told when this job should end.
        if (progress.etaSeconds !== undefined) job.eta = { seconds: progress.etaSeconds, at: Date.now() };
        send({ type: 'progress', id: req.id, progress });
      },
      log: (m) => log(m, 'info', req.id),
    };
    runJob(req, env).then(
      (result) => send({ type: 'result', id: req.id, result }),
      (e: unknown) => {
        if (e instanceof WasmRuntimeError) {
          // The wasm heap (4 GB at most, never shrinks) is exhausted or corrupt: say so and exit,
          // so that the caller's next job gets a fresh engine.
          send({
            type: 'error',
            id: req.id,
            kind: 'failed',
            message: `the engine ran out of WebAssembly memory (${e.message}); try a smaller input size or batch size. The engine restarts.`,
            detail: e.stack,
          });
          setTimeout(() => process.exit(1), 100);
          return;
        }
        // A job that stops by throwing after a cancel request was cancelled, whatever its message
        // says: the caller is told so by the kind, not by the words.
        if (cancel.cancelled) {
          send({ type: 'error', id: req.id, kind: 'cancelled', ...errorDetail(e) });
          return;
        }
        send({ type: 'error', id: req.id, kind: 'failed', ...errorDetail(e) });
      },
    ).finally(() => {
      current = undefined;
      if (shuttingDown) process.exit(0);
    });
  });
}

/** Starts the engine child: listens on the IPC channel until told to shut down. */
export function runEngineChild(): void {
  void main();
}
