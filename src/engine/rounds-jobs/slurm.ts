/**
 * SLURM: the two job scripts (an array with one task per round, and the merge), the sbatch
 * command lines, and running sbatch / squeue / sacct / scancel. The text builders are pure and
 * unit-tested; the runners are thin wrappers over spawnSync with a timeout (a hung controller
 * must not hang the CLI).
 *
 * Every path in a script is absolute and the tasks `--chdir` into the work folder: on a cluster
 * the scripts run on other machines that see the folder through a shared file system.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { BackendChoice } from '../../shared/protocol/engine';
import { parseSacct, parseSqueue, type AcctEntry, type QueueEntry } from '../../shared/rounds/state';

export interface SlurmRequest {
  partition?: string;
  /** SLURM time limit per task: "MM", "HH:MM:SS", "D-HH:MM", ... */
  time?: string;
  /** GPUs per round task: "1" or "a100:1" (the merge gets none). */
  gpus?: string;
  /** More sbatch options for both jobs, one token each ("--account=lab"). */
  sbatchArgs: string[];
}

/** Problems with the request, for a usage error before anything is written. */
export function slurmRequestProblems(r: SlurmRequest): string[] {
  const problems: string[] = [];
  if (r.partition !== undefined && !/^[A-Za-z0-9_.,-]+$/.test(r.partition)) problems.push(`--partition ${r.partition}: expected a partition name (letters, digits, _ . , -)`);
  if (r.time !== undefined && !/^(\d+-)?\d+(:\d+){0,2}$|^(UNLIMITED|INFINITE)$/i.test(r.time)) {
    problems.push(`--time ${r.time}: expected a SLURM time such as 30, 1:30:00 or 2-00:00:00`);
  }
  if (r.gpus !== undefined && !/^([A-Za-z0-9_.-]+:)?\d+$/.test(r.gpus)) problems.push(`--gpus ${r.gpus}: expected a count, or type:count such as a100:1`);
  for (const a of r.sbatchArgs) {
    if (!a.startsWith('-') || /[\r\n]/.test(a)) problems.push(`--sbatch-arg ${JSON.stringify(a)}: expected one sbatch option such as --account=lab (write --sbatch-arg=--option=value)`);
  }
  return problems;
}

