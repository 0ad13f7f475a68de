/**
 * A training job: data -> split -> the preset's training -> metadata.json -> validation error
 * in original pixels. Used by the child process, the CLI, rounds and fine-tuning.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { EvaluationResult, PresetName, TrainOptions, TrainResult } from '../../shared/protocol/engine';
import { Rng } from '../../shared/augment/rng';
import type { JobEnv } from '../env';
import { withWasmFallback } from '../backend/fallback';
import { ENGINE_VERSION, readMetadata, writeMetadata } from '../model-io/metadata';
import { openModel } from '../open-model';
import { getPreset } from '../presets';
import type { ModelMetadata, ResolvedTrainOptions, Sample } from '../presets/preset';
import { summarise } from './pixel-errors';
import { loadSamples, type SampleSource } from './samples';
import { predictEach } from '../predict-each';

export interface TrainJob extends Omit<TrainOptions, 'data' | 'images' | 'landmarkSubset'> {
  sources: SampleSource[];
  /**
   * Keep checkpoint/ (last weights + optimizer state) after a complete run, to extend it later
   * with resume. Default false: a finished model folder holds only the model; a cancelled or
   * crashed run always keeps its checkpoint for resume.
   */
  keepCheckpoint?: boolean;
}

export const CHECKPOINT_DIR = 'checkpoint';

export function splitSamples(samples: Sample[], share: number, seed: number): { train: Sample[]; validation: Sample[] } {
  const shuffled = new Rng(seed ^ 0x5bd1e995).shuffle([...samples]);
  const n = shuffled.length;
  let nVal = Math.round(n * share);
  // a share asked for gets at least one photo; 0 means none (train on every photo)
  if (share > 0 && n >= 2) nVal = Math.min(n - 1, Math.max(1, nVal));
  else nVal = 0;
  return { validation: shuffled.slice(0, nVal), train: shuffled.slice(nVal) };
}

export function trainOptionsToJob(o: TrainOptions): TrainJob {
  const { data, images, landmarkSubset, ...rest } = o;
  return { ...rest, sources: [{ data, images, landmarkSubset }] };
}

export async function trainModel(options: TrainOptions, env: JobEnv): Promise<TrainResult> {
  return runTrainJob(trainOptionsToJob(options), env);
}

export async function validationErrors(
  env: JobEnv,
  modelDir: string,
  samples: Sample[],
): Promise<EvaluationResult | undefined> {
  if (samples.length === 0) return undefined;
  const { predictor } = await openModel(env.tf, env.backend, modelDir, env.log);
  try {
    const outcomes = await predictEach(predictor, samples.map((s) => s.imagePath));
    const rows = samples.map((s, i) => {
      const o = outcomes[i];
      if (!o?.prediction) throw o?.error ?? new Error(`${s.imagePath}: not predicted`);
      return { name: s.name, image: s.imagePath, manual: s.landmarks, predicted: o.prediction.landmarks, scale: s.scale };
    });
    return summarise(rows, 'validation', modelDir);
  } finally {
    predictor.dispose();
  }
}

/** A training job; one that hits a WebGPU limit trains again on wasm (backend/fallback.ts). */
export async function runTrainJob(job: TrainJob, env: JobEnv): Promise<TrainResult> {
  return withWasmFallback(env, 'training', (e) => runTrainJobOnce(job, e));
}

