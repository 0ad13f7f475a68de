/**
 * One pipeline for every profile: trains its stages in order, each on the out-of-fold answers of
 * the stages before (./stage.ts), calibrates the doubt on the last answers, and predicts by
 * running the stages one after another on a photo's pyramid.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { BackendName } from '../../shared/protocol/engine';
import { PyramidPool, type GreyImage } from '../imaging/grey';
import { GreyPool, readGrey } from '../imaging/read-grey';
import { ModelFileError } from '../model-io/errors';
import { concatFloat32, readFloats, readHeader, writeFloatPair } from '../model-io/float-files';
import type { Prediction, Predictor, Sample } from '../presets/preset';
import { levelsFor } from '../stages/cascade/cascade';
import { stageNamed } from '../stages/registry';
import { calibratedBound, checkCalibration, expectedError, fitDoubtCalibration, MIN_CALIBRATION_PHOTOS, type DoubtCalibration } from './calibration';
import { keptBytes, MAX_KEPT_BYTES, PhotoStore } from './photos';
import { checkProfile, type Profile } from './profile';
import type { AnyStage, Fitted, Point, StageAnswer, StageMetric, StagePlan } from './stage';

export const PIPELINE_JSON = 'pipeline.json';
export const PIPELINE_BIN = 'pipeline.bin';

export interface PipelineModel {
  profile: Profile;
  landmarkCount: number;
  /** Pyramid levels the photos are cut into. */
  levels: number;
  /** The stages that were fitted, in order (a stage the data could not feed is left out). */
  stages: { stage: AnyStage; model: unknown }[];
  /** Maps the last raw doubt to a 90% error bound; absent with too few photos. */
  calibration?: DoubtCalibration;
  /** What each stage reported about its fit (training only; kept in metadata.json). */
  summaries?: Record<string, Record<string, unknown>>;
}

/** Where training stands: the running stage (1-based of `count`), its own done/total, and the whole run's fraction by estimated work. */
export interface PipelineProgress {
  stage: string;
  index: number;
  count: number;
  done: number;
  total: number;
  fraction: number;
  metric?: StageMetric;
}

export interface PipelineHooks {
  cancelled?(): boolean;
  progress?(p: PipelineProgress): void;
  log?(message: string): void;
}

/** Mean per-landmark doubt -> 0..1 confidence (1 = no doubt), relative to the photo's width. */
export function confidenceFromSpread(spreadPx: number[], width: number): number {
  const mean = spreadPx.reduce((a, b) => a + b, 0) / Math.max(1, spreadPx.length);
  return 1 / (1 + mean / Math.max(1, 0.005 * width));
}

/** Per photo and landmark, the answer's distance from the truth; NaN where the photo lacks that landmark. */
function errorsOf(answers: StageAnswer[], truths: Sample['landmarks'][]): number[][] {
  return answers.map((a, k) => a.landmarks.map((p, j) => {
    const q = truths[k][j];
    return q ? Math.hypot(p[0] - q[0], p[1] - q[1]) : NaN;
  }));
}

const meanOf = (a: number[][]): number => {
  const v = a.flat().filter(Number.isFinite);
  return v.reduce((x, y) => x + y, 0) / Math.max(1, v.length);
};

/**
 * Trains the profile's stages on `samples` and returns the model (no files written), or undefined
 * when cancelled. Stages the data cannot feed (too few photos, a backend too slow) are skipped
 * with the reason logged; the first stage must run.
 */
