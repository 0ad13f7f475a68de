/**
 * Preset `default`: accurate at the photos' full resolution and fast on a CPU, in four stages
 * whose code lives in src/engine/stages (this file wires them; the pipeline contract is to come).
 * 1. Cascade (src/engine/stages/cascade): coarse-to-fine template matching on an image pyramid with a
 *    statistical shape prior, from ~110 px wide down to full size.
 * 2. Contour (src/engine/stages/contour): where the object stands out from a plain background, learned rules
 *    (snap to the outline, extreme point, curvature) and a regression from the outline's shape
 *    move the landmarks that lie on the silhouette; it switches itself off elsewhere.
 * 3. SDM (src/engine/stages/sdm): a few cascaded ridge regressions from gradient histograms around all landmarks
 *    to the update of all of them jointly, coarse to fine, run from the start and four shifted
 *    copies of it (test-time augmentation) and averaged.
 * 4. Patch CNN (src/engine/stages/patchnet): a small heatmap network on patches around each
 *    landmark, from SDM's out-of-fold answers (30+ photos, wasm or native backend).
 * Stages 2 to 4 learn from out-of-fold answers of the stages before them (stages/cascade/folds.ts), so they
 * learn to fix the errors made on photos the earlier stages never saw. No epochs: training is a
 * few passes over the photos (about 1.5 min for 120 mollusk photos). Each prediction carries a
 * per-landmark doubt in pixels (template sets disagree, poor final match, unusual shape, how far
 * SDM moved it, how far its shifted runs disagree) and a 0..1 confidence, for outlier ranking.
 * With 20+ complete training photos that raw doubt is calibrated (src/engine/pipeline/calibration.ts, on the
 * training photos' out-of-fold errors) into the bound each landmark's error stays under 90% of
 * the time, plus an expected error (the 0..1 confidence still comes from the raw doubt).
 */
import sharp from 'sharp';
import type { BackendName } from '../../../shared/protocol/engine';
import { decodeFullGrey } from '../../data/image';
import type { LoadContext, Prediction, Predictor, Preset, PresetDefaults, Sample, TrainContext, TrainOutcome } from '../preset';
import { CascadeBuilder, DEFAULT_CASCADE, landmarkDoubt, levelsFor, locate, objectBox, type CascadeConfig, type CascadeModel, type Landmarks } from '../../stages/cascade/cascade';
import { applyContour, applyContourTo, contourOf, DEFAULT_CONTOUR, fitContourModel, type ContourConfig, type ContourModel } from '../../stages/contour/model';
import type { Contour } from '../../stages/contour/segment';
import { calibratedBound, expectedError, fitDoubtCalibration, MIN_CALIBRATION_PHOTOS, type DoubtCalibration } from '../../pipeline/calibration';
import { foldOf, trainWithFolds } from '../../stages/cascade/folds';
import { pyramid, PyramidPool, type GreyImage } from '../../imaging/grey';
import { loadCascade, saveCascade } from '../../stages/cascade/model-file';
import { loadRefine, saveRefine, type RefineModels } from '../../pipeline/legacy-refine-file';
import { applyPatchNet, DEFAULT_PATCHNET, disposePatchNet, trainPatchNet, type PatchNetConfig, type PatchNetModel } from '../../stages/patchnet';
import { applySdm, DEFAULT_SDM, sdmStageLevels, SdmTrainer, type SdmConfig, type SdmModel } from '../../stages/sdm';

/**
 * Full-resolution grey photo as a Float32 image (0..255, 8-bit luma 0.299 R + 0.587 G + 0.114 B,
 * identical to decodeFullGrey's). Fast path: libvips decodes upright 8-bit RGB and the luma is
 * computed here straight into floats (less CPU than libvips' float recombination + copy; training
 * ~20% faster, prediction with two in flight unchanged). Anything that is not a 3-channel JPEG
 * (other formats, grey, CMYK, errors) goes through decodeFullGrey, which names the file in errors.
 */
export async function readGrey(file: string, pool?: GreyPool): Promise<GreyImage> {
  const rgb = await decodeRgbFast(file);
  if (rgb) {
    const n = rgb.width * rgb.height;
    return { width: rgb.width, height: rgb.height, data: lumaOf(rgb.data, n, pool?.take(n)) };
  }
  const g = await decodeFullGrey(file);
  return { width: g.width, height: g.height, data: Float32Array.from(g.data) };
}

