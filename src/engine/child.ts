/**
 * The engine child process (esbuild entry `engine` -> dist/engine.js). Forked by the extension
 * (or a test), it speaks src/shared/protocol/engine.ts over process.send / process.on('message'):
 *  - starts the backend (env LANDMARKS_BACKEND, or `--backend <choice>`), sends 'ready' with the
 *    BackendReport (or an 'error' with id "engine" and exits 1 when no backend starts);
 *  - runs one job at a time: a request while a job runs gets an 'error' naming the running job;
 *  - 'cancel' with the job's id stops it at the next batch/image (training keeps its best model);
 *  - 'shutdown' exits once the running job (if any) has stopped;
 *  - an uncaught error becomes an 'error' event (for the running job, else id "engine").
 */
import type { BackendChoice, EngineEvent, EngineRequest } from '../shared/protocol/engine';
import { initBackend, isBackendChoice } from './backend/init';
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

let current: { id: string; kind: string; cancel: CancelSource } | undefined;
let shuttingDown = false;

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
    send({ type: 'ready', backend: report, pid: process.pid });
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
      send({ type: 'error', id: req.id, message: `the engine is busy with ${current.kind} job ${current.id}; one job at a time (cancel it or wait)` });
      return;
    }
    const cancel = new CancelSource();
    current = { id: req.id, kind: req.type, cancel };
    const env: JobEnv = {
      tf,
      backend,
      cancel,
      progress: (progress) => send({ type: 'progress', id: req.id, progress }),
      log: (m) => log(m, 'info', req.id),
    };
    runJob(req, env).then(
      (result) => send({ type: 'result', id: req.id, result }),
      (e: unknown) => {
        if (e instanceof WebAssembly.RuntimeError) {
          // The wasm heap (4 GB at most, never shrinks) is exhausted or corrupt: say so and exit,
          // so that the caller's next job gets a fresh engine.
          send({
            type: 'error',
            id: req.id,
            message: `the engine ran out of WebAssembly memory (${e.message}); try a smaller input size or batch size. The engine restarts.`,
            detail: e.stack,
          });
          setTimeout(() => process.exit(1), 100);
          return;
        }
        send({ type: 'error', id: req.id, ...errorDetail(e) });
      },
    ).finally(() => {
      current = undefined;
      if (shuttingDown) process.exit(0);
    });
  });
}

void main();
