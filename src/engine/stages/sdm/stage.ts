/**
 * The SDM stage: a few cascaded ridge regressions from gradient histograms around all landmarks
 * to the update of all of them jointly, coarse to fine, run from the start and four shifted copies
 * of it (test-time augmentation) and averaged. Its out-of-fold answers come from K refits.
 */
import type { OptionValues } from '../../../shared/protocol/options';
import type { GreyImage } from '../../imaging/grey';
import { foldOf } from '../cascade/folds';
import { MIN_REFINE_PHOTOS, yieldToEvents, type FitContext, type Fitted, type Point, type Stage, type StageAnswer, type StagePlan } from '../../pipeline/stage';
import { applySdm, DEFAULT_SDM, sdmFromFile, sdmStageLevels, sdmToFile, SdmTrainer, type SdmConfig, type SdmFileMeta, type SdmModel } from './index';

/** Test-time augmentation: the start shifted by this share of the shape's size, left/right/up/down. */
export const TTA_SHIFT = 0.03;
/**
 * Weight of the TTA spread in the doubt. Chosen on the mollusk validation split (120 photos, every
 * stage out-of-fold, docs/benchmark-history.md): the 10% most doubtful landmarks hold 36% of the
 * big errors (> p90) with it, 31% without (landmarkDoubt + SDM movement).
 */
export const TTA_DOUBT_WEIGHT = 4;

/**
 * SDM from the start and from four shifted copies of it; the answer is their mean, `spread` their
 * mean distance from it, `moved` how far the unshifted run moved each landmark from the start.
 */
export function refineWithTta(model: SdmModel, pyr: GreyImage[], start: Point[]): { landmarks: Point[]; moved: number[]; spread: number[] } {
  const own = applySdm(model, pyr, start);
  const xs = start.map((p) => p[0]);
  const ys = start.map((p) => p[1]);
  const d = TTA_SHIFT * Math.hypot(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys));
  const runs = [own.landmarks];
  for (const [dx, dy] of [[1, 0], [-1, 0], [0, 1], [0, -1]]) {
    runs.push(applySdm(model, pyr, start.map((p) => [p[0] + dx * d, p[1] + dy * d] as Point)).landmarks);
  }
  const landmarks = start.map((_, j) => [runs.reduce((a, q) => a + q[j][0], 0) / runs.length, runs.reduce((a, q) => a + q[j][1], 0) / runs.length] as Point);
  const spread = landmarks.map((m, j) => runs.reduce((a, q) => a + Math.hypot(q[j][0] - m[0], q[j][1] - m[1]), 0) / runs.length);
  return { landmarks, moved: own.doubt, spread };
}

/** The answer from a start: TTA-averaged landmarks; the doubt grows by how far SDM moved each landmark and how much its shifted runs disagree. */
function answer(model: SdmModel, pyr: GreyImage[], start: StageAnswer): StageAnswer {
  const r = refineWithTta(model, pyr, start.landmarks);
  return { landmarks: r.landmarks, doubt: start.doubt.map((d, j) => d + r.moved[j] + TTA_DOUBT_WEIGHT * r.spread[j]) };
}

function configOf(o: OptionValues): Partial<SdmConfig> {
  return { lambda: o.ridge as number, perturbations: o.perturbations as number };
}

/** Complete photos with a start: the ones SDM learns from (it regresses every landmark jointly). */
function usable(ctx: FitContext): number[] {
  return ctx.complete.filter((i) => ctx.starts[i]);
}

async function trainOn(ctx: FitContext, ids: number[], config: Partial<SdmConfig>, onPhoto?: () => void, onStage?: (trainErrorPx: number) => void): Promise<SdmModel | undefined> {
  const t = new SdmTrainer(ids.map((i) => ({ truth: ctx.samples[i].landmarks as Point[], start: (ctx.starts[i] as StageAnswer).landmarks })), ctx.levels, config);
  onStage?.(t.ownError());
  while (!t.done) {
    for (const [k, i] of ids.entries()) {
      if (ctx.cancelled()) return undefined;
      t.addItem(k, await ctx.photos.pyramid(i));
      onPhoto?.();
      await yieldToEvents();
    }
    t.finishStage();
    onStage?.(t.ownError());
  }
  return t.model();
}

