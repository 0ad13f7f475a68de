/**
 * The extension side of the engine protocol: forks dist/engine.js, waits for `ready`, sends typed
 * requests, streams their progress, cancels, shuts down. A crash, out-of-memory or kill of the
 * child is turned into an EngineCrashError for every job in flight; it never throws out of an
 * event handler, so it cannot take the extension host down.
 *
 * No vscode import: the VS Code glue (output channel, status bar) lives in workbench/, and this
 * module is unit-tested with a fake engine script.
 */
import { fork, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import {
  isEngineEvent,
  type BackendChoice,
  type BackendReport,
  type BusyInfo,
  type EngineJobKind,
  type PresetInfo,
  type EngineEvent,
  type EngineProgress,
  type EngineRequest,
  type EngineResult,
  type EvaluateOptions,
  type EvaluateResult,
  type FinetuneOptions,
  type FinetuneResult,
  type PredictOptions,
  type PredictResult,
  type RoundsOptions,
  type RoundsResult,
  type TrainOptions,
  type TrainResult,
} from '../shared/protocol/engine';

export type EngineLogLevel = 'info' | 'warn' | 'error';

export interface EngineClientOptions {
  /** Path of the engine bundle (dist/engine.js). */
  enginePath: string;
  /** Backend the user asked for (setting landmarks.engine.backend), passed as LANDMARKS_BACKEND. */
  backend?: BackendChoice;
  /** Receives every log line: the engine's `log` events and its stderr/stdout. */
  onLog?: (level: EngineLogLevel, message: string) => void;
  /** Called when the number of running jobs changes (status bar). */
  onBusyChange?: (jobs: RunningJobInfo[]) => void;
  /** Milliseconds to wait for `ready` (default 120 s: loading tfjs/wasm can be slow on 2 cores). */
  readyTimeoutMs?: number;
  /** Extra environment for the child. */
  env?: Record<string, string>;
  /** Working directory of the child. */
  cwd?: string;
}

export type JobKind = EngineJobKind;

/** Jobs that train models: one at a time per workspace. */
export function isTrainingKind(kind: JobKind): boolean {
  return kind === 'train' || kind === 'rounds' || kind === 'finetune';
}

export interface RunningJobInfo {
  id: string;
  kind: JobKind;
  started: number;
  /** Last progress seen. */
  progress?: EngineProgress;
}

export interface JobHandlers {
  onProgress?: (p: EngineProgress) => void;
}

/** The child process died (crash, out of memory, killed) while jobs were running or starting. */
export class EngineCrashError extends Error {
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly signal: NodeJS.Signals | null,
    readonly stderrTail: string[],
    readonly hint: string,
  ) {
    super(message);
    this.name = 'EngineCrashError';
  }
}

/** The engine answered the request with an `error` event. */
export class EngineJobError extends Error {
  constructor(message: string, readonly detail?: string) {
    super(message);
    this.name = 'EngineJobError';
  }
}

/**
 * A request refused because another job runs (here, before it reached the engine, or by the
 * engine itself). `running` says which job, since when and, when known, its ETA, so a caller can
 * offer to wait for it instead of failing.
 */
export class EngineBusyError extends Error {
  constructor(message: string, readonly running?: BusyInfo) {
    super(message);
    this.name = 'EngineBusyError';
  }
}

/**
 * The job was cancelled on request (the user's Cancel, or a cancel before it started). Its
 * promise rejects with this class, never with a message to read: callers test `instanceof`.
 */
export class EngineCancelledError extends Error {
  constructor(message: string, readonly kind: JobKind) {
    super(message);
    this.name = 'EngineCancelledError';
  }
}

export interface EngineJob<R extends EngineResult> {
  id: string;
  kind: JobKind;
  result: Promise<R>;
  cancel(): void;
}

interface Pending {
  info: RunningJobInfo;
  /** The request reached the engine (false while the engine starts). */
  sent: boolean;
  handlers: JobHandlers;
  resolve(r: EngineResult): void;
  reject(e: Error): void;
}

const STDERR_KEEP = 30;

function busyInfo(j: RunningJobInfo): BusyInfo {
  const eta = j.progress?.etaSeconds;
  return { id: j.id, kind: j.kind, started: j.started, ...(eta !== undefined ? { etaSeconds: eta } : {}) };
}

/** Node flags that must not reach the child (a second inspector on the same port fails). */
export function childExecArgv(parentExecArgv: readonly string[]): string[] {
  return parentExecArgv.filter((a) => !/^--(inspect|debug)(-brk|-port|-publish-uid)?(=|$)/.test(a));
}

