/**
 * The deep heatmap stage as a pipeline stage: a U-Net on the whole photo (letterboxed into a small
 * input) finds every landmark from nothing, so it is a first stage (a start it is given is not
 * used). Its out-of-fold answers, for the stages after it, come from `oofFolds` extra trainings
 * each without one fold (0: the full model's own, optimistic, answers).
 */
import type { OptionValues } from '../../../shared/protocol/options';
import { pyramid } from '../../imaging/grey';
import { foldOf } from '../cascade/folds';
import type { FitContext, Fitted, Stage, StageAnswer } from '../../pipeline/stage';
import { applyHeatmap, DEFAULT_HEATMAP, deserialiseHeatmap, disposeHeatmap, heatmapInput, serialiseHeatmap, trainHeatmap, type HeatmapConfig, type HeatmapItem, type HeatmapJson, type HeatmapModel } from './index';

/** Fewest training photos it is trained on. */
export const MIN_HEATMAP_PHOTOS = 8;

function configOf(o: OptionValues): HeatmapConfig {
  return { ...DEFAULT_HEATMAP, inputWidth: o.inputWidth as number, inputHeight: o.inputHeight as number, steps: o.steps as number, channels: o.channels as number };
}

/**
 * The frame turned to the photos' orientation: portrait photos (shells) letterboxed into a
 * landscape frame would fill a fraction of its width, and the net would see them coarser.
 */
export function orientedFrame(cfg: HeatmapConfig, photoWidth: number, photoHeight: number): HeatmapConfig {
  const photoPortrait = photoHeight > photoWidth;
  const framePortrait = cfg.inputHeight > cfg.inputWidth;
  if (photoWidth === photoHeight || cfg.inputWidth === cfg.inputHeight || photoPortrait === framePortrait) return cfg;
  return { ...cfg, inputWidth: cfg.inputHeight, inputHeight: cfg.inputWidth };
}

async function fit(ctx: FitContext, o: OptionValues): Promise<Fitted<HeatmapModel> | undefined> {
  let cfg = configOf(o);
  const items: HeatmapItem[] = [];
  for (const [i, s] of ctx.samples.entries()) {
    if (ctx.cancelled()) return undefined;
    const full = await ctx.photos.read(i);
    // the first photo tells the set's orientation (a set mixing both is letterboxed either way)
    if (i === 0) {
      const given = cfg;
      cfg = orientedFrame(cfg, full.width, full.height);
      if (cfg !== given) ctx.log(`heatmap: input frame turned to ${cfg.inputWidth}x${cfg.inputHeight} for the photos' orientation (${full.width}x${full.height})`);
    }
    items.push({ input: heatmapInput(full, cfg), truth: s.landmarks });
    // the stages after it read pyramids: keep this decode when the store keeps photos
    if (ctx.photos.keeps) ctx.photos.offer(i, pyramid(full, ctx.levels));
  }
  const K = ctx.answersWanted ? Math.min(o.oofFolds as number, items.length) : 0;
  const total = (1 + K) * cfg.steps;
  let done = 0;
  const answers: (StageAnswer | undefined)[] = new Array(items.length);
  // the fold models first: their held-out error as they train is the curve the live view draws
  for (let f = 0; f < K; f++) {
    const held = items.map((_, i) => i).filter((i) => foldOf(i, K) === f);
    const m = await trainHeatmap(
      items.filter((_, i) => foldOf(i, K) !== f),
      ctx.landmarkCount,
      { ...cfg, seed: cfg.seed + 1 + f },
      {
        cancelled: () => ctx.cancelled(),
        step: (d, _t, metrics) => ctx.progress(done + d, total, metrics?.valErrorPx !== undefined ? { name: 'out-of-fold error px', value: metrics.valErrorPx } : undefined),
        log: (msg) => ctx.log(`fold ${f + 1}/${K}: ${msg}`),
      },
      held.map((i) => items[i]),
    );
    if (!m) return undefined;
    try {
      for (const i of held) answers[i] = await applyHeatmap(m, items[i].input);
    } finally {
      disposeHeatmap(m);
    }
    done += cfg.steps;
  }
  const model = await trainHeatmap(items, ctx.landmarkCount, cfg, { cancelled: () => ctx.cancelled(), step: (d) => ctx.progress(done + d, total), log: (msg) => ctx.log(msg) });
  if (!model) return undefined;
  const summary = { input: [cfg.inputWidth, cfg.inputHeight], steps: cfg.steps, channels: cfg.channels, oofFolds: K };
  if (!ctx.answersWanted) return { model, summary };
  if (K >= 2) return { model, answers, summary };
  for (const [i, it] of items.entries()) answers[i] = await applyHeatmap(model, it.input);
  return { model, answers, inSample: true, summary };
}

export const heatmapStage: Stage<HeatmapModel> = {
  name: 'heatmap',
  description: 'A U-Net from the whole photo (downsampled, letterboxed) to one heatmap per landmark; a first stage that needs no start.',
  options: [
    { name: 'inputWidth', type: 'integer', default: DEFAULT_HEATMAP.inputWidth, min: 32, max: 1024, doc: 'Width of the net\'s input frame (px, a multiple of 16); the frame is turned for photos of the other orientation.' },
    { name: 'inputHeight', type: 'integer', default: DEFAULT_HEATMAP.inputHeight, min: 32, max: 1024, doc: 'Height of the net\'s input frame (px, a multiple of 16).' },
    { name: 'steps', type: 'integer', default: DEFAULT_HEATMAP.steps, min: 1, max: 1000000, doc: 'Optimizer steps (batches of 8 augmented photos).' },
    { name: 'channels', type: 'integer', default: DEFAULT_HEATMAP.channels, min: 4, max: 128, doc: 'Channels of the first level (deeper levels 2x and 4x).' },
    { name: 'oofFolds', type: 'integer', default: 2, min: 0, max: 10, doc: 'Extra trainings, each without one fold, whose answers on the photos they did not see teach the stages after it and calibrate the doubt (0: the full model\'s own, optimistic, answers).' },
  ],
  whyNot: (plan, o) =>
    plan.samples.length < MIN_HEATMAP_PHOTOS
      ? `${plan.samples.length} photos (< ${MIN_HEATMAP_PHOTOS})`
      : (o.inputWidth as number) % 16 || (o.inputHeight as number) % 16
        ? `input ${o.inputWidth}x${o.inputHeight} is not a multiple of 16`
        : !plan.backend || plan.backend === 'cpu'
          ? `the ${plan.backend ?? 'default'} tfjs backend is too slow to train it (wasm, WebGPU or native needed)`
          : '',
  // a step on wasm costs about half a photo pass of the classical stages
  work: (plan, o) => plan.samples.length + (1 + (o.oofFolds as number)) * (o.steps as number) * 0.5,
  fit,
  apply: async (model, pyr) => applyHeatmap(model, heatmapInput(pyr[0], model.config)),
  serialise: async (model) => {
    const s = await serialiseHeatmap(model);
    return { meta: s.json, weights: s.weights };
  },
  deserialise: (part, landmarkCount) => {
    const m = deserialiseHeatmap(part.meta as HeatmapJson, part.weights);
    if (m.landmarkCount !== landmarkCount) {
      disposeHeatmap(m);
      throw new Error(`heatmap stage has ${m.landmarkCount} landmarks, the model ${landmarkCount}`);
    }
    return m;
  },
  dispose: (model) => disposeHeatmap(model),
};