/** floor((299 R + 587 G + 114 B) / 1000) for every sum: libvips' 8-bit luma exactly. */
let lumaTable: Uint8Array | undefined;

/**
 * Recycled full-resolution grey arrays for prediction: a fresh 2000 x 2941 Float32Array costs
 * ~30 ms of page faults and zeroing per photo, a recycled one nothing. take() hands out an array
 * of exactly n values (new when none is free); give() returns it once the photo is done.
 */
export class GreyPool {
  private readonly free: Float32Array[] = [];
  constructor(private readonly keep = 3) {}
  take(n: number): Float32Array {
    const i = this.free.findIndex((a) => a.length === n);
    return i >= 0 ? this.free.splice(i, 1)[0] : new Float32Array(n);
  }
  give(a: Float32Array): void {
    if (this.free.length < this.keep && !this.free.includes(a)) this.free.push(a);
  }
}

/** The same 8-bit luma as decodeFullGrey, bit for bit (libvips truncates; exact in integers). */
export function lumaOf(rgb: Uint8Array, n: number, into?: Float32Array): Float32Array {
  if (!lumaTable) {
    lumaTable = new Uint8Array(255001); // 255 KB: stays in cache
    for (let q = 0; q <= 255000; q++) lumaTable[q] = Math.floor(q / 1000);
  }
  const t = lumaTable;
  const out = into && into.length === n ? into : new Float32Array(n);
  for (let i = 0, k = 0; i < n; i++, k += 3) out[i] = t[299 * rgb[k] + 587 * rgb[k + 1] + 114 * rgb[k + 2]];
  return out;
}

/** Upright 8-bit RGB of a 3-channel JPEG, else undefined (then decodeFullGrey handles it). */
async function decodeRgbFast(file: string): Promise<{ data: Uint8Array; width: number; height: number } | undefined> {
  if (!/\.jpe?g$/i.test(file)) return undefined;
  try {
    const { data, info } = await sharp(file, { failOn: 'error' })
      .rotate()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || data.length !== info.width * info.height * 3) return undefined;
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
  } catch {
    return undefined;
  }
}

/** Mean per-landmark disagreement -> 0..1 confidence (1 = the two matchings agree exactly). */
export function confidenceFromSpread(spreadPx: number[], width: number): number {
  const mean = spreadPx.reduce((a, b) => a + b, 0) / Math.max(1, spreadPx.length);
  return 1 / (1 + mean / Math.max(1, 0.005 * width));
}

/**
 * Whether the photos show one object on a plain background: for most landmarks, the object's
 * box (stages/cascade objectBox) holds them, so landmarks relative to that box transfer well.
 */
function chooseAlign(boxesAndLandmarks: { box: [number, number, number, number]; landmarks: Sample['landmarks'] }[]): 'bbox' | 'frame' {
  let inside = 0;
  let total = 0;
  for (const { box, landmarks } of boxesAndLandmarks) {
    const mx = 0.1 * (box[2] - box[0]);
    const my = 0.1 * (box[3] - box[1]);
    for (const p of landmarks) {
      if (!p) continue;
      total++;
      if (p[0] >= box[0] - mx && p[0] <= box[2] + mx && p[1] >= box[1] - my && p[1] <= box[3] + my) inside++;
    }
  }
  return total > 0 && inside / total >= 0.95 ? 'bbox' : 'frame';
}

export interface DefaultTrainSettings {
  /** Overrides of the cascade settings (experiments, tests). */
  cascade?: Partial<CascadeConfig>;
  /** The learned refinement after the cascade (SDM, stages/sdm): false = cascade only. */
  sdm?: Partial<SdmConfig> | false;
  /** The silhouette-contour stage before SDM (stages/contour): false = off. */
  contour?: Partial<ContourConfig> | false;
  /** The patch CNN after SDM (stages/patchnet): false = off. Trained only on wasm or native backends. */
  patchnet?: boolean | { steps: number };
  /** The tfjs backend running (the patch CNN is not trained on the pure-JS `cpu` one: too slow). */
  backend?: BackendName;
  /** Folds for the out-of-fold starts the refinement learns from (default 4). */
  folds?: number;
}

/** The cascade plus the stages that refine its answer. */
export interface DefaultModel {
  cascade: CascadeModel;
  refine: RefineModels;
}

/** Fewest complete training photos for which a refinement stage is learned. */
export const MIN_REFINE_PHOTOS = 12;

