/**
 * Preset `default`: the profile src/engine/profiles/default.json run by the stage pipeline
 * (src/engine/pipeline): accurate at the photos' full resolution and fast on a CPU.
 * 1. cascade (stages/cascade): coarse-to-fine template matching on an image pyramid with a
 *    statistical shape prior, from ~110 px wide down to full size.
 * 2. contour (stages/contour): where the object stands out from a plain background, learned rules
 *    and an outline regression move the landmarks on the silhouette; it switches itself off elsewhere.
 * 3. sdm (stages/sdm): cascaded ridge regressions from gradient histograms to the update of all
 *    landmarks jointly, coarse to fine, with test-time shifts.
 * 4. patchnet (stages/patchnet): a small heatmap CNN on patches around each landmark (30+ photos,
 *    wasm or native backend).
 * Each stage learns from the out-of-fold answers of the stages before it, so it learns to fix the
 * errors made on photos the earlier stages never saw. No epochs: training is a few passes over
 * the photos. Each prediction carries a per-landmark doubt, calibrated (20+ complete photos) into
 * the bound each landmark's error stays under 90% of the time, and a 0..1 confidence.
 */
import type { BackendName } from '../../../shared/protocol/engine';
import { disposePipeline, hasPipeline, loadPipeline, PipelinePredictor, savePipeline, trainPipeline } from '../../pipeline/pipeline';
import { loadLegacyDefault } from '../../pipeline/legacy-refine-file';
import { checkProfileFile, profileFile, profileOptions, resolveProfile } from '../../pipeline/profile';
import type { LoadContext, Predictor, Preset, PresetDefaults, TrainContext, TrainOutcome } from '../preset';

const PROFILE = profileFile('default');

function defaults(_backend: BackendName): PresetDefaults {
  void _backend;
  // No epochs or learning rate: training is a few passes over the photos. inputSize is nominal
  // (the coarsest pyramid level is ~110 px wide; the finest is the photo itself).
  return { inputSize: [128, 128], epochs: 1, batchSize: 1, learningRate: 0, validationSplit: 0.1, patience: 0 };
}

async function train(ctx: TrainContext): Promise<TrainOutcome> {
  const started = Date.now();
  const file = ctx.profile ? checkProfileFile(ctx.profile, 'the profile given') : PROFILE;
  const profile = resolveProfile(file, ctx.presetOptions ?? {});
  const curves = new Map<string, { step: number; value: number }[]>();
  const model = await trainPipeline(
    profile,
    ctx.train,
    ctx.landmarkCount,
    {
      cancelled: () => ctx.cancel.cancelled,
      progress: (p) => {
        const elapsed = (Date.now() - started) / 1000;
        if (p.metric) {
          const c = curves.get(p.stage) ?? [];
          c.push({ step: p.done, value: p.metric.value });
          curves.set(p.stage, c);
        }
        ctx.progress({
          kind: 'train',
          epoch: 1,
          epochs: 1,
          batch: p.done,
          batches: p.total,
          phase: { name: p.stage, index: p.index, count: p.count, done: p.done, total: p.total },
          fraction: p.fraction,
          ...(p.metric ? { metric: p.metric } : {}),
          // by estimated work over the whole run, so it does not jump between stages
          etaSeconds: p.fraction > 0.02 ? Math.round((elapsed / p.fraction) * (1 - p.fraction)) : undefined,
          message: `stage ${p.index}/${p.count} ${p.stage} (${p.done}/${p.total})`,
        });
      },
      log: ctx.log,
    },
    ctx.backend,
  );
  if (!model) return { epochs: 0, bestEpoch: 0, bestValLoss: NaN, cancelled: true };
  try {
    await savePipeline(ctx.modelDir, model);
  } finally {
    disposePipeline(model);
  }
  ctx.log(`default preset: ${ctx.train.length} training photos, stages ${model.stages.map((s) => s.stage.name).join(' -> ')}`);
  return {
    epochs: 1,
    bestEpoch: 1,
    bestValLoss: NaN,
    cancelled: false,
    presetData: { profile: model.profile, stages: model.summaries ?? {}, trainImages: ctx.train.length, ...(curves.size ? { curves: Object.fromEntries(curves) } : {}) },
  };
}

async function load(dir: string, _ctx: LoadContext): Promise<Predictor> {
  void _ctx;
  return new PipelinePredictor(hasPipeline(dir) ? loadPipeline(dir) : loadLegacyDefault(dir));
}

export const defaultPreset: Preset = {
  name: 'default',
  description: PROFILE.description,
  options: () => profileOptions(PROFILE),
  defaults,
  // a few passes over the photos: no epochs, batches, learning rate or input size
  uses: [],
  train,
  load,
};
