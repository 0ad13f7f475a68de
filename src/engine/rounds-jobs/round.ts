/**
 * One round of a plan, in this process: train on every image but the round's test set, predict
 * the test set, and write results/round-XX.json (atomically, last: a result file present is a
 * round finished). While it runs, results/round-XX.running.json says who runs it; when it
 * fails, results/round-XX.failed.json says why, so `rounds status` can tell a failed round from
 * a pending one, and the other rounds carry on.
 */
import * as os from 'os';
import * as fs from 'fs';
import type { RoundResultFile, RoundRow, RoundRunning, RoundsPlan } from '../../shared/protocol/rounds';
import { ROUND_RESULT_FORMAT } from '../../shared/protocol/rounds';
import type { JobEnv } from '../env';
import { openModel } from '../open-model';
import { predictEach } from '../predict-each';
import type { Sample } from '../presets/preset';
import { summarise } from '../train/pixel-errors';
import { runTrainJob } from '../train/run';
import { loadSamples } from '../train/samples';
import { samplesHash } from './plan';
import { withSeededMathRandom } from './seeded-random';
import type { WorkDir } from './workdir';

/** The plan's samples, refused when the data changed since the plan was made. */
export async function loadPlanSamples(plan: RoundsPlan): Promise<Sample[]> {
  const set = await loadSamples([{ data: plan.data, images: plan.images, landmarkSubset: plan.landmarkSubset }]);
  if (set.samples.length !== plan.samples || samplesHash(set.samples) !== plan.samplesHash) {
    throw new Error(
      `${plan.data} changed since the rounds plan was made (${plan.created}: ${plan.samples} usable images, now ${set.samples.length}); ` +
        'rerun `rounds --data ...` with the same --out to make a new plan',
    );
  }
  return set.samples;
}

export interface RoundRunOptions {
  /** The plan's samples, already loaded and checked (the in-process rounds load them once). */
  samples?: Sample[];
  /** `<array job>_<task>` when a SLURM task runs this. */
  slurmJob?: string;
  /** The log this job writes to, named in the failure file. */
  log?: string;
}

export interface RoundOutcome {
  result?: RoundResultFile;
  /** Cancelled: `result` (when the round got to a first epoch) is kept in memory only. */
  cancelled: boolean;
}

export function roundStage(plan: RoundsPlan, index: number): string {
  return `round ${index + 1}/${plan.rounds.length}`;
}

function testSamples(plan: RoundsPlan, index: number, samples: Sample[]): Sample[] {
  const round = plan.rounds[index];
  return round.samples.map((si, k) => {
    const s = samples[si];
    if (!s || s.name !== round.test[k]) {
      throw new Error(
        `${roundStage(plan, index)}: the plan's test image ${k + 1} "${round.test[k]}" is not image ${si + 1} of ${plan.data}` +
          `${s ? ` (that is "${s.name}")` : ` (it has ${samples.length})`}; the plan was edited or is broken: make a new one`,
      );
    }
    return s;
  });
}

export async function runPlannedRound(work: WorkDir, plan: RoundsPlan, index: number, env: JobEnv, opts: RoundRunOptions = {}): Promise<RoundOutcome> {
  const round = plan.rounds[index];
  if (!round) throw new Error(`round ${index}: the plan in ${work.dir} has rounds 0..${plan.rounds.length - 1} (0-based)`);
  const started = Date.now();
  const stage = roundStage(plan, index);
  const host = os.hostname();
  const running: RoundRunning = { planId: plan.planId, index, host, pid: process.pid, started: new Date(started).toISOString(), ...(opts.slurmJob ? { slurmJob: opts.slurmJob } : {}) };
  work.writeJson(work.running(index), running);
  fs.rmSync(work.failure(index), { force: true });
  try {
    const samples = opts.samples ?? (await loadPlanSamples(plan));
    const test = testSamples(plan, index, samples);
    const modelDir = work.modelDir(index);
    const train = await withSeededMathRandom(round.seed, () =>
      runTrainJob(
        {
          ...plan.train,
          out: modelDir,
          sources: [{ data: plan.data, images: plan.images, landmarkSubset: plan.landmarkSubset }],
          exclude: round.test,
          seed: round.seed,
          keepCheckpoint: false,
        },
        {
          ...env,
          progress: (p) => env.progress(p.kind === 'train' ? { ...p, message: `${stage}${p.message ? `: ${p.message}` : ''}` } : p),
          log: (m) => env.log(`${stage}: ${m}`),
        },
      ),
    );
    if (train.cancelled && train.bestEpoch === 0) return { cancelled: true };
    const { predictor, metadata } = await openModel(env.tf, env.backend, modelDir, env.log, plan.landmarkCount);
    const rows: RoundRow[] = [];
    const skipped: RoundResultFile['skipped'] = [];
    try {
      const outcomes = await predictEach(predictor, test.map((s) => s.imagePath));
      for (const [i, s] of test.entries()) {
        const o = outcomes[i];
        const p = o?.prediction;
        if (!p) {
          const why = o?.error?.message ?? 'not predicted';
          env.log(`${stage}: skipped ${s.imagePath}: ${why}`);
          skipped.push({ image: s.imagePath, why });
          continue;
        }
        rows.push({
          name: s.name,
          image: s.imagePath,
          manual: s.landmarks,
          predicted: p.landmarks,
          ...(s.scale ? { scale: s.scale } : {}),
          width: p.width,
          height: p.height,
          ...(p.confidence !== undefined ? { confidence: p.confidence } : {}),
          ...(p.spreadPx ? { spreadPx: p.spreadPx } : {}),
        });
      }
    } finally {
      predictor.dispose();
    }
    if (rows.length === 0) throw new Error(`${stage}: none of its ${test.length} test image(s) could be predicted (e.g. ${skipped[0]?.why ?? '?'})`);
    const result: RoundResultFile = {
      format: ROUND_RESULT_FORMAT,
      version: 1,
      planId: plan.planId,
      index,
      name: round.name,
      modelDir,
      preset: metadata.preset,
      backend: env.backend,
      host,
      trainImages: metadata.training.images,
      bestEpoch: train.bestEpoch,
      epochs: train.epochs,
      rows,
      skipped,
      meanPx: summarise(rows, plan.data, work.predictedTps).mean,
      seconds: (Date.now() - started) / 1000,
      finished: new Date().toISOString(),
    };
    // A cancelled round trained less than the plan says: never a result a rerun would keep.
    if (!train.cancelled) work.writeJson(work.result(index), result);
    env.log(`${stage}: ${rows.length} tested, mean error ${result.meanPx.toFixed(2)} px${train.cancelled ? ' (cancelled: not kept)' : ''}`);
    return { result, cancelled: train.cancelled };
  } catch (e) {
    const failure = { planId: plan.planId, index, error: (e as Error).message, host, pid: process.pid, at: new Date().toISOString(), ...(opts.log ? { log: opts.log } : {}) };
    try {
      work.writeJson(work.failure(index), failure);
    } catch (w) {
      env.log(`${stage}: cannot record the failure in ${work.failure(index)}: ${(w as Error).message}`);
    }
    throw e;
  } finally {
    fs.rmSync(work.running(index), { force: true });
  }
}
