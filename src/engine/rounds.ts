/**
 * The paper's cross-validation rounds: the images are shuffled (seeded) and cut into test sets
 * of `testSize`; each round trains on all the others (with its own validation split) and
 * predicts its test set, until every image was tested once. One evaluation over all images,
 * in original pixels; every round's predictions are gathered into `<out>/predicted.tps` and the
 * evaluation into `<out>/evaluation.json`.
 *
 * The rounds are independent jobs of one plan (src/engine/rounds-jobs/): here they run one
 * after the other in this process (`runRounds`, what the extension's engine runs) or on local
 * worker processes side by side (`runRoundsOnWorkers`); `rounds --slurm` submits them as a
 * SLURM job array. All write the same files and end in the same merge, and a rerun with the
 * same data and options keeps the rounds already done.
 */
import type { BackendChoice, EngineProgress, RoundsOptions, RoundsResult } from '../shared/protocol/engine';
import type { PlanTraining, RoundResultFile, RoundsMergeResult, RoundsPlan } from '../shared/protocol/rounds';
import type { JobEnv } from './env';
import { mergeWorkDir } from './rounds-jobs/merge';
import { adoptPlan, makePlan, type PlanRequest } from './rounds-jobs/plan';
import { roundStage, runPlannedRound } from './rounds-jobs/round';
import { StagedChanges } from './rounds-jobs/staged';
import { activeWork } from './rounds-jobs/status';
import { WorkDir } from './rounds-jobs/workdir';
import { runOnWorkers, type WorkerCommand, type WorkerPoolResult } from './rounds-jobs/workers';
import type { Sample } from './presets/preset';

export { roundTestSets } from './rounds-jobs/plan';

export function planRequest(options: RoundsOptions): PlanRequest {
  const { data, images, landmarkSubset, testSize, seed, preset, epochs, batchSize, learningRate, validationSplit, inputSize, patience, presetOptions, profile } = options;
  const train: PlanTraining = { preset: preset ?? 'default', epochs, batchSize, learningRate, validationSplit, inputSize, patience, ...(presetOptions ? { presetOptions } : {}), ...(profile ? { profile } : {}) };
  return { data, testSize, train, ...(images ? { images } : {}), ...(landmarkSubset ? { landmarkSubset } : {}), ...(seed !== undefined ? { seed } : {}) };
}

/** The plan for these options in force in the work folder: the same one kept (resume), else a new one. */
async function preparePlan(options: RoundsOptions, log: (m: string) => void, env?: NodeJS.ProcessEnv): Promise<{ work: WorkDir; plan: RoundsPlan; samples: Sample[]; todo: number[] }> {
  const work = new WorkDir(options.out);
  const { plan: made, samples } = await makePlan(planRequest(options), log);
  const busy = activeWork(work, env ? { env } : {});
  if (busy.length) throw new Error(`${work.dir}: rounds are still running or queued here (${busy.join('; ')}); wait for them (\`rounds status ${work.dir}\`) or stop them first`);
  const staged = new StagedChanges();
  staged.mkdir(work.dir);
  const { plan, resumed } = adoptPlan(work, made, staged, log);
  staged.commit();
  const todo = plan.rounds.map((r) => r.index).filter((i) => !work.readResult(plan.planId, i));
  log(
    `rounds: ${plan.rounds.length} round(s), test sets of ${plan.testSize} from ${plan.samples} images` +
      (resumed && todo.length < plan.rounds.length ? `; ${plan.rounds.length - todo.length} done earlier (kept), ${todo.length} to run` : ''),
  );
  return { work, plan, samples, todo };
}

function failedRoundsError(work: WorkDir, plan: RoundsPlan, failed: { index: number; error: string }[], merged: RoundsMergeResult | undefined): Error {
  const which = failed.map((f) => `${roundStage(plan, f.index)}: ${f.error}`).join('; ');
  const rest = merged ? `; the other rounds are merged in ${merged.predictedTps} (${merged.evaluation.matched} of ${plan.samples} images)` : '';
  return new Error(`${failed.length} round(s) failed: ${which}${rest}; rerun the same command to run the failed round(s) again (done rounds are kept)`);
}