export async function trainPipeline(profile: Profile, samples: Sample[], landmarkCount: number, hooks: PipelineHooks = {}, backend?: BackendName): Promise<PipelineModel | undefined> {
  if (samples.length === 0) throw new Error(`${profile.name}: no training images`);
  const log = (m: string): void => hooks.log?.(`${profile.name}: ${m}`);
  const cancelled = (): boolean => hooks.cancelled?.() ?? false;
  const complete = samples.map((s, i) => (s.landmarks.length === landmarkCount && s.landmarks.every((p) => p !== null) ? i : -1)).filter((i) => i >= 0);
  const first = await readGrey(samples[0].imagePath);
  const levels = levelsFor(first.width);
  const plan: StagePlan = { samples, complete, landmarkCount, levels, firstSize: { width: first.width, height: first.height }, backend, folds: profile.folds, photosKept: true };
  const declared = profile.stages.map((s) => ({ stage: stageNamed(s.stage, `profile ${profile.name}`), options: s.options }));
  const feasible = (ss: typeof declared): typeof declared => ss.filter((s) => s.stage.whyNot(plan, s.options) === '');
  // keep the levels the later stages read when they fit in memory, else decode again per pass
  let running = feasible(declared);
  const lowest = running.slice(1).flatMap((s) => (s.stage.lowestLevel ? [s.stage.lowestLevel(plan, s.options)] : []));
  const keepFrom = running.length > 1 ? (lowest.length ? Math.min(...lowest) : 0) : levels;
  plan.photosKept = running.length > 1 && keptBytes(samples.length, levels, keepFrom, first) <= MAX_KEPT_BYTES;
  running = feasible(declared);
  for (const s of declared) if (!running.includes(s)) log(`no ${s.stage.name} stage: ${s.stage.whyNot(plan, s.options)}`);
  if (running[0] !== declared[0]) throw new Error(`${profile.name}: the first stage (${declared[0].stage.name}) cannot run: ${declared[0].stage.whyNot(plan, declared[0].options)}`);
  const photos = new PhotoStore(samples, levels, keepFrom, plan.photosKept);
  // calibrated on out-of-fold answers, which a lone first stage gives at the cost of its fold models;
  // photos lacking some landmarks count for the landmarks they have
  const calibrate = samples.length >= MIN_CALIBRATION_PHOTOS;
  const work = running.map((s) => Math.max(1e-3, s.stage.work(plan, s.options, plan.photosKept)));
  const allWork = work.reduce((a, b) => a + b, 0);
  let starts: (StageAnswer | undefined)[] = new Array(samples.length);
  const fitted: Fitted<unknown>[] = [];
  let before: (StageAnswer | undefined)[] = starts;
  for (const [k, s] of running.entries()) {
    const doneWork = work.slice(0, k).reduce((a, b) => a + b, 0);
    const f = await s.stage.fit(
      {
        ...plan,
        photos,
        starts,
        answersWanted: k < running.length - 1 || calibrate,
        cancelled,
        progress: (done, total, metric) =>
          hooks.progress?.({ stage: s.stage.name, index: k + 1, count: running.length, done, total, fraction: (doneWork + (work[k] * done) / Math.max(1, total)) / allWork, ...(metric ? { metric } : {}) }),
        log,
      },
      s.options,
    );
    if (!f || cancelled()) {
      // the stages fitted so far (and this one's partial model) hold tfjs weights
      [...fitted, ...(f ? [f] : [])].forEach((g, q) => running[q].stage.dispose?.(g.model));
      return undefined;
    }
    fitted.push(f);
    if (k < running.length - 1 && !f.answers) throw new Error(`${profile.name}: stage ${s.stage.name} gave no out-of-fold answers for the stage after it`);
    before = starts;
    starts = f.answers ?? starts;
  }
  let calibration: DoubtCalibration | undefined;
  const last = fitted[fitted.length - 1];
  if (calibrate && last.answers) {
    const ids = samples.flatMap((_, i) => (last.answers![i] ? [i] : []));
    const answers = ids.map((i) => last.answers![i] as StageAnswer);
    const truths = ids.map((i) => samples[i].landmarks);
    let errors = errorsOf(answers, truths);
    let which = last.inSample ? 'in-sample (optimistic: the last stage saw these photos)' : 'out-of-fold';
    if (last.inSample && ids.every((i) => before[i])) {
      // in-sample answers are optimistic, the stage before's out-of-fold ones pessimistic (no last stage): their mean
      const pre = errorsOf(ids.map((i) => before[i] as StageAnswer), truths);
      log(`doubt calibration errors: ${running[running.length - 2].stage.name} out-of-fold ${meanOf(pre).toFixed(2)} px, + ${running[running.length - 1].stage.name} (seen photos) ${meanOf(errors).toFixed(2)} px`);
      errors = pre.map((r, q) => r.map((e, j) => (e + errors[q][j]) / 2));
      which = 'in-sample and out-of-fold (their mean)';
    }
    calibration = fitDoubtCalibration(answers.map((a) => a.doubt), errors);
    if (calibration) log(`doubt calibrated to a 90% bound on the ${which} answers of ${ids.length} photos (signal weight ${calibration.weight})`);
  }
  return {
    profile: { ...profile, stages: profile.stages.filter((p) => running.some((r) => r.stage.name === p.stage)) },
    landmarkCount,
    levels,
    stages: running.map((s, k) => ({ stage: s.stage, model: fitted[k].model })),
    ...(calibration ? { calibration } : {}),
    summaries: Object.fromEntries(running.map((s, k) => [s.stage.name, fitted[k].summary ?? {}])),
  };
}

/** Frees what the model's stages hold (tfjs weights of the CNN stages). */
export function disposePipeline(model: PipelineModel): void {
  for (const s of model.stages) s.stage.dispose?.(s.model);
}

export class PipelinePredictor implements Predictor {
  readonly landmarkCount: number;
  /** Two photos at once: one decodes while the other is computed (src/engine/predict-each.ts). */
  readonly inFlight = 2;
  /**
   * Pyramid memory recycled between photos: one pool per prediction in flight, taken for the
   * whole of it, since a stage may await (a CNN's reads) while another photo is being computed.
   */
  private readonly freePyramids: PyramidPool[] = [];
  private readonly greys = new GreyPool();
  constructor(readonly model: PipelineModel) {
    this.landmarkCount = model.landmarkCount;
  }

