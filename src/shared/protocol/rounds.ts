/**
 * The files of a rounds work folder, and what `rounds status --json` prints. Rounds run as
 * independent jobs (in this process, on local worker processes, or as a SLURM job array) that
 * meet only through these files, so a folder on a shared file system is all a cluster needs:
 *
 *   <dir>/plan.json                 RoundsPlan: the data, options and every round's test set
 *   <dir>/round-01/ ...             each round's model (as the sequential rounds always wrote)
 *   <dir>/results/round-01.json     RoundResultFile: a finished round (written atomically, last)
 *   <dir>/results/round-01.failed.json   RoundFailure: why the last attempt failed
 *   <dir>/results/round-01.running.json  RoundRunning: who runs it now
 *   <dir>/logs/                     worker / SLURM task logs
 *   <dir>/slurm/                    job scripts and SlurmSubmission (submitted.json)
 *   <dir>/predicted.tps, evaluation.json, merged.json (MergeSummary)   the merge
 *
 * Round `index` is 0-based everywhere a program reads it (`--round`, SLURM_ARRAY_TASK_ID, this
 * JSON); people see `round 1/4` and folders `round-01`. Every file carries the plan's `planId`,
 * so a result of other options or other data is never taken for this plan's.
 *
 * Pure: types and checks of parsed JSON only (no fs), so the extension can read them too.
 */
import type { PresetName, ProfileSpec, RoundsResult } from './engine';
import type { OptionValue } from './options';

export const PLAN_FORMAT = 'landmarks-rounds-plan';
export const ROUND_RESULT_FORMAT = 'landmarks-round-result';

/** Training options a plan fixes for all its rounds (absent = the preset's default on the backend). */
export interface PlanTraining {
  preset: PresetName;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  validationSplit?: number;
  inputSize?: [number, number];
  patience?: number;
  /** The preset's own options (TrainOptions.presetOptions). */
  presetOptions?: Record<string, OptionValue>;
  /** A profile run instead of the preset's own (TrainOptions.profile). */
  profile?: ProfileSpec;
}

export interface PlannedRound {
  index: number;
  /** Folder name of the round's model, `round-01` for index 0. */
  name: string;
  /** Training seed of the round (the plan's seed + index, as the sequential rounds used). */
  seed: number;
  /** Specimen names of the test set (never trained on: training excludes these names). */
  test: string[];
  /** The same images as indices into the data's usable samples in file order (names may repeat). */
  samples: number[];
}

export interface RoundsPlan {
  format: typeof PLAN_FORMAT;
  version: 1;
  /** Hash of everything that decides the results (data contents, options, test sets, engine). */
  planId: string;
  created: string;
  /** Absolute paths: jobs on other machines read the same folder through a shared file system. */
  data: string;
  images?: string;
  landmarkSubset?: number[];
  testSize: number;
  seed: number;
  train: PlanTraining;
  samples: number;
  landmarkCount: number;
  /** Hash of the samples (names, image paths, sizes and dates, landmarks): a job refuses changed data. */
  samplesHash: string;
  rounds: PlannedRound[];
}

/** One tested image of a round, enough to rebuild the evaluation and the predicted TPS. */
export interface RoundRow {
  name: string;
  image: string;
  /** Manual landmarks in image pixels (y down); null = missing. */
  manual: ([number, number] | null)[];
  predicted: [number, number][];
  scale?: number;
  width: number;
  height: number;
  confidence?: number;
  spreadPx?: number[];
}

export interface RoundResultFile {
  format: typeof ROUND_RESULT_FORMAT;
  version: 1;
  planId: string;
  index: number;
  name: string;
  modelDir: string;
  preset: PresetName;
  backend: string;
  host: string;
  /** Images the round trained on (train + validation) and its best epoch. */
  trainImages: number;
  bestEpoch: number;
  epochs: number;
  rows: RoundRow[];
  /** Test images that could not be predicted, and why. */
  skipped: { image: string; why: string }[];
  /** Mean landmark error of the round's test images, in original pixels. */
  meanPx: number;
  seconds: number;
  finished: string;
}

export interface RoundFailure {
  planId: string;
  index: number;
  error: string;
  host: string;
  pid: number;
  at: string;
  /** Log to read for the details, when the job wrote one. */
  log?: string;
}

export interface RoundRunning {
  planId: string;
  index: number;
  host: string;
  pid: number;
  started: string;
  /** `<array job>_<task>` when a SLURM task runs it. */
  slurmJob?: string;
}

export interface SlurmSubmission {
  planId: string;
  arrayJob: string;
  mergeJob: string;
  /** The round indices the array covers (a resubmission covers the unfinished ones only). */
  rounds: number[];
  submitted: string;
  /** The two sbatch command lines, as run. */
  commands: string[][];
}

