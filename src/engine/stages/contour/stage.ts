/**
 * The silhouette-contour stage: where the object stands out from a plain background, learned rules
 * (snap to the outline, extreme point, curvature) and a regression from the outline's shape move
 * the landmarks that lie on the silhouette; where no rule beats keeping the start it does nothing.
 * Its out-of-fold answers come from K refits on the outlines (cheap: the outlines are kept).
 */
import type { OptionValues } from '../../../shared/protocol/options';
import { foldOf } from '../cascade/folds';
import { MIN_REFINE_PHOTOS, yieldToEvents, type FitContext, type Fitted, type Stage, type StageAnswer } from '../../pipeline/stage';
import { applyContour, applyContourTo, contourFromJson, contourLevel, contourOf, contourToJson, DEFAULT_CONTOUR, fitContourModel, type ContourConfig, type ContourModel } from './model';
import type { Contour } from './segment';

function configOf(o: OptionValues): ContourConfig {
  return { ...DEFAULT_CONTOUR, targetWidth: o.targetWidth as number };
}

async function fit(ctx: FitContext, o: OptionValues): Promise<Fitted<ContourModel> | undefined> {
  const config = configOf(o);
  const all = ctx.samples.map((_, i) => i).filter((i) => ctx.starts[i]);
  const contours: Contour[] = new Array(ctx.samples.length);
  for (const [k, i] of all.entries()) {
    if (ctx.cancelled()) return undefined;
    contours[i] = contourOf(await ctx.photos.pyramid(i), config);
    ctx.progress(k + 1, all.length);
    await yieldToEvents();
  }
  const start = (i: number): StageAnswer => ctx.starts[i] as StageAnswer;
  const item = (i: number) => ({ contour: contours[i], truth: ctx.samples[i].landmarks, start: start(i).landmarks });
  const model = fitContourModel(all.map(item), config);
  const used = model.rules.filter((r) => r.kind !== 'keep').length;
  ctx.log(`contour stage: ${model.regression ? 'outline regression + ' : ''}${used} landmark rule(s)`);
  if (!ctx.answersWanted) return { model, summary: { rules: used, regression: !!model.regression } };
  const K = Math.max(2, Math.min(ctx.folds, all.length));
  const answers: (StageAnswer | undefined)[] = new Array(ctx.samples.length);
  for (let f = 0; f < K; f++) {
    if (ctx.cancelled()) return undefined;
    const m = fitContourModel(all.filter((i) => foldOf(i, K) !== f).map(item), config);
    // the doubt passes through: how far the contour moved a landmark ranked errors worse (docs/benchmark-history.md)
    for (const i of all.filter((i) => foldOf(i, K) === f)) answers[i] = { landmarks: applyContourTo(m, contours[i], start(i).landmarks).landmarks, doubt: start(i).doubt };
    await yieldToEvents();
  }
  return { model, answers, summary: { rules: used, regression: !!model.regression } };
}

export const contourStage: Stage<ContourModel> = {
  name: 'contour',
  description: 'Moves the landmarks on the silhouette with learned outline rules and an outline regression; off by itself where no rule helps.',
  options: [{ name: 'targetWidth', type: 'integer', default: DEFAULT_CONTOUR.targetWidth, min: 32, max: 4096, doc: 'The outline is traced on the pyramid level closest to this width (px).' }],
  whyNot: (plan) => (plan.complete.length < MIN_REFINE_PHOTOS ? `${plan.complete.length} photos with every landmark (< ${MIN_REFINE_PHOTOS})` : ''),
  lowestLevel: (plan, o) => {
    const widths = Array.from({ length: plan.levels }, (_, l) => ({ width: plan.firstSize.width >> l }));
    return contourLevel(widths, o.targetWidth as number);
  },
  work: (plan) => 0.1 * plan.samples.length,
  fit,
  apply: async (model, pyr, start) => {
    if (!start) throw new Error('contour stage: needs a start (it cannot be a first stage)');
    return { landmarks: applyContour(model, pyr, start.landmarks).landmarks, doubt: start.doubt };
  },
  serialise: async (model) => ({ meta: contourToJson(model), weights: new Float32Array(0) }),
  deserialise: (part, landmarkCount) => {
    const m = contourFromJson(part.meta);
    if (m.landmarkCount !== landmarkCount) throw new Error(`contour stage has ${m.landmarkCount} landmarks, the model ${landmarkCount}`);
    return m;
  },
};
