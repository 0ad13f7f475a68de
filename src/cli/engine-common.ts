/**
 * What the engine commands (train, predict, rounds, finetune) share: starting the backend,
 * progress and log lines on stderr (stdout stays for results / --json), Ctrl-C as cancel,
 * and option parsing helpers.
 */
import { formatDuration } from '../shared/format';
import type { BackendChoice, EngineProgress, EvaluationResult } from '../shared/protocol/engine';
import { initBackend, isBackendChoice } from '../engine/backend/init';
import * as tf from '../engine/backend/tf';
import { CancelSource, type JobEnv } from '../engine/env';
import { parseLandmarkSubset } from '../shared/dataset/landmark-subset';

export class UsageError extends Error {}

export function parseIntOption(name: string, v: string | undefined, min = 1): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} ${v}: expected an integer >= ${min}`);
  return n;
}

export function parseNumberOption(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${name} ${v}: expected a number in [${min}, ${max}]`);
  return n;
}

export function parseSize(v: string | undefined): [number, number] | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d+)x(\d+)$/i.exec(v.trim());
  if (!m || Number(m[1]) < 8 || Number(m[2]) < 8) throw new UsageError(`--input-size ${v}: expected WIDTHxHEIGHT, e.g. 256x192`);
  return [Number(m[1]), Number(m[2])];
}

/** "0,2,5" or "1-8" (1-based in the CLI, like the paper) -> 0-based indices. */
export function parseLandmarkList(name: string, v: string | undefined): number[] | undefined {
  if (v === undefined) return undefined;
  const r = parseLandmarkSubset(v);
  if ('error' in r) throw new UsageError(`--${name} ${v}: ${r.error}`);
  return r.subset;
}

export function parseBackend(v: string | undefined): BackendChoice {
  if (v === undefined) return 'auto';
  if (!isBackendChoice(v)) throw new UsageError(`--backend ${v}: expected auto, webgpu, native-gpu, native-cpu, wasm or cpu`);
  return v;
}

function fmtEta(s: number | undefined): string {
  const d = formatDuration(s);
  return d ? ` ETA ${d}` : '';
}

export function formatProgress(p: EngineProgress): string {
  if (p.kind === 'train' && p.phase) {
    const metric = p.metric ? ` ${p.metric.name} ${p.metric.value.toFixed(2)}` : '';
    return `stage ${p.phase.index}/${p.phase.count} ${p.phase.name} ${p.phase.done}/${p.phase.total}${metric}${fmtEta(p.etaSeconds)}`;
  }
  if (p.kind === 'train') {
    const losses = [p.trainLoss !== undefined ? `train ${p.trainLoss.toFixed(5)}` : '', p.valLoss !== undefined ? `val ${p.valLoss.toFixed(5)}` : '']
      .filter(Boolean)
      .join(', ');
    return `epoch ${p.epoch}/${p.epochs} batch ${p.batch}/${p.batches}${losses ? ` loss ${losses}` : ''}${fmtEta(p.etaSeconds)}${p.message ? ` (${p.message})` : ''}`;
  }
  return `${p.stage} ${p.done}/${p.total}${fmtEta(p.etaSeconds)}${p.message ? ` (${p.message})` : ''}`;
}

export interface CliEngine {
  env: JobEnv;
  backendLine: string;
  /** Removes the Ctrl-C handler. */
  close(): void;
}

/** Starts the backend and an env printing to stderr; `quiet` keeps only warnings and the end of epochs. */
export async function startEngine(choice: BackendChoice, opts: { quiet?: boolean } = {}): Promise<CliEngine> {
  const err = (line: string): void => {
    process.stderr.write(line + '\n');
  };
  const report = await initBackend(choice, opts.quiet ? () => undefined : err);
  const cancel = new CancelSource();
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    err('interrupt: cancelling (the best model so far is kept); Ctrl-C again to quit at once');
    cancel.cancel();
  };
  process.on('SIGINT', onSigint);
  let last = 0;
  const tty = process.stderr.isTTY;
  const env: JobEnv = {
    tf,
    backend: report.name,
    cancel,
    log: (m) => err(m),
    progress: (p) => {
      const now = Date.now();
      const boundary = (p.kind === 'train' && p.valLoss !== undefined) || (p.kind === 'step' && p.done === p.total);
      if (tty) {
        process.stderr.write(`\r\x1b[K${formatProgress(p)}${boundary ? '\n' : ''}`);
        return;
      }
      if (opts.quiet && !boundary) return;
      if (boundary || now - last > 5000) {
        last = now;
        err(formatProgress(p));
      }
    },
  };
  const rejected = report.rejected.map((r) => `${r.name}: ${r.why}`).join('; ');
  return {
    env,
    backendLine: `backend ${report.name} (${report.reason})${rejected ? `; not used: ${rejected}` : ''}`,
    close: () => process.off('SIGINT', onSigint),
  };
}

/** A compact per-landmark table of an evaluation. */
export function evaluationTable(e: EvaluationResult): string {
  const f = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(2));
  const lines = ['landmark   mean px  median px   p90 px   n'];
  for (const l of e.landmarks) {
    lines.push(`${String(l.index).padStart(8)} ${f(l.mean).padStart(9)} ${f(l.median).padStart(10)} ${f(l.p90).padStart(8)} ${String(l.count).padStart(4)}`);
  }
  lines.push(`     all ${f(e.mean).padStart(9)} ${f(e.median).padStart(10)} ${f(e.p90).padStart(8)}   images: ${e.matched}`);
  return lines.join('\n');
}

/** Runs a command body with usage-error handling: 2 on bad usage, 1 on failure. */
export async function runCli(usage: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${(e as Error).message}\n\n${usage}\n`);
      return 2;
    }
    process.stderr.write(`error: ${(e as Error).message}\n`);
    return 1;
  }
}