export interface MergeSummary {
  planId: string;
  /** True when every round of the plan was done. */
  complete: boolean;
  done: number[];
  notDone: { index: number; state: RoundState; error?: string }[];
  images: number;
  meanPx: number;
  predictedTps: string;
  evaluation: string;
  at: string;
}

/** What `rounds merge` returns: the sequential rounds' result, plus the rounds it lacked. */
export interface RoundsMergeResult extends RoundsResult {
  complete: boolean;
  notDone: MergeSummary['notDone'];
}

export type RoundState = 'pending' | 'running' | 'done' | 'failed';

/** One round in `rounds status --json`. */
export interface RoundStatus {
  index: number;
  name: string;
  state: RoundState;
  /** Mean error of the round's test images (done rounds). */
  meanPx?: number;
  /** Test images of the round. */
  images: number;
  seconds?: number;
  /** Why it failed, or what a pending one waits for (a SLURM reason). */
  error?: string;
  detail?: string;
  /** The log to read. */
  log?: string;
  /** `<array job>_<task>` on SLURM. */
  job?: string;
  host?: string;
  pid?: number;
}

export interface RoundsStatus {
  kind: 'rounds-status';
  dir: string;
  planId: string;
  data: string;
  testSize: number;
  rounds: RoundStatus[];
  counts: Record<RoundState, number>;
  slurm?: {
    arrayJob: string;
    mergeJob: string;
    /** The merge job's SLURM state when squeue / sacct still know it. */
    mergeState?: string;
    /** Whether squeue / sacct answered (without them states come from the files alone). */
    squeue: boolean;
    sacct: boolean;
  };
  /** The last merge of this plan, when there was one. */
  merged?: { complete: boolean; meanPx: number; images: number; at: string; evaluation: string; predictedTps: string };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isPoint = (v: unknown): v is [number, number] => Array.isArray(v) && v.length === 2 && isNumber(v[0]) && isNumber(v[1]);

/** A parsed plan.json, or why it is not one. */
export function checkPlan(v: unknown): RoundsPlan | string {
  if (!isObject(v) || v.format !== PLAN_FORMAT) return 'not a rounds plan';
  if (v.version !== 1) return `plan version ${String(v.version)} (this engine reads version 1)`;
  if (typeof v.planId !== 'string' || typeof v.data !== 'string' || !isNumber(v.testSize) || !isNumber(v.seed)) return 'plan lacks planId, data, testSize or seed';
  if (!isObject(v.train) || typeof v.samplesHash !== 'string' || !Array.isArray(v.rounds)) return 'plan lacks train, samplesHash or rounds';
  for (const [i, r] of v.rounds.entries()) {
    const ok =
      isObject(r) && r.index === i && typeof r.name === 'string' && isNumber(r.seed) &&
      Array.isArray(r.test) && r.test.every((t) => typeof t === 'string') &&
      Array.isArray(r.samples) && r.samples.length === r.test.length && r.samples.every((n) => Number.isInteger(n) && n >= 0);
    if (!ok) {
      return `plan round ${i} is malformed`;
    }
  }
  return v as unknown as RoundsPlan;
}

/**
 * A round result that is complete for `planId` and `index`, or undefined. A file cut short
 * cannot pass (results are written atomically, but a copy or a full disk could still cut one).
 */
export function checkRoundResult(v: unknown, planId: string, index: number): RoundResultFile | undefined {
  if (!isObject(v) || v.format !== ROUND_RESULT_FORMAT || v.version !== 1) return undefined;
  if (v.planId !== planId || v.index !== index || !Array.isArray(v.rows) || !isNumber(v.meanPx) || typeof v.finished !== 'string') return undefined;
  for (const r of v.rows) {
    if (!isObject(r) || typeof r.name !== 'string' || typeof r.image !== 'string' || !Array.isArray(r.manual) || !Array.isArray(r.predicted)) return undefined;
    if (!r.predicted.every(isPoint) || !r.manual.every((p) => p === null || isPoint(p)) || !isNumber(r.width) || !isNumber(r.height)) return undefined;
  }
  return v as unknown as RoundResultFile;
}

export function isRoundFailure(v: unknown): v is RoundFailure {
  return isObject(v) && typeof v.planId === 'string' && isNumber(v.index) && typeof v.error === 'string';
}

export function isRoundRunning(v: unknown): v is RoundRunning {
  return isObject(v) && typeof v.planId === 'string' && isNumber(v.index) && typeof v.host === 'string' && isNumber(v.pid);
}

export function isSlurmSubmission(v: unknown): v is SlurmSubmission {
  return isObject(v) && typeof v.planId === 'string' && typeof v.arrayJob === 'string' && typeof v.mergeJob === 'string' && Array.isArray(v.rounds);
}

export function isMergeSummary(v: unknown): v is MergeSummary {
  return isObject(v) && typeof v.planId === 'string' && typeof v.complete === 'boolean' && isNumber(v.meanPx);
}
