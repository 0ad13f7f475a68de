/**
 * The rounds work folder on disk (layout in src/shared/protocol/rounds.ts): paths, and reading
 * and writing its JSON files. Every write is atomic (temp file beside the target, then rename),
 * so a job killed mid-write leaves the previous file or none, never half of one; and a reader on
 * another machine of a shared file system sees whole files only.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  checkPlan,
  checkRoundResult,
  isMergeSummary,
  isRoundFailure,
  isRoundRunning,
  isSlurmSubmission,
  type MergeSummary,
  type RoundFailure,
  type RoundResultFile,
  type RoundRunning,
  type RoundsPlan,
  type SlurmSubmission,
} from '../../shared/protocol/rounds';
import { writeFileAtomicSync } from '../../shared/node/atomic-write';

export function roundName(index: number): string {
  return `round-${String(index + 1).padStart(2, '0')}`;
}

export class WorkDir {
  readonly dir: string;
  constructor(dir: string) {
    this.dir = path.resolve(dir);
  }
  get plan(): string {
    return path.join(this.dir, 'plan.json');
  }
  get resultsDir(): string {
    return path.join(this.dir, 'results');
  }
  get logsDir(): string {
    return path.join(this.dir, 'logs');
  }
  get slurmDir(): string {
    return path.join(this.dir, 'slurm');
  }
  get predictedTps(): string {
    return path.join(this.dir, 'predicted.tps');
  }
  get evaluation(): string {
    return path.join(this.dir, 'evaluation.json');
  }
  get merged(): string {
    return path.join(this.dir, 'merged.json');
  }
  get submission(): string {
    return path.join(this.slurmDir, 'submitted.json');
  }
  modelDir(index: number): string {
    return path.join(this.dir, roundName(index));
  }
  result(index: number): string {
    return path.join(this.resultsDir, `${roundName(index)}.json`);
  }
  failure(index: number): string {
    return path.join(this.resultsDir, `${roundName(index)}.failed.json`);
  }
  running(index: number): string {
    return path.join(this.resultsDir, `${roundName(index)}.running.json`);
  }
  /** The log a local worker writes (SLURM tasks write logs/slurm-<job>_<task>.out). */
  workerLog(index: number): string {
    return path.join(this.logsDir, `${roundName(index)}.log`);
  }
  slurmLog(job: string): string {
    return path.join(this.logsDir, `slurm-${job}.out`);
  }

  readPlan(): RoundsPlan {
    if (!fs.existsSync(this.plan)) {
      throw new Error(`${this.dir}: no rounds plan here (plan.json); start the rounds with \`rounds --data <tps> --test-size N --out ${this.dir}\``);
    }
    const v = readJson(this.plan);
    const plan = checkPlan(v);
    if (typeof plan === 'string') throw new Error(`${this.plan}: ${v === undefined ? 'not valid JSON' : plan}`);
    return plan;
  }
  /** The plan there, or undefined when there is none or it cannot be read (a new plan replaces it). */
  tryReadPlan(): RoundsPlan | undefined {
    const plan = checkPlan(readJson(this.plan));
    return typeof plan === 'string' ? undefined : plan;
  }
  readResult(planId: string, index: number): RoundResultFile | undefined {
    return checkRoundResult(readJson(this.result(index)), planId, index);
  }
  readFailure(planId: string, index: number): RoundFailure | undefined {
    const v = readJson(this.failure(index));
    return isRoundFailure(v) && v.planId === planId && v.index === index ? v : undefined;
  }
  readRunning(planId: string, index: number): RoundRunning | undefined {
    const v = readJson(this.running(index));
    return isRoundRunning(v) && v.planId === planId && v.index === index ? v : undefined;
  }
  readSubmission(): SlurmSubmission | undefined {
    const v = readJson(this.submission);
    return isSlurmSubmission(v) ? v : undefined;
  }
  readMerged(planId: string): MergeSummary | undefined {
    const v = readJson(this.merged);
    return isMergeSummary(v) && v.planId === planId ? v : undefined;
  }

  writeJson(file: string, value: unknown): void {
    writeFileAtomicSync(file, JSON.stringify(value, null, 2) + '\n');
  }
}

/** Parsed JSON of a file, or undefined when it is absent or not JSON (a reader never throws on a stray file). */
export function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Whether a process of this host is alive (signal 0 checks without touching it). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
