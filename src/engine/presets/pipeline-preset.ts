/**
 * A preset that is a profile (src/engine/profiles/NAME.json) run by the stage pipeline
 * (src/engine/pipeline): `default` and `pose` are the same code with different stages. Each stage
 * learns from the out-of-fold answers of the stages before it; no epochs: training is each
 * stage's own passes or steps, reported as phases. Each prediction carries a per-landmark doubt,
 * calibrated (20+ photos) into the bound each landmark's error stays under 90% of the time.
 */
import type { BackendName, PresetName } from '../../shared/protocol/engine';
import { disposePipeline, hasPipeline, loadPipeline, PipelinePredictor, savePipeline, trainPipeline, type PipelineModel } from '../pipeline/pipeline';
import { checkProfileFile, profileFile, profileOptions, resolveProfile } from '../pipeline/profile';
import type { LoadContext, Predictor, Preset, PresetDefaults, TrainContext, TrainOutcome } from './preset';

function defaults(_backend: BackendName): PresetDefaults {
  void _backend;
  // No epochs or learning rate: each stage trains by its own passes or steps. inputSize is
  // nominal (the stages read the photo at their own resolutions).
  return { inputSize: [128, 128], epochs: 1, batchSize: 1, learningRate: 0, validationSplit: 0.1, patience: 0 };
}

/** `name`'s profile as a preset; `legacy` reads a model folder written before the pipeline existed. */
export function pipelinePreset(name: PresetName, legacy?: (dir: string) => PipelineModel): Preset {
  const PROFILE = profileFile(name);

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
    ctx.log(`${name} preset: ${ctx.train.length} training photos, stages ${model.stages.map((s) => s.stage.name).join(' -> ')}`);
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
    if (hasPipeline(dir)) return new PipelinePredictor(loadPipeline(dir));
    if (legacy) return new PipelinePredictor(legacy(dir));
    throw new Error(`${dir}: no pipeline model file (was it trained with the ${name} preset?)`);
  }

  return {
    name,
    description: PROFILE.description,
    options: () => profileOptions(PROFILE),
    defaults,
    // each stage's own passes or steps: no epochs, batches, learning rate or input size
    uses: [],
    train,
    load,
  };
}