type TrainHooks = { cancelled?: () => boolean; step?: (done: number, total: number, phase: string) => void; log?: (m: string) => void };

/**
 * Trains the cascade and, with enough photos, the SDM refinement: one pass builds the cascade
 * and K fold cascades, a second locates every photo with the cascade that did not see it
 * (starts with realistic errors), then each SDM stage takes one more pass over the photos.
 * Photos are decoded per pass, never all held at full resolution.
 */
export async function trainDefault(samples: Sample[], landmarkCount: number, hooks: TrainHooks = {}, settings: DefaultTrainSettings = {}): Promise<DefaultModel | undefined> {
  const complete = samples.filter((s) => s.landmarks.length === landmarkCount && s.landmarks.every((p) => p !== null));
  const sdmOn = settings.sdm !== false && complete.length >= MIN_REFINE_PHOTOS;
  if (!sdmOn) {
    if (settings.sdm !== false) hooks.log?.(`default preset: ${complete.length} photos with every landmark (< ${MIN_REFINE_PHOTOS}): cascade only, no refinement stage`);
    const cascade = await trainCascade(samples, landmarkCount, { ...hooks, step: (d, t) => hooks.step?.(d, t, 'cutting patches') }, settings);
    return cascade && { cascade, refine: {} };
  }
  const { config, first } = await chooseConfig(samples, settings, hooks.log);
  const folds = settings.folds ?? 4;
  const read = (i: number): Promise<GreyImage> => readGrey(samples[i].imagePath);
  const sdmConfig = settings.sdm || {};
  const stages = (sdmConfig.windows ?? DEFAULT_SDM.windows).length;
  const idx = samples.map((s, i) => (complete.includes(s) ? i : -1)).filter((i) => i >= 0);
  const levelsUsed = sdmStageLevels(idx.map((i) => samples[i].landmarks as [number, number][]), config.levels, sdmConfig);
  const lowest = Math.min(...levelsUsed);
  // keep the levels SDM reads from the locating pass when they fit in memory, else decode again per stage
  const kept = new Map<number, GreyImage[]>();
  const contourOn = settings.contour !== false;
  const contourConfig: ContourConfig = { ...DEFAULT_CONTOUR, ...(settings.contour || {}) };
  const contours: Contour[] = new Array(samples.length);
  const keep = keptBytes(samples.length, config.levels, lowest, first) <= MAX_KEPT_BYTES;
  const whyNoCnn =
    idx.length < MIN_PATCHNET_PHOTOS
      ? `${idx.length} complete photos (< ${MIN_PATCHNET_PHOTOS})`
      : !keep
        ? 'photos too large to keep in memory'
        : !settings.backend || settings.backend === 'cpu'
          ? `the ${settings.backend ?? 'default'} tfjs backend is too slow to train it (wasm or native needed)`
          : '';
  const cnnSteps = settings.patchnet === false || whyNoCnn ? 0 : 2 * (typeof settings.patchnet === 'object' ? settings.patchnet.steps : DEFAULT_CNN_STEPS);
  const beforeCnn = 2 * samples.length + (keep ? 0 : stages * idx.length);
  // one progress scale for the whole training: photo passes, then the CNN's optimizer steps
  const total = beforeCnn + cnnSteps;
  const out = await trainWithFolds(
    {
      read,
      landmarks: samples.map((s) => s.landmarks as Landmarks),
      config,
      landmarkCount,
      folds,
      cancelled: hooks.cancelled,
      step: (d) => hooks.step?.(d, total, d <= samples.length ? 'cutting patches' : 'locating each photo with the other folds'),
    },
    (i, pyr) => {
      if (contourOn) contours[i] = contourOf(pyr, contourConfig);
      if (keep && complete.includes(samples[i])) kept.set(i, pyr.map((g, l) => (l < lowest ? EMPTY : g)));
    },
  );
  if (!out) return undefined;
  // contour stage: learned on the cascade's out-of-fold starts; SDM then learns on the contour
  // stage's out-of-fold answers (K contour fits, cheap: the outlines are kept)
  let starts = out.starts;
  let contour: ContourModel | undefined;
  if (contourOn) {
    const item = (i: number) => ({ contour: contours[i], truth: samples[i].landmarks, start: out.starts[i] });
    const all = samples.map((_, i) => i);
    contour = fitContourModel(all.map(item), contourConfig);
    const K = Math.max(2, Math.min(folds, samples.length));
    const oof: [number, number][][] = new Array(samples.length);
    for (let f = 0; f < K; f++) {
      if (hooks.cancelled?.()) return undefined;
      const m = fitContourModel(all.filter((i) => foldOf(i, K) !== f).map(item), contourConfig);
      for (const i of all.filter((i) => foldOf(i, K) === f)) oof[i] = applyContourTo(m, contours[i], out.starts[i]).landmarks;
      await new Promise((r) => setImmediate(r));
    }
    starts = oof;
    const used = contour.rules.filter((r) => r.kind !== 'keep').length;
    hooks.log?.(`default preset: contour stage: ${contour.regression ? 'outline regression + ' : ''}${used} landmark rule(s)`);
  }
  const t = new SdmTrainer(
    idx.map((i) => ({ truth: samples[i].landmarks as [number, number][], start: starts[i] })),
    config.levels,
    sdmConfig,
  );
  let done = 2 * samples.length;
  while (!t.done) {
    for (const [k, i] of idx.entries()) {
      if (hooks.cancelled?.()) return undefined;
      t.addItem(k, kept.get(i) ?? pyramid(await read(i), config.levels));
      if (!keep) hooks.step?.(++done, total, `refinement stage ${t.stage + 1}/${stages}`);
      await new Promise((r) => setImmediate(r)); // lets a cancel message in
    }
    t.finishStage();
  }
  hooks.log?.(`default preset: SDM refinement, ${stages} stages (pyramid levels ${levelsUsed.join(', ')}) on ${idx.length} photos from ${folds}-fold starts`);
  const sdm = t.model();
  // SDM's out-of-fold answers on the training photos: what the CNN will be handed, and (with the
  // cascade's out-of-fold doubt) the raw doubt signals the calibration maps to error bounds
  const cnnWanted = settings.patchnet !== false && !whyNoCnn;
  const calibrate = keep && idx.length >= MIN_CALIBRATION_PHOTOS;
  let sdmOof: [number, number][][] | undefined;
  let oofSignals: number[][] | undefined;
  if (cnnWanted || calibrate) {
    const K = Math.max(2, Math.min(folds, idx.length));
    sdmOof = new Array(idx.length);
    oofSignals = new Array(idx.length);
    for (let f = 0; f < K; f++) {
      const ids = idx.map((_, k) => k).filter((k) => foldOf(k, K) !== f);
      const ft = new SdmTrainer(ids.map((k) => ({ truth: samples[idx[k]].landmarks as [number, number][], start: starts[idx[k]] })), config.levels, sdmConfig);
      while (!ft.done) {
        if (hooks.cancelled?.()) return undefined;
        ids.forEach((k, q) => ft.addItem(q, kept.get(idx[k])!));
        ft.finishStage();
        await new Promise((r) => setImmediate(r));
      }
      const m = ft.model();
      for (const [k, i] of idx.entries()) {
        if (foldOf(k, K) !== f) continue;
        const r = refineWithTta(m, kept.get(i)!, starts[i]);
        sdmOof[k] = r.landmarks;
        oofSignals[k] = out.doubts[i].map((d, j) => d + r.moved[j] + TTA_DOUBT_WEIGHT * r.spread[j]);
      }
    }
  }
  const errorsOf = (pts: [number, number][][]): number[][] => idx.map((i, k) => pts[k].map((p, j) => {
    const q = samples[i].landmarks[j]!;
    return Math.hypot(p[0] - q[0], p[1] - q[1]);
  }));
  let patchnet: PatchNetModel | undefined;
  if (settings.patchnet !== false) {
    if (whyNoCnn) hooks.log?.(`default preset: no patch CNN stage: ${whyNoCnn}`);
    else if (sdmOof) {
      let se = 0;
      let ne = 0;
      for (const r of errorsOf(sdmOof)) for (const e of r) {
        se += e * e;
        ne++;
      }
      const rms = Math.sqrt(se / ne);
      const pnConfig = patchnetConfigFor(rms, lowest, config.levels, typeof settings.patchnet === 'object' ? settings.patchnet.steps : undefined);
      hooks.log?.(`default preset: patch CNN on ${idx.length} photos, SDM out-of-fold RMS error ${rms.toFixed(1)} px, passes at pyramid levels ${pnConfig.passes.map((p) => p.level).join(', ')}`);
      const oof = sdmOof;
      patchnet = await trainPatchNet(
        idx.map((i, k) => ({ pyr: kept.get(i)!, truth: samples[i].landmarks, start: oof[k] })),
        { cancelled: hooks.cancelled, step: (d) => hooks.step?.(beforeCnn + d, total, 'training the patch CNN'), log: hooks.log },
        pnConfig,
      );
      if (hooks.cancelled?.()) return undefined;
    }
  }
  let calibration: DoubtCalibration | undefined;
  if (calibrate && sdmOof && oofSignals) {
    // The error the bound is calibrated on: SDM's out-of-fold error, and with the patch CNN the
    // mean of that (pessimistic: no CNN) and the CNN's answer from those starts (optimistic: the
    // CNN saw these photos), since a K-fold CNN would cost K trainings.
    const pre = errorsOf(sdmOof);
    let errors = pre;
    if (patchnet) {
      const post: [number, number][][] = [];
      for (const [k, i] of idx.entries()) {
        if (hooks.cancelled?.()) return undefined;
        post.push((await applyPatchNet(patchnet, kept.get(i)!, sdmOof[k])).landmarks);
      }
      const postErr = errorsOf(post);
      errors = pre.map((r, k) => r.map((e, j) => (e + postErr[k][j]) / 2));
      const mean = (a: number[][]): string => (a.flat().reduce((x, y) => x + y, 0) / Math.max(1, a.flat().length)).toFixed(2);
      hooks.log?.(`default preset: doubt calibration errors: SDM out-of-fold ${mean(pre)} px, + patch CNN (seen photos) ${mean(postErr)} px`);
    }
    calibration = fitDoubtCalibration(oofSignals, errors);
    if (calibration) hooks.log?.(`default preset: doubt calibrated to a 90% bound on ${idx.length} out-of-fold photos (signal weight ${calibration.weight})`);
  }
  return { cascade: out.model, refine: { contour, sdm, patchnet, ...(calibration ? { calibration } : {}) } };
}

