/**
 * Rounds on local worker processes: up to N at once, each the same command line program on one
 * round (`rounds --round K --plan <dir>/plan.json`), its output in logs/round-XX.log. A round
 * that fails is reported (its failure file says why, written by the worker, or here when the
 * worker died without one) and the other rounds go on. Separate processes rather than threads:
 * each gets its own backend (wasm heap, native session), exactly as a SLURM task does.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import type { BackendChoice } from '../../shared/protocol/engine';
import type { RoundFailure, RoundsPlan } from '../../shared/protocol/rounds';
import { roundStage } from './round';
import type { WorkDir } from './workdir';

/** The program a worker runs, before `rounds --round K --plan P`: e.g. node and dist/cli.js. */
export interface WorkerCommand {
  command: string;
  args: string[];
}

export interface WorkerPoolOptions {
  workers: number;
  worker: WorkerCommand;
  backend?: BackendChoice;
  env?: NodeJS.ProcessEnv;
  log: (m: string) => void;
  /** Rounds done (this run or before) of the plan's total, after each round ends. */
  progress?: (done: number, total: number) => void;
  /** Aborting stops starting rounds and ends the running workers (their rounds stay to do). */
  signal?: AbortSignal;
}

export interface WorkerPoolResult {
  done: number[];
  failed: { index: number; error: string; log: string }[];
  cancelled: boolean;
}

/** The last lines of a log, for a failure message when the worker could not write its own. */
function logTail(file: string, lines = 5): string {
  try {
    // Without the attempt headers this pool writes: what the worker itself said.
    const said = fs.readFileSync(file, 'utf8').split(/\r?\n/).filter((l) => l.trim() && !l.startsWith('=== '));
    return said.slice(-lines).join(' / ');
  } catch {
    return '';
  }
}

export async function runOnWorkers(work: WorkDir, plan: RoundsPlan, indices: number[], opts: WorkerPoolOptions): Promise<WorkerPoolResult> {
  const queue = [...indices];
  const result: WorkerPoolResult = { done: [], failed: [], cancelled: false };
  const children = new Set<import('child_process').ChildProcess>();
  const alreadyDone = plan.rounds.length - indices.length;
  const onAbort = (): void => {
    result.cancelled = true;
    queue.length = 0;
    for (const c of children) c.kill('SIGTERM');
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  fs.mkdirSync(work.logsDir, { recursive: true });

  const runOne = (index: number): Promise<void> =>
    new Promise((resolve) => {
      const stage = roundStage(plan, index);
      const logFile = work.workerLog(index);
      const args = [...opts.worker.args, 'rounds', '--round', String(index), '--plan', work.plan, ...(opts.backend ? ['--backend', opts.backend] : [])];
      const fd = fs.openSync(logFile, 'a');
      fs.writeSync(fd, `=== ${new Date().toISOString()} ${stage} on ${os.hostname()}: ${[opts.worker.command, ...args].join(' ')}\n`);
      const started = Date.now();
      let settled = false;
      const child = spawn(opts.worker.command, args, { stdio: ['ignore', fd, fd], env: opts.env ?? process.env });
      fs.closeSync(fd);
      children.add(child);
      opts.log(`${stage}: started (pid ${child.pid ?? '?'}; log ${logFile})`);
      const finish = (why: string | undefined): void => {
        if (settled) return;
        settled = true;
        children.delete(child);
        const done = work.readResult(plan.planId, index);
        if (done) {
          result.done.push(index);
          opts.log(`${stage}: done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${done.rows.length} tested, mean error ${done.meanPx.toFixed(2)} px`);
        } else if (result.cancelled) {
          // Ended by the abort: neither done nor failed, to do on the next run.
          fs.rmSync(work.running(index), { force: true });
          opts.log(`${stage}: stopped`);
        } else {
          let failure = work.readFailure(plan.planId, index);
          if (!failure) {
            // Killed, out of memory, or crashed before it could say why: say it for it.
            const tail = logTail(logFile);
            failure = {
              planId: plan.planId,
              index,
              error: `the worker ${why ?? 'ended'} without a result${tail ? `; its log ends: ${tail}` : ''}`,
              host: os.hostname(),
              pid: child.pid ?? 0,
              at: new Date().toISOString(),
              log: logFile,
            } satisfies RoundFailure;
            work.writeJson(work.failure(index), failure);
            fs.rmSync(work.running(index), { force: true });
          }
          result.failed.push({ index, error: failure.error, log: logFile });
          opts.log(`${stage}: FAILED: ${failure.error} (log ${logFile})`);
        }
        opts.progress?.(alreadyDone + result.done.length, plan.rounds.length);
        resolve();
      };
      child.on('error', (e) => finish(`could not start (${e.message})`));
      child.on('exit', (code, signal) => finish(signal ? `was killed by ${signal}` : `exited with code ${code}`));
    });

  const lanes = Array.from({ length: Math.max(1, Math.min(opts.workers, queue.length)) }, async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) await runOne(next);
  });
  try {
    await Promise.all(lanes);
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
  result.done.sort((a, b) => a - b);
  result.failed.sort((a, b) => a.index - b.index);
  return result;
}