  /** Every stage's answer on one photo, in order (each from the one before it). */
  private async answers(g: GreyImage): Promise<StageAnswer[]> {
    const pool = this.freePyramids.pop() ?? new PyramidPool();
    try {
      const pyr = pool.pyramid(g, this.model.levels);
      const out: StageAnswer[] = [];
      for (const s of this.model.stages) out.push(await s.stage.apply(s.model, pyr, out[out.length - 1]));
      return out;
    } finally {
      this.freePyramids.push(pool);
    }
  }

  /** Decodes the photo into recycled memory for `use`, and gives the memory back after. */
  private async withPhoto<T>(imagePath: string, use: (g: GreyImage) => Promise<T>): Promise<T> {
    const g = await readGrey(imagePath, this.greys);
    try {
      return await use(g);
    } finally {
      this.greys.give(g.data);
    }
  }

  async predictGrey(g: GreyImage): Promise<Prediction> {
    const all = await this.answers(g);
    const answer = all[all.length - 1];
    const c = this.model.calibration;
    const bound = c ? answer.doubt.map((d, j) => calibratedBound(c, j, d)) : answer.doubt;
    const expected = c ? answer.doubt.map((d, j) => expectedError(c, j, d)) : undefined;
    return {
      landmarks: answer.landmarks,
      spreadPx: bound,
      ...(expected ? { expectedPx: expected } : {}),
      // from the raw doubt: it ranks photos better than the expected errors on the bench
      confidence: confidenceFromSpread(answer.doubt, g.width),
      width: g.width,
      height: g.height,
    };
  }

  /** The landmarks after each stage on one photo (for the bench's per-stage table: each prefix is what a profile of those stages gives). */
  predictEachStage(imagePath: string): Promise<{ stage: string; landmarks: Point[] }[]> {
    return this.withPhoto(imagePath, async (g) => (await this.answers(g)).map((a, k) => ({ stage: this.model.stages[k].stage.name, landmarks: a.landmarks })));
  }

  predict(imagePath: string): Promise<Prediction> {
    return this.withPhoto(imagePath, (g) => this.predictGrey(g));
  }

  dispose(): void {
    disposePipeline(this.model);
  }
}

interface PipelineHeader {
  format: 'landmarks-pipeline';
  version: 1;
  profile: Profile;
  landmarkCount: number;
  levels: number;
  stages: { stage: string; meta: unknown; offset: number; length: number }[];
  calibration?: DoubtCalibration;
}

/** Writes pipeline.json + pipeline.bin (each atomically, the data first). */
export async function savePipeline(dir: string, model: PipelineModel): Promise<void> {
  const parts: Float32Array[] = [];
  const stages: PipelineHeader['stages'] = [];
  let offset = 0;
  for (const s of model.stages) {
    const p = await s.stage.serialise(s.model);
    stages.push({ stage: s.stage.name, meta: p.meta, offset, length: p.weights.length });
    parts.push(p.weights);
    offset += p.weights.length;
  }
  const header: PipelineHeader = { format: 'landmarks-pipeline', version: 1, profile: model.profile, landmarkCount: model.landmarkCount, levels: model.levels, stages, ...(model.calibration ? { calibration: model.calibration } : {}) };
  writeFloatPair(path.join(dir, PIPELINE_JSON), header, path.join(dir, PIPELINE_BIN), concatFloat32(parts), 0);
}

/** Whether `dir` holds a pipeline model file. */
export function hasPipeline(dir: string): boolean {
  return fs.existsSync(path.join(dir, PIPELINE_JSON));
}

/** Reads pipeline.json + pipeline.bin; errors name the file and the stage. */
export function loadPipeline(dir: string): PipelineModel {
  const jf = path.join(dir, PIPELINE_JSON);
  const bf = path.join(dir, PIPELINE_BIN);
  if (!fs.existsSync(jf)) throw new ModelFileError(jf, 'missing (not a pipeline model folder?)');
  const h = readHeader<PipelineHeader>(jf, bf);
  if (h.format !== 'landmarks-pipeline' || h.version !== 1 || !Array.isArray(h.stages) || !h.stages.length) throw new ModelFileError(jf, 'not a version-1 pipeline model');
  const all = readFloats(bf, h.stages.reduce((a, s) => Math.max(a, s.offset + s.length), 0), PIPELINE_JSON);
  let profile: Profile;
  try {
    profile = checkProfile(h.profile, jf);
  } catch (e) {
    throw new ModelFileError(jf, (e as Error).message);
  }
  const stages = h.stages.map((s) => {
    try {
      const stage = stageNamed(s.stage, jf);
      return { stage, model: stage.deserialise({ meta: s.meta, weights: all.subarray(s.offset, s.offset + s.length) }, h.landmarkCount) };
    } catch (e) {
      throw new ModelFileError(jf, `stage ${s.stage}: ${(e as Error).message}`);
    }
  });
  let calibration: DoubtCalibration | undefined;
  if (h.calibration !== undefined) {
    try {
      calibration = checkCalibration(h.calibration, h.landmarkCount);
    } catch (e) {
      throw new ModelFileError(jf, (e as Error).message);
    }
  }
  return { profile, landmarkCount: h.landmarkCount, levels: h.levels, stages, ...(calibration ? { calibration } : {}) };
}