/** Fewest complete training photos for the patch CNN stage (it needs data; tests with a dozen photos skip it). */
export const MIN_PATCHNET_PHOTOS = 30;

/**
 * The patch CNN's passes, scaled to the error it is handed (RMS, original px): the finer pass's
 * 32 px patch spans ~11x that error, the coarser pass one level up twice that; training centres
 * spread like the error. At the mollusk's ~40 px this gives the settings tuned on its validation
 * split (levels 4 and 3, noise 50 / 25 px), at the fly wings' ~3 px levels 1 and 0 (noise 4 / 2 px).
 */
/** Optimizer steps of each of the patch CNN's two passes. */
export const DEFAULT_CNN_STEPS = 1000;

export function patchnetConfigFor(rmsPx: number, lowestLevel: number, levels: number, steps = DEFAULT_CNN_STEPS): PatchNetConfig {
  const fine = Math.min(levels - 2, Math.max(lowestLevel, Math.floor(Math.log2((11 * rmsPx) / 32))));
  const r = Math.max(1, rmsPx);
  return {
    ...DEFAULT_PATCHNET,
    passes: [
      { level: fine + 1, size: 32, width: 8, steps, startShare: 0.5, startJitterPx: 0.2 * r, noisePx: 1.25 * r, maxOffsetPx: 6 * r },
      { level: fine, size: 32, width: 8, steps, startShare: 0.3, startJitterPx: 0.2 * r, noisePx: 0.6 * r, maxOffsetPx: 2.75 * r },
    ],
  };
}

