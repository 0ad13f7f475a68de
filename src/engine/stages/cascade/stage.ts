/**
 * The cascade as a pipeline stage: coarse-to-fine template matching with a shape prior. It starts
 * from nothing (it is a first stage); its out-of-fold answers come from K fold cascades built in
 * the same decoding pass as the full one (./folds.ts).
 */
import type { OptionValues } from '../../../shared/protocol/options';
import { pyramid } from '../../imaging/grey';
import type { Sample } from '../../presets/preset';
import { yieldToEvents, type FitContext, type Fitted, type Stage, type StagePart } from '../../pipeline/stage';
import { CascadeBuilder, DEFAULT_CASCADE, landmarkDoubt, locate, objectBox, type CascadeConfig, type CascadeModel, type Landmarks } from './cascade';
import { trainWithFolds } from './folds';
import { cascadeFromPart, cascadeToPart } from './model-file';

/**
 * Whether the photos show one object on a plain background: for most landmarks, the object's
 * box (objectBox) holds them, so landmarks relative to that box transfer well.
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

/** The cascade's configuration for these photos: the options over the defaults, alignment decided on the first (up to 8) photos when `auto`. */
async function configFor(ctx: FitContext, o: OptionValues): Promise<CascadeConfig> {
  const base: CascadeConfig = { ...DEFAULT_CASCADE, levels: ctx.levels, patch: o.patch as number, k: o.templates as number };
  if (o.align !== 'auto') return { ...base, align: o.align as CascadeConfig['align'] };
  const pending: { box: [number, number, number, number]; landmarks: Sample['landmarks'] }[] = [];
  for (const [i, s] of ctx.samples.slice(0, 8).entries()) {
    const pyr = pyramid(await ctx.photos.read(i), ctx.levels);
    pending.push({ box: objectBox(pyr[ctx.levels - 1], ctx.levels - 1), landmarks: s.landmarks });
  }
  const align = chooseAlign(pending);
  ctx.log(`cascade: ${ctx.levels} pyramid levels, landmarks relative to the ${align === 'bbox' ? "object's box" : 'whole frame'}`);
  return { ...base, align };
}

async function fit(ctx: FitContext, o: OptionValues): Promise<Fitted<CascadeModel> | undefined> {
  if (ctx.samples.length === 0) throw new Error('cascade: no training images');
  const config = await configFor(ctx, o);
  const landmarks = ctx.samples.map((s) => s.landmarks as Landmarks);
  if (!ctx.answersWanted) {
    // nothing after it learns from its answers: one pass, no fold cascades
    const builder = new CascadeBuilder(config, ctx.landmarkCount);
    for (const [i] of ctx.samples.entries()) {
      if (ctx.cancelled()) return undefined;
      builder.add(pyramid(await ctx.photos.read(i), config.levels), landmarks[i]);
      ctx.progress(i + 1, ctx.samples.length);
      await yieldToEvents();
    }
    return { model: builder.build(), summary: { levels: config.levels, patch: config.patch, align: config.align } };
  }
  // the curve: the running mean error of the photos located so far by the cascade that never saw them
  let se = 0;
  let n = 0;
  const out = await trainWithFolds(
    {
      read: (i) => ctx.photos.read(i),
      landmarks,
      config,
      landmarkCount: ctx.landmarkCount,
      folds: ctx.folds,
      cancelled: () => ctx.cancelled(),
      step: (d, t) => ctx.progress(d, t, n > 0 ? { name: 'out-of-fold error px', value: se / n } : undefined),
    },
    (i, pyr, start) => {
      ctx.photos.offer(i, pyr);
      start.forEach((p, j) => {
        const q = landmarks[i][j];
        if (!q) return;
        se += Math.hypot(p[0] - q[0], p[1] - q[1]);
        n++;
      });
    },
  );
  if (!out) return undefined;
  return {
    model: out.model,
    answers: out.starts.map((landmarks, i) => ({ landmarks, doubt: out.doubts[i] })),
    summary: { levels: config.levels, patch: config.patch, align: config.align },
  };
}

export const cascadeStage: Stage<CascadeModel> = {
  name: 'cascade',
  description: 'Coarse-to-fine template matching on an image pyramid with a statistical shape prior, from ~110 px wide down to full size.',
  options: [
    { name: 'patch', type: 'integer', default: DEFAULT_CASCADE.patch, min: 7, max: 101, doc: 'Template side in pixels at every pyramid level.' },
    { name: 'templates', type: 'integer', default: DEFAULT_CASCADE.k, min: 1, max: 64, doc: 'Training patches averaged per landmark and level.' },
    { name: 'align', type: 'string', default: 'auto', choices: ['auto', 'bbox', 'frame'], doc: "Start shapes relative to the object's box (plain background) or the whole frame; auto decides on the first photos." },
  ],
  whyNot: (plan) => (plan.samples.length === 0 ? 'no training photos' : ''),
  // one pass builds it; a second locates every photo with the cascade that did not see it
  work: (plan) => 2 * plan.samples.length,
  fit,
  apply: async (model, pyr) => {
    const r = locate(model, pyr);
    // doubt: the two template sets disagree, the answer is an unusual shape, the final match is poor
    return { landmarks: r.landmarks, doubt: landmarkDoubt(r, pyr[0].width) };
  },
  serialise: async (model): Promise<StagePart> => cascadeToPart(model),
  deserialise: (part) => cascadeFromPart(part, 'cascade stage'),
};