/** A word for a POSIX shell: left alone when it is plain, else in single quotes. */
export function shellQuote(s: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export interface JobScriptInput {
  /** Absolute path of the node executable the tasks run. */
  node: string;
  /** Node's own options before the CLI (e.g. a loader when the CLI is not the built bundle). */
  nodeArgs?: string[];
  /** Absolute path of dist/cli.js. */
  cli: string;
  /** Absolute work folder. */
  dir: string;
  request: SlurmRequest;
  /** Passed to each task when the user chose one (else each task picks the best its node has). */
  backend?: BackendChoice;
}

export const ROUNDS_JOB_NAME = 'landmarks-rounds';
export const MERGE_JOB_NAME = 'landmarks-rounds-merge';
/** What the merge job waits for result files still on their way through a shared file system. */
export const MERGE_SETTLE_SECONDS = 60;

export function roundsScriptPath(dir: string): string {
  return path.join(dir, 'slurm', 'rounds.sbatch');
}

export function mergeScriptPath(dir: string): string {
  return path.join(dir, 'slurm', 'merge.sbatch');
}

function directives(jobName: string, r: SlurmRequest, gpus: boolean): string[] {
  return [
    `#SBATCH --job-name=${jobName}`,
    ...(r.partition ? [`#SBATCH --partition=${r.partition}`] : []),
    ...(r.time ? [`#SBATCH --time=${r.time}`] : []),
    ...(gpus && r.gpus ? [`#SBATCH --gpus=${r.gpus}`] : []),
  ];
}

function nodeWords(i: JobScriptInput): string[] {
  return [i.node, ...(i.nodeArgs ?? []), i.cli].map(shellQuote);
}

export function roundsJobScript(i: JobScriptInput): string {
  const plan = path.join(i.dir, 'plan.json');
  const cmd = [...nodeWords(i), 'rounds', '--round', '"$SLURM_ARRAY_TASK_ID"', '--plan', shellQuote(plan)];
  if (i.backend && i.backend !== 'auto') cmd.push('--backend', i.backend);
  return [
    '#!/bin/bash',
    '# Landmarks cross-validation rounds: one task of this SLURM job array per round of',
    `#   ${plan}`,
    '# SLURM_ARRAY_TASK_ID is the round\'s 0-based index; each task writes results/round-XX.json.',
    '# Written and submitted by `rounds --slurm` (the sbatch command lines are in submitted.json);',
    `# follow it with: ${nodeWords(i).join(' ')} rounds status ${shellQuote(i.dir)}`,
    ...directives(ROUNDS_JOB_NAME, i.request, true),
    'set -eu',
    `cd ${shellQuote(i.dir)}`,
    `exec ${cmd.join(' ')}`,
    '',
  ].join('\n');
}

export function mergeJobScript(i: JobScriptInput): string {
  return [
    '#!/bin/bash',
    '# Landmarks cross-validation rounds: the merge, after every round task ended (afterany: a',
    '# failed round is reported, the others are merged). Written and submitted by `rounds --slurm`.',
    ...directives(MERGE_JOB_NAME, i.request, false),
    'set -eu',
    `cd ${shellQuote(i.dir)}`,
    `exec ${[...nodeWords(i), 'rounds', 'merge', shellQuote(i.dir), '--settle', String(MERGE_SETTLE_SECONDS)].join(' ')}`,
    '',
  ].join('\n');
}

/** sbatch's arguments for the array of the given spec ("0-3", or "1,3" when resuming). */
export function roundsSbatchArgs(i: JobScriptInput, spec: string): string[] {
  return ['--parsable', `--array=${spec}`, `--chdir=${i.dir}`, `--output=${path.join(i.dir, 'logs', 'slurm-%A_%a.out')}`, ...i.request.sbatchArgs, roundsScriptPath(i.dir)];
}

export function mergeSbatchArgs(i: JobScriptInput, arrayJob: string): string[] {
  return [
    '--parsable',
    `--dependency=afterany:${arrayJob}`,
    `--chdir=${i.dir}`,
    `--output=${path.join(i.dir, 'logs', 'merge-%j.out')}`,
    ...i.request.sbatchArgs,
    mergeScriptPath(i.dir),
  ];
}

/** The executable `name` on `PATH`, or undefined. */
export function findOnPath(name: string, envPath: string | undefined = process.env.PATH): string | undefined {
  for (const dir of (envPath ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

export interface CommandOutcome {
  ok: boolean;
  code: number | null;
  stdout: string;
  stderr: string;
  /** Why it did not run or did not finish (not found, timed out). */
  error?: string;
}

export function runCommand(command: string, args: string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 60000): CommandOutcome {
  const r = spawnSync(command, args, { env, encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] });
  const error = r.error ? ((r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT' ? `timed out after ${timeoutMs / 1000} s` : r.error.message) : undefined;
  return { ok: !r.error && r.status === 0, code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', ...(error ? { error } : {}) };
}

export function describeFailure(what: string, r: CommandOutcome): string {
  const said = (r.stderr.trim() || r.stdout.trim()).split(/\r?\n/).slice(-5).join(' / ');
  return `${what}${r.error ? `: ${r.error}` : ` (exit ${r.code})`}${said ? `: ${said}` : ''}`;
}

export interface QueueView {
  /** Undefined when squeue is not on the PATH or did not answer. */
  squeue?: Map<string, QueueEntry>;
  sacct?: Map<string, AcctEntry>;
  notes: string[];
}

/** What squeue and sacct say of these jobs (one entry per array task), each when it answers. */
export function querySlurm(jobs: string[], env: NodeJS.ProcessEnv = process.env): QueueView {
  const notes: string[] = [];
  const view: QueueView = { notes };
  const list = jobs.join(',');
  const squeue = findOnPath('squeue', env.PATH);
  if (squeue) {
    // --states=all: also the tasks that ended (for MinJobAge), with how they ended.
    const r = runCommand(squeue, ['-h', '-r', '--states=all', '-j', list, '-o', '%i|%T|%r'], env, 20000);
    // Jobs the controller forgot (MinJobAge) make squeue fail with "Invalid job id": none queued.
    if (r.ok || /invalid job id/i.test(r.stderr)) view.squeue = parseSqueue(r.ok ? r.stdout : '');
    else notes.push(describeFailure('squeue', r));
  } else notes.push('squeue is not on the PATH: states come from the work folder alone');
  const sacct = findOnPath('sacct', env.PATH);
  if (sacct) {
    const r = runCommand(sacct, ['-n', '-P', '-X', '-j', list, '-o', 'JobID,State,ExitCode'], env, 20000);
    if (r.ok) view.sacct = parseSacct(r.stdout);
    else notes.push(describeFailure('sacct', r));
  }
  return view;
}