/** What a dead child most likely means, for the person reading the message. */
export function crashHint(code: number | null, signal: NodeJS.Signals | null, stderr: readonly string[]): string {
  const text = stderr.join('\n');
  if (/heap out of memory|Allocation failed|ENOMEM|out of memory|std::bad_alloc/i.test(text)) {
    return 'The engine ran out of memory: try a smaller input size or batch size, or fewer images.';
  }
  if (signal === 'SIGKILL') {
    return 'The engine was killed (SIGKILL), often by the system for using too much memory: try a smaller input size or batch size.';
  }
  if (signal) return `The engine was stopped by ${signal}. Run the command again; see "Landmarks: Show engine log" for details.`;
  if (/Cannot find module/.test(text)) {
    return 'The engine could not load a module: run `npm install` and `npm run build` in the extension folder.';
  }
  return `The engine exited with code ${code ?? 'unknown'}. Run the command again; the engine log ("Landmarks: Show engine log") has the details.`;
}

export class EngineClient {
  private child: ChildProcess | undefined;
  private readyPromise: Promise<BackendReport> | undefined;
  private backendReport: BackendReport | undefined;
  private presetInfos: PresetInfo[] | undefined;
  private readonly idleWaiters: (() => void)[] = [];
  private readonly pending = new Map<string, Pending>();
  private readonly stderrTail: string[] = [];
  private nextId = 1;
  /** The last error the engine reported outside any job (e.g. no backend could start). */
  private engineError: string | undefined;
  private disposed = false;

  constructor(private readonly opts: EngineClientOptions) {}

  /** The backend the running engine reported, once ready. */
  get backend(): BackendReport | undefined {
    return this.backendReport;
  }

  /** Each preset's defaults on the running engine's backend, once ready (older engines: undefined). */
  get presets(): PresetInfo[] | undefined {
    return this.presetInfos;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Jobs in flight. */
  get jobs(): RunningJobInfo[] {
    return [...this.pending.values()].map((p) => p.info);
  }

  get training(): RunningJobInfo | undefined {
    return this.jobs.find((j) => isTrainingKind(j.kind));
  }

  /** The job that would make a new request busy, with its ETA; undefined when idle. */
  get busy(): BusyInfo | undefined {
    const j = this.jobs[0];
    return j ? busyInfo(j) : undefined;
  }

  /** Resolves once no job is in flight (at once when idle). */
  whenIdle(): Promise<void> {
    if (this.pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Forks the engine if needed and resolves when it said `ready`. */
  start(): Promise<BackendReport> {
    if (this.disposed) return Promise.reject(new Error('The engine client was disposed.'));
    if (this.readyPromise && this.child && this.child.exitCode === null && this.child.signalCode === null) {
      return this.readyPromise;
    }
    this.readyPromise = this.spawn();
    // A failed start must not stay cached.
    this.readyPromise.catch(() => {
      this.readyPromise = undefined;
    });
    return this.readyPromise;
  }

  train(options: TrainOptions, handlers: JobHandlers = {}): EngineJob<TrainResult> {
    return this.submit<TrainResult>('train', (id) => ({ type: 'train', id, options }), handlers);
  }

  rounds(options: RoundsOptions, handlers: JobHandlers = {}): EngineJob<RoundsResult> {
    return this.submit<RoundsResult>('rounds', (id) => ({ type: 'rounds', id, options }), handlers);
  }

  /** Pretrain on several parts, then fine-tune on the target part (the paper's section 4). */
  finetune(options: FinetuneOptions, handlers: JobHandlers = {}): EngineJob<FinetuneResult> {
    return this.submit<FinetuneResult>('finetune', (id) => ({ type: 'finetune', id, options }), handlers);
  }

  predict(options: PredictOptions, handlers: JobHandlers = {}): EngineJob<PredictResult> {
    return this.submit<PredictResult>('predict', (id) => ({ type: 'predict', id, options }), handlers);
  }

  evaluate(options: EvaluateOptions, handlers: JobHandlers = {}): EngineJob<EvaluateResult> {
    return this.submit<EvaluateResult>('evaluate', (id) => ({ type: 'evaluate', id, options }), handlers);
  }

  /**
   * Asks the engine to cancel a job; its promise settles when the engine answers (or dies). A job
   * not sent yet (the engine is starting) never runs: it rejects at once with EngineCancelledError.
   */
  cancel(id: string): void {
    const p = this.pending.get(id);
    if (!p) return;
    if (!p.sent) {
      this.settle(id, undefined, new EngineCancelledError(`The ${p.info.kind} was cancelled before it started.`, p.info.kind));
      return;
    }
    this.send({ type: 'cancel', id });
  }

  /** Cancels every job in flight. */
  cancelAll(): void {
    for (const id of this.pending.keys()) this.cancel(id);
  }

  /** Asks the engine to exit; kills it when it does not within `graceMs`. */
  async shutdown(graceMs = 3000): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    this.send({ type: 'shutdown' });
    const timer = setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }, graceMs);
    await exited;
    clearTimeout(timer);
  }