export async function runRounds(options: RoundsOptions, env: JobEnv): Promise<RoundsResult> {
  const started = Date.now();
  const { work, plan, samples, todo } = await preparePlan(options, env.log);
  const total = plan.rounds.length;
  const extra = new Map<number, RoundResultFile>();
  const failed: { index: number; error: string }[] = [];
  let cancelled = false;
  let reached = total;
  for (const r of plan.rounds) {
    const stage = roundStage(plan, r.index);
    env.progress({ kind: 'step', stage, done: r.index, total });
    if (!todo.includes(r.index)) {
      env.log(`${stage}: done earlier (${work.result(r.index)}): kept`);
      continue;
    }
    try {
      const outcome = await runPlannedRound(work, plan, r.index, env, { samples });
      if (outcome.cancelled) {
        // As before the rounds were jobs: the cancelled round's best model so far still counts here.
        cancelled = true;
        reached = r.index + 1;
        if (outcome.result) extra.set(r.index, outcome.result);
        break;
      }
    } catch (e) {
      env.log(`${stage}: FAILED: ${(e as Error).message}`);
      failed.push({ index: r.index, error: (e as Error).message });
    }
    if (env.cancel.cancelled) {
      cancelled = true;
      reached = r.index + 1;
      break;
    }
  }
  let merged: RoundsMergeResult;
  try {
    merged = await mergeWorkDir(work, { extra });
  } catch (e) {
    if (cancelled) throw new Error('rounds cancelled before the first round finished');
    if (failed.length) throw failedRoundsError(work, plan, failed, undefined);
    throw e;
  }
  if (failed.length) throw failedRoundsError(work, plan, failed, merged);
  env.progress({ kind: 'step', stage: 'rounds', done: total, total });
  return {
    kind: 'rounds',
    // Cancelled: the rounds reached, the cancelled one included ("cancelled in round 2").
    rounds: cancelled ? reached : merged.rounds,
    cancelled: cancelled || undefined,
    roundDirs: cancelled ? plan.rounds.slice(0, reached).map((r) => work.modelDir(r.index)) : merged.roundDirs,
    evaluation: merged.evaluation,
    predictedTps: merged.predictedTps,
    seconds: (Date.now() - started) / 1000,
  };
}

export interface WorkersRun {
  workers: number;
  worker: WorkerCommand;
  /** Passed on to each worker (default: each picks the best backend it has). */
  backend?: BackendChoice;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  log: (m: string) => void;
  progress: (p: EngineProgress) => void;
}

export interface WorkersRoundsResult {
  /** The merge of the rounds done; undefined when none is (all failed, or cancelled first). */
  merged?: RoundsMergeResult;
  pool: WorkerPoolResult;
  plan: RoundsPlan;
  /** Rounds done earlier and kept. */
  kept: number[];
  seconds: number;
}

/** The rounds on `workers` local processes at once; failed rounds are in `pool.failed`, the others merged. */
export async function runRoundsOnWorkers(options: RoundsOptions, run: WorkersRun): Promise<WorkersRoundsResult> {
  const started = Date.now();
  const { work, plan, todo } = await preparePlan(options, run.log, run.env);
  const total = plan.rounds.length;
  const kept = plan.rounds.map((r) => r.index).filter((i) => !todo.includes(i));
  if (todo.length) run.log(`rounds: ${todo.length} round(s) on ${Math.min(run.workers, todo.length)} worker process(es)`);
  run.progress({ kind: 'step', stage: 'rounds', done: kept.length, total });
  const pool = await runOnWorkers(work, plan, todo, {
    workers: run.workers,
    worker: run.worker,
    log: run.log,
    progress: (done) => run.progress({ kind: 'step', stage: 'rounds', done, total }),
    ...(run.backend ? { backend: run.backend } : {}),
    ...(run.env ? { env: run.env } : {}),
    ...(run.signal ? { signal: run.signal } : {}),
  });
  let merged: RoundsMergeResult | undefined;
  if (kept.length + pool.done.length > 0) merged = await mergeWorkDir(work, {});
  return { merged, pool, plan, kept, seconds: (Date.now() - started) / 1000 };
}
