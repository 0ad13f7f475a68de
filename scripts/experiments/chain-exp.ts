/**
 * Which order of the refinement stages pays: cascade -> contour -> SDM, cascade -> SDM -> contour,
 * each alone. Every stage learns from out-of-fold outputs of the stages before it.
 * npx tsx scripts/experiments/chain-exp.ts [mollusk|wings] [val|test] [folds=4]
 */
import { decodeStageItems, loadStageData, type StageItem } from './stage-data';
import { levelsFor } from '../../src/engine/stages/cascade/cascade';
import { SdmTrainer, applySdm, type SdmModel } from '../../src/engine/stages/sdm';
import { initBackend } from '../../src/engine/backend/init';
import { trainPatchNet, applyPatchNet, DEFAULT_PATCHNET, type PatchNetConfig } from '../../src/engine/stages/patchnet';
import { applyContourTo, fitContourModel, DEFAULT_CONTOUR, type ContourModel } from '../../src/engine/stages/contour/model';

type P = [number, number];
const [ds = 'mollusk', mode = 'val', foldsArg = '4'] = process.argv.slice(2);
const K = +foldsArg;

function stats(items: { truth: P[]; pred: P[] }[]): string {
  const e = items.flatMap((it) => it.pred.map((p, j) => Math.hypot(p[0] - it.truth[j][0], p[1] - it.truth[j][1]))).sort((a, b) => a - b);
  const L = items[0].truth.length;
  const per = Array.from({ length: L }, (_, j) => items.reduce((a, it) => a + Math.hypot(it.pred[j][0] - it.truth[j][0], it.pred[j][1] - it.truth[j][1]), 0) / items.length);
  return `mean ${(e.reduce((a, b) => a + b, 0) / e.length).toFixed(2)} median ${e[e.length >> 1].toFixed(2)} p90 ${e[Math.floor(0.9 * e.length)].toFixed(2)} | ${per.map((v) => v.toFixed(1)).join(' ')}`;
}

(async () => {
  const data = loadStageData(ds, mode);
  const train = data.items.filter((it) => it.role === 'train');
  const evals = data.items.filter((it) => it.role === 'eval');
  const all = [...train, ...evals];
  const levels = levelsFor(all[0].width);
  const keepFrom = ds === 'mollusk' ? 2 : 0;
  // pyramids from level keepFrom up (SDM's levels); contours at the contour level
  const { pyrs, contours } = await decodeStageItems(all, keepFrom);
  console.error('decoded');
  const idxTrain = train.map((_, i) => i);
  const idxEval = evals.map((_, i) => train.length + i);
  const trainSdm = (ids: number[], starts: P[][]): SdmModel => {
    const t = new SdmTrainer(ids.map((i, k) => ({ truth: all[i].truth, start: starts[k] })), levels, {});
    if (Math.min(...t.levels) < keepFrom) throw new Error(`SDM needs level ${Math.min(...t.levels)}`);
    while (!t.done) {
      ids.forEach((i, k) => t.addItem(k, pyrs[i]));
      t.finishStage();
    }
    return t.model();
  };
  const trainContour = (ids: number[], starts: P[][]): ContourModel =>
    fitContourModel(ids.map((i, k) => ({ contour: contours[i], truth: all[i].truth, start: starts[k] })), DEFAULT_CONTOUR);
  type Stage = { name: string; fit: (ids: number[], starts: P[][]) => (i: number, start: P[]) => P[] | Promise<P[]> };
  const sdm: Stage = { name: 'sdm', fit: (ids, st) => { const m = trainSdm(ids, st); return (i, s) => applySdm(m, pyrs[i], s).landmarks; } };
  const contour: Stage = { name: 'contour', fit: (ids, st) => { const m = trainContour(ids, st); return (i, s) => applyContourTo(m, contours[i], s).landmarks; } };
  await initBackend('wasm');
  const wingsPn: Partial<PatchNetConfig> = {
    passes: [
      { level: 1, size: 32, width: 8, steps: 800, startShare: 0.5, startJitterPx: 2, noisePx: 4, maxOffsetPx: 16 },
      { level: 0, size: 32, width: 8, steps: 800, startShare: 0.3, startJitterPx: 2, noisePx: 2, maxOffsetPx: 8 },
    ],
  };
  const pnCfg = ds === 'wings' ? wingsPn : DEFAULT_PATCHNET;
  const patchnet: Stage = {
    name: 'patchnet',
    fit: (async (ids: number[], st: P[][]) => {
      const m = await trainPatchNet(ids.map((i, k) => ({ pyr: pyrs[i], truth: all[i].truth, start: st[k] })), {}, pnCfg);
      return async (i: number, s: P[]) => (await applyPatchNet(m, pyrs[i], s)).landmarks;
    }) as unknown as Stage['fit'],
  };
  const run = async (chain: Stage[]): Promise<void> => {
    const t0 = Date.now();
    // starts for train items: out-of-fold through the chain so far; eval: full models
    let trainStarts: P[][] = train.map((it) => it.start);
    let evalStarts: P[][] = evals.map((it) => it.start);
    for (const [si, st] of chain.entries()) {
      const next: P[][] = new Array(train.length);
      for (let f = 0; f < (si === chain.length - 1 ? 0 : K); f++) {
        const fit = idxTrain.filter((i) => i % K !== f);
        const apply = await st.fit(fit, fit.map((i) => trainStarts[i]));
        for (const i of idxTrain.filter((i) => i % K === f)) next[i] = await apply(i, trainStarts[i]);
      }
      const full = await st.fit(idxTrain, trainStarts);
      evalStarts = await Promise.all(idxEval.map((i, k) => full(i, evalStarts[k])));
      if (si < chain.length - 1) trainStarts = next;
    }
    console.log(`${chain.map((s) => s.name).join(' -> ') || 'cascade'}: eval ${stats(evals.map((it, k) => ({ truth: it.truth, pred: evalStarts[k] })))}; train-oof ${stats(train.map((it, k) => ({ truth: it.truth, pred: trainStarts[k] }))).split('|')[0]} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  };
  const which = process.env.CHAINS ?? 'base,contour,sdm,contour+sdm,sdm+contour';
  for (const c of which.split(',')) {
    const chain = c === 'base' ? [] : c.split('+').map((n) => (n === 'sdm' ? sdm : n === 'patchnet' ? patchnet : contour));
    await run(chain);
  }
  void ({} as StageItem);
})();