/** Most bytes of pyramid levels kept in memory between the training passes. */
const MAX_KEPT_BYTES = 1 << 30;
const EMPTY: GreyImage = { width: 0, height: 0, data: new Float32Array(0) };

function keptBytes(photos: number, levels: number, lowest: number, first: { width: number; height: number }): number {
  let b = 0;
  for (let l = lowest; l < levels; l++) b += 4 * Math.ceil(first.width / 2 ** l) * Math.ceil(first.height / 2 ** l);
  return b * photos;
}

/** Pyramid levels and alignment, decided on the first (up to 8) photos; and the first photo's size. */
async function chooseConfig(samples: Sample[], settings: DefaultTrainSettings, log?: (m: string) => void): Promise<{ config: CascadeConfig; first: { width: number; height: number } }> {
  const first = await readGrey(samples[0].imagePath);
  const levels = settings.cascade?.levels ?? levelsFor(first.width);
  const base: CascadeConfig = { ...DEFAULT_CASCADE, levels, ...settings.cascade };
  const size = { width: first.width, height: first.height };
  if (settings.cascade?.align) return { config: base, first: size };
  const pending: { box: [number, number, number, number]; landmarks: Sample['landmarks'] }[] = [];
  for (const [i, s] of samples.slice(0, 8).entries()) {
    const g = i === 0 ? first : await readGrey(s.imagePath);
    const pyr = pyramid(g, levels);
    pending.push({ box: objectBox(pyr[levels - 1], levels - 1), landmarks: s.landmarks });
  }
  const align = chooseAlign(pending);
  log?.(`default preset: ${levels} pyramid levels, landmarks relative to the ${align === 'bbox' ? "object's box" : 'whole frame'}`);
  return { config: { ...base, align }, first: size };
}