  /** Kills the child at once (used on deactivate and by tests). */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.child?.kill(signal);
  }

  dispose(): void {
    this.disposed = true;
    void this.shutdown(1000);
  }

  // -------------------------------------------------------------------------------------------

  /**
   * The engine runs one job at a time: a second request is refused here with a message saying
   * what runs (only one training per workspace; a prediction waits for the training to end).
   */
  private refuseWhileBusy(kind: JobKind): void {
    const running = this.jobs[0];
    if (!running) return;
    const since = new Date(running.started).toLocaleTimeString();
    const busy = busyInfo(running);
    if (isTrainingKind(running.kind)) {
      throw new EngineBusyError(
        `A training is already running in this workspace (started ${since}). ` +
          `Wait for it to finish or cancel it ("Landmarks: Cancel engine job"), then ${kind === 'train' ? 'start the new training' : `run the ${kind}`} again.`,
        busy,
      );
    }
    throw new EngineBusyError(`The engine is busy with a ${running.kind} (started ${since}). Wait for it to finish or cancel it, then run the ${kind} again.`, busy);
  }

  private submit<R extends EngineResult>(
    kind: JobKind,
    make: (id: string) => EngineRequest,
    handlers: JobHandlers,
  ): EngineJob<R> {
    this.refuseWhileBusy(kind);
    const id = `${kind}-${process.pid}-${this.nextId++}`;
    const info: RunningJobInfo = { id, kind, started: Date.now() };
    const result = new Promise<R>((resolve, reject) => {
      this.pending.set(id, {
        info,
        sent: false,
        handlers,
        resolve: (r) => resolve(r as R),
        reject,
      });
      this.busyChanged();
      this.start().then(
        () => {
          const p = this.pending.get(id);
          if (!p) return;
          p.sent = true;
          this.send(make(id));
        },
        (e: Error) => this.settle(id, undefined, e),
      );
    });
    return {
      id,
      kind,
      result,
      cancel: () => this.cancel(id),
    };
  }

  private spawn(): Promise<BackendReport> {
    const { enginePath } = this.opts;
    if (!fs.existsSync(enginePath)) {
      return Promise.reject(
        new EngineCrashError(
          `The engine is missing: ${enginePath} does not exist.`,
          null,
          null,
          [],
          'Build it with `npm run build` (or reinstall the extension).',
        ),
      );
    }
    this.stderrTail.length = 0;
    this.backendReport = undefined;
    this.engineError = undefined;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...this.opts.env,
      LANDMARKS_BACKEND: this.opts.backend ?? 'auto',
      // Under Electron (desktop VS Code) fork() runs Electron's binary: make it act as Node.
      ELECTRON_RUN_AS_NODE: '1',
    };
    delete env.NODE_OPTIONS;
    let child: ChildProcess;
    try {
      child = fork(enginePath, [], {
        execArgv: childExecArgv(process.execArgv),
        env,
        cwd: this.opts.cwd,
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        serialization: 'json',
      });
    } catch (e) {
      return Promise.reject(new EngineCrashError(`Could not start the engine: ${(e as Error).message}`, null, null, [], 'Check the engine log.'));
    }
    this.child = child;
    this.log('info', `engine: started pid ${child.pid} (${enginePath}, backend setting ${env.LANDMARKS_BACKEND})`);

    const lines = (level: EngineLogLevel, keep: boolean) => {
      let buf = '';
      return (chunk: Buffer) => {
        buf += chunk.toString('utf8');
        const parts = buf.split(/\r?\n/);
        buf = parts.pop() ?? '';
        for (const line of parts) {
          if (!line.trim()) continue;
          if (keep) {
            this.stderrTail.push(line);
            if (this.stderrTail.length > STDERR_KEEP) this.stderrTail.shift();
          }
          this.log(level, line);
        }
      };
    };
    child.stdout?.on('data', lines('info', false));
    child.stderr?.on('data', lines('warn', true));

    return new Promise<BackendReport>((resolve, reject) => {
      let ready = false;
      const timeoutMs = this.opts.readyTimeoutMs ?? 120_000;
      const timer = setTimeout(() => {
        if (ready) return;
        reject(
          new EngineCrashError(
            `The engine did not become ready within ${Math.round(timeoutMs / 1000)} s.`,
            null,
            null,
            [...this.stderrTail],
            'The machine may be busy or the backend failed to load; see "Landmarks: Show engine log", or choose another backend in the setting landmarks.engine.backend.',
          ),
        );
        child.kill('SIGKILL');
      }, timeoutMs);

      child.on('message', (msg: unknown) => {
        try {
          if (!isEngineEvent(msg)) return;
          if (msg.type === 'ready') {
            ready = true;
            clearTimeout(timer);
            this.backendReport = msg.backend;
            this.presetInfos = msg.presets;
            // The engine logged each backend it tried, and why it was rejected, as it happened:
            // this line only names them, so each reason is in the log once per engine start.
            const notUsed = msg.backend.rejected.length ? `; not used: ${msg.backend.rejected.map((r) => r.name).join(', ')}` : '';
            this.log('info', `engine: ready, backend ${msg.backend.name} (${msg.backend.reason})${notUsed}`);
            resolve(msg.backend);
            return;
          }
          this.onEvent(msg);
        } catch (e) {
          this.log('error', `engine: bad message handling: ${(e as Error).message}`);
        }
      });
      child.on('error', (e) => {
        this.log('error', `engine: process error: ${e.message}`);
      });
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        if (this.child === child) {
          this.child = undefined;
          this.readyPromise = undefined;
          this.backendReport = undefined;
          this.presetInfos = undefined;
        }
        const tail = [...this.stderrTail];
        const hint = crashHint(code, signal, tail);
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        this.log(code === 0 && !signal ? 'info' : 'error', `engine: process ${child.pid} ${how}`);
        const said = this.engineError ? ` It reported: ${this.engineError}.` : '';
        const last = tail.length ? ` Last engine output: ${tail.slice(-5).join(' | ')}` : '';
        const err = new EngineCrashError(`The engine ${how}.${said}${last}`, code, signal, tail, hint);
        if (!ready) reject(err);
        for (const id of [...this.pending.keys()]) this.settle(id, undefined, err);
      });
    });
  }

  private onEvent(ev: EngineEvent): void {
    switch (ev.type) {
      case 'log':
        this.log(ev.level, ev.message);
        return;
      case 'progress': {
        const p = this.pending.get(ev.id);
        if (!p) return;
        p.info.progress = ev.progress;
        try {
          p.handlers.onProgress?.(ev.progress);
        } catch (e) {
          this.log('error', `progress handler failed: ${(e as Error).message}`);
        }
        this.busyChanged();
        return;
      }
      case 'result':
        this.settle(ev.id, ev.result);
        return;
      case 'error': {
        const p = this.pending.get(ev.id);
        if (ev.kind === 'cancelled') {
          this.log('info', `engine: ${ev.id}: cancelled (${ev.message})`);
          this.settle(ev.id, undefined, new EngineCancelledError(`The ${p?.info.kind ?? 'job'} was cancelled.`, p?.info.kind ?? 'train'));
          return;
        }
        this.log('error', `engine: ${ev.id}: ${ev.message}${ev.detail ? `\n${ev.detail}` : ''}`);
        if (!p) this.engineError = ev.message;
        const error = ev.kind === 'busy' ? new EngineBusyError(`The engine is busy: ${ev.message}.`, ev.busy) : new EngineJobError(ev.message, ev.detail);
        this.settle(ev.id, undefined, error);
        return;
      }
      case 'ready':
        return;
    }
  }

  private settle(id: string, result?: EngineResult, error?: Error): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    this.busyChanged();
    if (error) p.reject(error);
    else if (result) p.resolve(result);
    if (this.pending.size === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  private send(req: EngineRequest): void {
    const child = this.child;
    if (!child || !child.connected) return;
    try {
      child.send(req);
    } catch (e) {
      this.log('error', `engine: could not send ${req.type}: ${(e as Error).message}`);
    }
  }

  private busyChanged(): void {
    try {
      this.opts.onBusyChange?.(this.jobs);
    } catch {
      /* a UI callback must not break the protocol */
    }
  }

  private log(level: EngineLogLevel, message: string): void {
    try {
      this.opts.onLog?.(level, message);
    } catch {
      /* ignore */
    }
  }
}