async function runTrainJobOnce(job: TrainJob, env: JobEnv): Promise<TrainResult> {
  const started = Date.now();
  const presetName: PresetName = job.preset ?? 'default';
  const preset = getPreset(presetName);
  const d = preset.defaults(env.backend);
  const options: ResolvedTrainOptions = {
    inputSize: job.inputSize ?? d.inputSize,
    epochs: job.epochs ?? d.epochs,
    batchSize: job.batchSize ?? d.batchSize,
    learningRate: job.learningRate ?? d.learningRate,
    validationSplit: job.validationSplit ?? d.validationSplit,
    seed: job.seed ?? 1,
    patience: job.patience ?? d.patience,
  };
  if (!(options.epochs >= 1)) throw new Error(`epochs must be at least 1 (got ${options.epochs})`);
  if (!(options.batchSize >= 1)) throw new Error(`batch size must be at least 1 (got ${options.batchSize})`);
  const dataLabel = job.sources.map((s) => s.data).join(' + ');
  const set = await loadSamples(job.sources, { include: job.include, exclude: job.exclude });
  for (const e of set.errors) env.log(`data error: ${e}`);
  for (const s of set.skipped.slice(0, 10)) env.log(`skipped ${s.name} (${s.file}): ${s.why}`);
  if (set.skipped.length > 10) env.log(`... and ${set.skipped.length - 10} more specimen(s) skipped`);
  if (set.samples.length < 2) {
    throw new Error(
      `${dataLabel}: ${set.samples.length} usable specimen(s) (need at least 2 with images and landmarks); ` +
        `${set.skipped.length} skipped${set.skipped[0] ? `, e.g. ${set.skipped[0].name}: ${set.skipped[0].why}` : ''}`,
    );
  }
  const { train, validation } = splitSamples(set.samples, options.validationSplit, options.seed);
  // only the numbers this preset reads: a pipeline preset has no epochs or input size of its own
  const numbers = [
    ...(preset.uses.includes('inputSize') ? [`input ${options.inputSize.join('x')}`] : []),
    ...(preset.uses.includes('epochs') ? [`${options.epochs} epochs`] : []),
    ...(preset.uses.includes('batchSize') ? [`batch ${options.batchSize}`] : []),
  ];
  env.log(
    `training preset ${presetName} on ${dataLabel}: ${train.length} train / ${validation.length} validation image(s), ` +
      `${set.landmarkCount} landmarks, ${[...numbers, `backend ${env.backend}`, `seed ${options.seed}`].join(', ')}`,
  );
  const modelDir = path.resolve(job.out);
  const checkpointDir = path.join(modelDir, CHECKPOINT_DIR);
  if (!job.resume && fs.existsSync(path.join(modelDir, 'metadata.json'))) {
    env.log(`${modelDir} holds a model: it will be replaced when the first epoch is done`);
  }
  if (!job.resume) fs.rmSync(checkpointDir, { recursive: true, force: true });
  fs.mkdirSync(checkpointDir, { recursive: true });
  if (job.initFrom) {
    // Another landmark count is allowed: fine-tuning on a subset keeps every layer but the output.
    const init = readMetadata(job.initFrom);
    if (init.preset !== presetName) throw new Error(`${job.initFrom}: a ${init.preset} model cannot initialise preset ${presetName}`);
    if (init.landmarkCount !== set.landmarkCount) {
      env.log(`fine-tune: the model predicts ${init.landmarkCount} landmarks, this data set has ${set.landmarkCount}: the output layer starts anew`);
    }
  }

  const outcome = await preset.train({
    tf: env.tf,
    backend: env.backend,
    train,
    validation,
    landmarkCount: set.landmarkCount,
    options,
    modelDir,
    checkpointDir,
    resume: !!job.resume,
    initFrom: job.initFrom,
    ...(job.presetOptions ? { presetOptions: job.presetOptions } : {}),
    ...(job.profile ? { profile: job.profile } : {}),
    cancel: env.cancel,
    progress: (p) => env.progress(p),
    log: env.log,
  });
  if (outcome.bestEpoch === 0) {
    if (outcome.cancelled) {
      return {
        kind: 'train',
        modelDir,
        epochs: outcome.epochs,
        bestEpoch: 0,
        bestValLoss: NaN,
        cancelled: true,
        seconds: (Date.now() - started) / 1000,
      };
    }
    throw new Error(`training produced no model (no epoch completed)`);
  }
  const metadata: ModelMetadata = {
    format: 'landmarks-model',
    version: 1,
    preset: presetName,
    landmarkCount: set.landmarkCount,
    inputSize: options.inputSize,
    normalisation: { image: 'grey [0,1]', coordinates: '[-1,1] of the model input frame (original pixels in TPS files)' },
    training: {
      data: dataLabel,
      images: set.samples.length,
      trainImages: train.length,
      validationImages: validation.length,
      epochs: outcome.epochs,
      bestEpoch: outcome.bestEpoch,
      bestValLoss: outcome.bestValLoss,
      batchSize: options.batchSize,
      learningRate: options.learningRate,
      seed: options.seed,
      seconds: (Date.now() - started) / 1000,
      cancelled: outcome.cancelled,
      ...(job.sources.some((s) => s.landmarkSubset) ? { landmarkSubset: job.sources[0].landmarkSubset } : {}),
      ...(job.initFrom ? { initFrom: path.resolve(job.initFrom) } : {}),
    },
    backend: env.backend,
    presetData: { ...(outcome.presetData ?? {}), ...(outcome.history ? { history: outcome.history } : {}) },
    createdAt: new Date().toISOString(),
    engineVersion: ENGINE_VERSION,
  };
  writeMetadata(modelDir, metadata);
  let evaluation: EvaluationResult | undefined;
  if (validation.length) {
    env.progress({ kind: 'step', stage: 'validate', done: 0, total: validation.length });
    evaluation = await validationErrors(env, modelDir, validation);
    if (evaluation) {
      metadata.metrics = {
        meanPx: evaluation.mean,
        medianPx: evaluation.median,
        p90Px: evaluation.p90,
        perLandmarkMeanPx: evaluation.landmarks.map((l) => l.mean),
      };
      writeMetadata(modelDir, metadata);
      env.log(`validation error: mean ${evaluation.mean.toFixed(2)} px, median ${evaluation.median.toFixed(2)} px, p90 ${evaluation.p90.toFixed(2)} px`);
    }
  }
  if (!job.keepCheckpoint && !outcome.cancelled) fs.rmSync(checkpointDir, { recursive: true, force: true });
  return {
    kind: 'train',
    modelDir,
    epochs: outcome.epochs,
    bestEpoch: outcome.bestEpoch,
    bestValLoss: outcome.bestValLoss,
    cancelled: outcome.cancelled,
    validation: evaluation,
    seconds: (Date.now() - started) / 1000,
  };
}