/** Trains on `samples` and returns the model (no files written). */
export async function trainCascade(
  samples: Sample[],
  landmarkCount: number,
  hooks: { cancelled?: () => boolean; step?: (done: number, total: number) => void; log?: (m: string) => void } = {},
  settings: DefaultTrainSettings = {},
): Promise<CascadeModel | undefined> {
  if (samples.length === 0) throw new Error('default preset: no training images');
  const { config } = await chooseConfig(samples, settings, hooks.log);
  const builder = new CascadeBuilder(config, landmarkCount);
  for (const [i, s] of samples.entries()) {
    if (hooks.cancelled?.()) return undefined;
    builder.add(pyramid(await readGrey(s.imagePath), config.levels), s.landmarks);
    hooks.step?.(i + 1, samples.length);
    await new Promise((r) => setImmediate(r));
  }
  return builder.build();
}

/** Test-time augmentation of the SDM stage: the start shifted by this share of the shape's size, left/right/up/down. */
export const TTA_SHIFT = 0.03;
/**
 * Weight of the TTA spread in the doubt. Chosen on the mollusk validation split (120 photos, every
 * stage out-of-fold, docs/benchmark-history.md): the 10% most doubtful landmarks hold 36%
 * of the big errors (> p90) with it, 31% without (landmarkDoubt + SDM movement), 28% with the
 * contour stage's movement added; photos 27% / 26% / 26%.
 */
export const TTA_DOUBT_WEIGHT = 4;

/**
 * SDM from the start and from four shifted copies of it; the answer is their mean (mollusk
 * validation 27.26 -> 27.14 px), `spread` their mean distance from it, `moved` how far the
 * unshifted run moved each landmark from the start.
 */
export function refineWithTta(model: SdmModel, pyr: GreyImage[], start: [number, number][]): { landmarks: [number, number][]; moved: number[]; spread: number[] } {
  const own = applySdm(model, pyr, start);
  const xs = start.map((p) => p[0]);
  const ys = start.map((p) => p[1]);
  const d = TTA_SHIFT * Math.hypot(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys));
  const runs = [own.landmarks];
  for (const [dx, dy] of [[1, 0], [-1, 0], [0, 1], [0, -1]]) {
    runs.push(applySdm(model, pyr, start.map((p) => [p[0] + dx * d, p[1] + dy * d] as [number, number])).landmarks);
  }
  const landmarks = start.map((_, j) => [runs.reduce((a, q) => a + q[j][0], 0) / runs.length, runs.reduce((a, q) => a + q[j][1], 0) / runs.length] as [number, number]);
  const spread = landmarks.map((m, j) => runs.reduce((a, q) => a + Math.hypot(q[j][0] - m[0], q[j][1] - m[1]), 0) / runs.length);
  return { landmarks, moved: own.doubt, spread };
}

export class CascadePredictor implements Predictor {
  readonly landmarkCount: number;
  readonly model: CascadeModel;
  readonly refine: RefineModels;
  /** Memory recycled between photos (one photo at a time, awaited, and no stage keeps the pyramid). */
  private readonly pyramids = new PyramidPool();
  private readonly greys = new GreyPool();
  constructor(model: CascadeModel | DefaultModel) {
    this.model = 'cascade' in model ? model.cascade : model;
    this.refine = 'cascade' in model ? model.refine : {};
    this.landmarkCount = this.model.landmarkCount;
  }

