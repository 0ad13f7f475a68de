/**
 * Cross-validation rounds outside the extension's engine: the CLI's `rounds --workers N` (rounds
 * side by side in N engine processes here) or `rounds --slurm` (a job array on the cluster this
 * host submits to, as a login node reached through Remote-SSH does). The CLI is forked from the
 * extension's own dist/cli.js; progress per round comes from `rounds status --json`, read while
 * the rounds run; the merged result is read from the work folder. No engine import.
 */
import { fork, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { EvaluationResult, RoundsOptions } from '../../shared/protocol/engine';
import type { MergeSummary, RoundsStatus } from '../../shared/protocol/rounds';

export type RoundsWhere = { kind: 'engine' } | { kind: 'workers'; workers: number } | { kind: 'slurm'; partition?: string; time?: string; gpus?: number };

export interface WhereChoice {
  label: string;
  description: string;
  where: RoundsWhere;
}

/** Whether `sbatch` is on `PATH` (so this host can submit SLURM jobs). */
export function hasSbatch(envPath: string | undefined = process.env.PATH, isFile: (p: string) => boolean = defaultIsFile): boolean {
  return (envPath ?? '').split(path.delimiter).some((d) => d !== '' && isFile(path.join(d, 'sbatch')));
}

function defaultIsFile(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Where rounds can run from this host: one after another, N at once, and SLURM when sbatch is here. */
export function whereChoices(cores: number, rounds: number, sbatch: boolean): WhereChoice[] {
  const n = Math.max(1, Math.min(cores, rounds));
  const out: WhereChoice[] = [{ label: 'Here, one round after another', description: 'in the extension engine', where: { kind: 'engine' } }];
  if (n > 1) out.push({ label: `Here, ${n} rounds at once`, description: `${n} engine processes side by side (${cores} cores)`, where: { kind: 'workers', workers: n } });
  if (sbatch) out.push({ label: 'On SLURM', description: `a job array of ${rounds} tasks and a merge job (sbatch)`, where: { kind: 'slurm' } });
  return out;
}

/** The CLI arguments of a rounds run (`--json` last: the result is read from the work folder). */
export function roundsCliArgs(o: RoundsOptions, where: Exclude<RoundsWhere, { kind: 'engine' }>): string[] {
  const args = ['rounds', '--data', o.data, '--out', o.out, '--test-size', String(o.testSize), '--preset', o.preset ?? 'default'];
  if (o.images) args.push('--images', o.images);
  if (o.epochs) args.push('--epochs', String(o.epochs));
  if (o.inputSize) args.push('--input-size', `${o.inputSize[0]}x${o.inputSize[1]}`);
  if (o.validationSplit !== undefined) args.push('--validation-split', String(o.validationSplit));
  if (o.seed !== undefined) args.push('--seed', String(o.seed));
  if (where.kind === 'workers') args.push('--workers', String(where.workers));
  else {
    args.push('--slurm');
    if (where.partition) args.push('--partition', where.partition);
    if (where.time) args.push('--time', where.time);
    if (where.gpus) args.push('--gpus', String(where.gpus));
  }
  return args;
}

export interface CliRun {
  /** Resolves with the exit code and what the CLI printed (stderr is its log). */
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
  child: ChildProcess;
}

/** Forks dist/cli.js with `args` (Electron's binary acts as Node, as for the engine). */
export function forkCli(cli: string, args: string[], env: NodeJS.ProcessEnv = process.env, onStderr?: (line: string) => void): CliRun {
  const child = fork(cli, args, { env: { ...env, ELECTRON_RUN_AS_NODE: '1' }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], execArgv: [] });
  const err: string[] = [];
  let partial = '';
  let stdout = '';
  child.stderr?.on('data', (b: Buffer) => {
    partial += b.toString();
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) {
      err.push(l);
      onStderr?.(l);
    }
  });
  child.stdout?.on('data', (b: Buffer) => (stdout += b.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.on('error', (e) => resolve({ code: null, stdout, stderr: `${err.join('\n')}\n${e.message}` }));
    child.on('exit', (code) => resolve({ code, stdout, stderr: [...err, partial].join('\n') }));
  });
  return { done, child };
}

/** `rounds status <dir> --json`, parsed; undefined while the folder has no plan yet. */
export async function roundsStatus(cli: string, dir: string): Promise<RoundsStatus | undefined> {
  const { stdout } = await forkCli(cli, ['rounds', 'status', dir, '--json']).done;
  try {
    const s = JSON.parse(stdout) as RoundsStatus;
    return s.kind === 'rounds-status' ? s : undefined;
  } catch {
    return undefined;
  }
}

/** "round 3/4 done, 1 running" from a status. */
export function statusText(s: RoundsStatus): string {
  const n = s.rounds.length;
  const parts = [`${s.counts.done}/${n} rounds done`];
  if (s.counts.running) parts.push(`${s.counts.running} running`);
  if (s.counts.pending) parts.push(`${s.counts.pending} waiting`);
  if (s.counts.failed) parts.push(`${s.counts.failed} failed`);
  if (s.slurm?.mergeState) parts.push(`merge job ${s.slurm.mergeState.toLowerCase()}`);
  return parts.join(', ');
}

/** The merged result of a rounds work folder: its evaluation and predicted TPS. */
export function readMerged(dir: string): { summary: MergeSummary; evaluation: EvaluationResult } | undefined {
  const file = path.join(dir, 'merged.json');
  if (!fs.existsSync(file)) return undefined;
  const summary = JSON.parse(fs.readFileSync(file, 'utf8')) as MergeSummary;
  const evaluationFile = path.isAbsolute(summary.evaluation) ? summary.evaluation : path.join(dir, summary.evaluation);
  return { summary, evaluation: JSON.parse(fs.readFileSync(evaluationFile, 'utf8')) as EvaluationResult };
}
