/**
 * The patch CNN as a pipeline stage: a small heatmap network on patches around each landmark,
 * learned from the stage before's out-of-fold answers, in two passes (coarse, then fine) whose
 * pyramid levels and noise scale with the error it is handed.
 */
import type { OptionValues } from '../../../shared/protocol/options';
import type { FitContext, Fitted, Point, Stage, StageAnswer } from '../../pipeline/stage';
import { applyPatchNet, DEFAULT_PATCHNET, deserialisePatchNet, disposePatchNet, serialisePatchNet, trainPatchNet, type PatchNetConfig, type PatchNetMeta, type PatchNetModel } from './index';

/** Fewest complete training photos for the patch CNN (it needs data; tests with a dozen photos skip it). */
export const MIN_PATCHNET_PHOTOS = 30;

/** Optimizer steps of each of the patch CNN's two passes. */
export const DEFAULT_CNN_STEPS = 1000;

/**
 * The patch CNN's passes, scaled to the error it is handed (RMS, original px): the finer pass's
 * 32 px patch spans ~11x that error, the coarser pass one level up twice that; training centres
 * spread like the error. At the mollusk's ~40 px this gives the settings tuned on its validation
 * split (levels 4 and 3, noise 50 / 25 px), at the fly wings' ~3 px levels 1 and 0 (noise 4 / 2 px).
 */
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

/** A landmark's error (original px) at answer p. */
function errorAt(p: Point, q: Point): number {
  return Math.hypot(p[0] - q[0], p[1] - q[1]);
}

async function fit(ctx: FitContext, o: OptionValues): Promise<Fitted<PatchNetModel> | undefined> {
  const idx = ctx.complete.filter((i) => ctx.starts[i]);
  const start = (i: number): StageAnswer => ctx.starts[i] as StageAnswer;
  let se = 0;
  let n = 0;
  for (const i of idx) start(i).landmarks.forEach((p, j) => {
    se += errorAt(p, ctx.samples[i].landmarks[j] as Point) ** 2;
    n++;
  });
  const rms = Math.sqrt(se / Math.max(1, n));
  const steps = o.steps as number;
  const config = patchnetConfigFor(rms, ctx.photos.keepFrom, ctx.levels, steps);
  ctx.log(`patch CNN on ${idx.length} photos, start RMS error ${rms.toFixed(1)} px, passes at pyramid levels ${config.passes.map((p) => p.level).join(', ')}`);
  const model = await trainPatchNet(
    idx.map((i) => ({ pyr: () => ctx.photos.pyramid(i), truth: ctx.samples[i].landmarks, start: start(i).landmarks })),
    {
      cancelled: () => ctx.cancelled(),
      // the curve: a point every 50 steps (the running loss moves slowly)
      step: (d, t, loss) => ctx.progress(d, t, loss !== undefined && (d % 50 === 0 || d === t) ? { name: 'training loss px', value: loss } : undefined),
      log: (m) => ctx.log(m),
    },
    config,
  );
  if (ctx.cancelled()) {
    disposePatchNet(model);
    return undefined;
  }
  const summary = { steps, levels: config.passes.map((p) => p.level) };
  if (!ctx.answersWanted) return { model, summary };
  // in-sample: a K-fold CNN would cost K trainings; the calibration knows these answers are optimistic
  const answers: (StageAnswer | undefined)[] = new Array(ctx.samples.length);
  for (const i of idx) {
    if (ctx.cancelled()) return undefined;
    answers[i] = { landmarks: (await applyPatchNet(model, await ctx.photos.pyramid(i), start(i).landmarks)).landmarks, doubt: start(i).doubt };
  }
  return { model, answers, inSample: true, summary };
}

export const patchnetStage: Stage<PatchNetModel> = {
  name: 'patchnet',
  description: 'A small heatmap CNN on patches around each landmark, coarse then fine pyramid level (needs the wasm or a native tfjs backend).',
  options: [{ name: 'steps', type: 'integer', default: DEFAULT_CNN_STEPS, min: 1, max: 100000, doc: 'Optimizer steps of each of its two passes.' }],
  whyNot: (plan) =>
    plan.complete.length < MIN_PATCHNET_PHOTOS
      ? `${plan.complete.length} complete photos (< ${MIN_PATCHNET_PHOTOS})`
      : !plan.photosKept
        ? 'photos too large to keep in memory'
        : !plan.backend || plan.backend === 'cpu'
          ? `the ${plan.backend ?? 'default'} tfjs backend is too slow to train it (wasm or native needed)`
          : '',
  // an optimizer step of a batch of 32 patches costs about a twentieth of a photo pass on wasm
  work: (_plan, o) => 2 * (o.steps as number) * 0.05,
  fit,
  apply: async (model, pyr, start) => {
    if (!start) throw new Error('patch CNN stage: needs a start (it cannot be a first stage)');
    return { landmarks: (await applyPatchNet(model, pyr, start.landmarks)).landmarks, doubt: start.doubt };
  },
  serialise: async (model) => serialisePatchNet(model),
  deserialise: (part, landmarkCount) => {
    const m = deserialisePatchNet(part.meta as PatchNetMeta, part.weights);
    if (m.landmarkCount !== landmarkCount) throw new Error(`patch CNN stage has ${m.landmarkCount} landmarks, the model ${landmarkCount}`);
    return m;
  },
  dispose: (model) => disposePatchNet(model),
};