  async predictGrey(g: GreyImage): Promise<Prediction> {
    const pyr = this.pyramids.pyramid(g, this.model.config.levels);
    const r = locate(this.model, pyr);
    // doubt per landmark: the two template sets disagree, the answer is an unusual shape, the
    // final match is poor; plus how far SDM had to move it and how much its shifted runs disagree
    let doubt = landmarkDoubt(r, g.width);
    let landmarks = r.landmarks;
    if (this.refine.contour) landmarks = applyContour(this.refine.contour, pyr, landmarks).landmarks;
    if (this.refine.sdm) {
      const s = refineWithTta(this.refine.sdm, pyr, landmarks);
      landmarks = s.landmarks;
      doubt = doubt.map((d, j) => d + s.moved[j] + TTA_DOUBT_WEIGHT * s.spread[j]);
    }
    if (this.refine.patchnet) landmarks = (await applyPatchNet(this.refine.patchnet, pyr, landmarks)).landmarks;
    // calibrated (models trained with SDM on enough photos): the 90% error bound and the expected error
    const c = this.refine.sdm ? this.refine.calibration : undefined;
    const bound = c ? doubt.map((d, j) => calibratedBound(c, j, d)) : doubt;
    const expected = c ? doubt.map((d, j) => expectedError(c, j, d)) : undefined;
    return {
      landmarks,
      spreadPx: bound,
      ...(expected ? { expectedPx: expected } : {}),
      // from the raw doubt, as before: it ranks photos better than the expected errors on the
      // bench (the 10% least confident hold 27% / 14% of the big errors, against 22% / 11%)
      confidence: confidenceFromSpread(doubt, g.width),
      width: g.width,
      height: g.height,
    };
  }

  async predict(imagePath: string): Promise<Prediction> {
    const g = await readGrey(imagePath, this.greys);
    try {
      return await this.predictGrey(g);
    } finally {
      this.greys.give(g.data);
    }
  }

  dispose(): void {
    if (this.refine.patchnet) disposePatchNet(this.refine.patchnet);
  }
}

function defaults(_backend: BackendName): PresetDefaults {
  void _backend;
  // No epochs or learning rate: training is one pass over the photos. inputSize is nominal
  // (the coarsest pyramid level is ~110 px wide; the finest is the photo itself).
  return { inputSize: [128, 128], epochs: 1, batchSize: 1, learningRate: 0, validationSplit: 0.1, patience: 0 };
}

async function train(ctx: TrainContext): Promise<TrainOutcome> {
  const started = Date.now();
  const model = await trainDefault(ctx.train, ctx.landmarkCount, {
    cancelled: () => ctx.cancel.cancelled,
    step: (done, total, phase) =>
      ctx.progress({
        kind: 'train',
        epoch: 1,
        epochs: 1,
        batch: done,
        batches: total,
        etaSeconds: Math.round((((Date.now() - started) / done) * (total - done)) / 1000),
        message: `${phase} (${done}/${total})`,
      }),
    log: ctx.log,
  }, { backend: ctx.backend });
  if (!model) return { epochs: 0, bestEpoch: 0, bestValLoss: NaN, cancelled: true };
  saveCascade(ctx.modelDir, model.cascade);
  await saveRefine(ctx.modelDir, model.refine);
  const c = model.cascade;
  ctx.log(`default preset: ${c.count} training photos, ${c.config.levels} levels, patch ${c.config.patch} px${model.refine.sdm ? `, SDM refinement (${model.refine.sdm.stages.length} stages)` : ''}`);
  return {
    epochs: 1,
    bestEpoch: 1,
    bestValLoss: NaN,
    cancelled: false,
    presetData: {
      method: model.refine.sdm ? 'coarse-to-fine template matching + shape prior, then SDM (cascaded ridge regression on gradient histograms)' : 'coarse-to-fine template matching + shape prior',
      cascade: c.config,
      trainImages: c.count,
      ...(model.refine.sdm ? { sdm: { stages: model.refine.sdm.stages.map((st) => ({ window: st.window, level: st.level })) } } : {}),
    },
  };
}

async function load(dir: string, _ctx: LoadContext): Promise<Predictor> {
  void _ctx;
  const cascade = loadCascade(dir);
  return new CascadePredictor({ cascade, refine: loadRefine(dir, cascade.landmarkCount) });
}

export const defaultPreset: Preset = {
  name: 'default',
  description: 'Coarse-to-fine template matching at full photo resolution with a shape prior, then learned outline, SDM and patch-CNN refinement; trains in minutes on a CPU.',
  defaults,
  train,
  load,
};