async function fit(ctx: FitContext, o: OptionValues): Promise<Fitted<SdmModel> | undefined> {
  const config = configOf(o);
  const idx = usable(ctx);
  const stages = DEFAULT_SDM.windows.length;
  const K = Math.max(2, Math.min(ctx.folds, idx.length));
  const total = stages * idx.length * (ctx.answersWanted ? 1 + (K - 1) : 1) + (ctx.answersWanted ? idx.length : 0);
  let done = 0;
  const tick = (): void => ctx.progress(++done, total);
  // the curve: the training photos' error after each regression (in-sample), then the folds' out-of-fold error
  const model = await trainOn(ctx, idx, config, tick, (e) => ctx.progress(done, total, { name: 'training error px', value: e }));
  if (!model) return undefined;
  const levels = model.stages.map((s) => s.level);
  ctx.log(`SDM refinement, ${stages} stages (pyramid levels ${levels.join(', ')}) on ${idx.length} photos from ${ctx.folds}-fold starts`);
  const summary = { stages: model.stages.map((st) => ({ window: st.window, level: st.level })) };
  if (!ctx.answersWanted) return { model, summary };
  const answers: (StageAnswer | undefined)[] = new Array(ctx.samples.length);
  let se = 0;
  let n = 0;
  for (let f = 0; f < K; f++) {
    const m = await trainOn(ctx, idx.filter((_, k) => foldOf(k, K) !== f), config, tick);
    if (!m) return undefined;
    for (const [k, i] of idx.entries()) {
      if (foldOf(k, K) !== f) continue;
      answers[i] = answer(m, await ctx.photos.pyramid(i), ctx.starts[i] as StageAnswer);
      answers[i]!.landmarks.forEach((p, j) => {
        const q = ctx.samples[i].landmarks[j] as Point;
        se += Math.hypot(p[0] - q[0], p[1] - q[1]);
        n++;
      });
      tick();
    }
    ctx.progress(done, total, { name: 'out-of-fold error px', value: se / Math.max(1, n) });
  }
  // photos SDM did not learn from (some landmark missing) are out of its sample already: the full
  // model's answers on them are honest ones, for the doubt calibration of the landmarks they have
  for (const [i, start] of ctx.starts.entries()) {
    if (!start || answers[i]) continue;
    if (ctx.cancelled()) return undefined;
    answers[i] = answer(model, await ctx.photos.pyramid(i), start);
  }
  return { model, answers, summary };
}

export const sdmStage: Stage<SdmModel> = {
  name: 'sdm',
  description: 'Cascaded ridge regressions from gradient histograms to the update of all landmarks jointly, coarse to fine, with test-time shifts.',
  options: [
    { name: 'ridge', type: 'number', default: DEFAULT_SDM.lambda, min: 0, doc: 'Ridge penalty of each regression, relative to the features\' mean squared norm.' },
    { name: 'perturbations', type: 'integer', default: DEFAULT_SDM.perturbations, min: 0, max: 256, doc: 'Extra training starts per photo (borrowed errors of other photos).' },
  ],
  whyNot: (plan) => (plan.complete.length < MIN_REFINE_PHOTOS ? `${plan.complete.length} photos with every landmark (< ${MIN_REFINE_PHOTOS})` : ''),
  lowestLevel: (plan: StagePlan, o) => Math.min(...sdmStageLevels(plan.complete.map((i) => plan.samples[i].landmarks as Point[]), plan.levels, configOf(o))),
  work: (plan, _o, kept) => {
    void _o;
    const n = plan.complete.length;
    // per photo and regression stage: a descriptor pass (much cheaper than a decode when the pyramid is kept)
    const perVisit = kept ? 0.15 : 1;
    return DEFAULT_SDM.windows.length * n * plan.folds * perVisit + n * 0.3;
  },
  fit,
  apply: async (model, pyr, start) => {
    if (!start) throw new Error('SDM stage: needs a start (it cannot be a first stage)');
    return answer(model, pyr, start);
  },
  serialise: async (model) => sdmToFile(model),
  deserialise: (part, landmarkCount) => {
    const m = sdmFromFile(part.meta as SdmFileMeta, part.weights);
    if (m.landmarkCount !== landmarkCount) throw new Error(`SDM stage has ${m.landmarkCount} landmarks, the model ${landmarkCount}`);
    return m;
  },
};
