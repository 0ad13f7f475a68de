/**
 * Bagging the SDM stage: at prediction, average the full SDM with the K fold SDMs that training
 * already fits (for the patch CNN's out-of-fold starts), instead of (or besides) running the full
 * SDM from shifted starts (test-time augmentation). Also scores the models' disagreement as a
 * doubt. All 120 validation-split mollusk photos, every stage out of fold (5 outer folds; inside
 * each, the contour stage's outputs come from doubt-exp's protocol and the fold SDMs are fitted on
 * 4 inner folds of the outer training part, as trainDefault does).
 * Needs /tmp/stage-data/mollusk-val.json (stage-data.ts).
 * npx tsx scripts/experiments/bag-exp.ts [mollusk|wings]
 */
import * as path from 'path';
import { decodeStageItems, loadStageData } from './stage-data';
import { refineWithTta } from '../../src/engine/presets/default';
import { levelsFor } from '../../src/engine/stages/cascade/cascade';
import { SdmTrainer, applySdm, type SdmModel } from '../../src/engine/stages/sdm';
import { applyContourTo, fitContourModel, DEFAULT_CONTOUR } from '../../src/engine/stages/contour/model';

type P = [number, number];
const ds = process.argv[2] ?? 'mollusk';

(async () => {
  const items = loadStageData(ds, 'val').items;
  const levels = levelsFor(items[0].width);
  const keepFrom = ds === 'mollusk' ? 2 : 0;
  const { pyrs, contours } = await decodeStageItems(items, keepFrom);
  const K = 5;
  const KI = 4;
  const n = items.length;
  const all = items.map((_, i) => i);
  // contour stage out of fold (as doubt-exp.ts); off on the wings
  const starts: P[][] = items.map((it) => it.start);
  if (ds === 'mollusk') {
    for (let f = 0; f < K; f++) {
      const m = fitContourModel(all.filter((i) => i % K !== f).map((i) => ({ contour: contours[i], truth: items[i].truth, start: items[i].start })), DEFAULT_CONTOUR);
      for (const i of all.filter((i) => i % K === f)) starts[i] = applyContourTo(m, contours[i], items[i].start).landmarks;
    }
  }
  const fit = (ids: number[]): SdmModel => {
    const t = new SdmTrainer(ids.map((i) => ({ truth: items[i].truth, start: starts[i] })), levels, {});
    while (!t.done) {
      ids.forEach((i, k) => t.addItem(k, pyrs[i]));
      t.finishStage();
    }
    return t.model();
  };
  const mean = (runs: P[][]): P[] => runs[0].map((_, j) => [runs.reduce((a, q) => a + q[j][0], 0) / runs.length, runs.reduce((a, q) => a + q[j][1], 0) / runs.length]);
  const spread = (runs: P[][], m: P[]): number[] => m.map((c, j) => runs.reduce((a, q) => a + Math.hypot(q[j][0] - c[0], q[j][1] - c[1]), 0) / runs.length);
  const variants = ['single', 'tta (shipped)', 'bag of 5', 'bag of 5, each with tta', 'tta + 4 fold models'] as const;
  const out = new Map<string, P[][]>(variants.map((v) => [v, new Array<P[]>(n)]));
  const doubts = new Map<string, number[][]>([['tta spread', []], ['bag spread', []], ['tta + bag spread', []]]);
  for (let f = 0; f < K; f++) {
    const ids = all.filter((i) => i % K !== f);
    const full = fit(ids);
    const folds = Array.from({ length: KI }, (_, g) => fit(ids.filter((_, k) => k % KI !== g)));
    for (const i of all.filter((i) => i % K === f)) {
      const single = applySdm(full, pyrs[i], starts[i]).landmarks;
      const tta = refineWithTta(full, pyrs[i], starts[i]);
      const foldRuns = folds.map((m) => applySdm(m, pyrs[i], starts[i]).landmarks);
      const bag = mean([single, ...foldRuns]);
      const bagTta = mean([tta.landmarks, ...folds.map((m) => refineWithTta(m, pyrs[i], starts[i]).landmarks)]);
      const ttaBag = mean([tta.landmarks, ...foldRuns]);
      out.get('single')![i] = single;
      out.get('tta (shipped)')![i] = tta.landmarks;
      out.get('bag of 5')![i] = bag;
      out.get('bag of 5, each with tta')![i] = bagTta;
      out.get('tta + 4 fold models')![i] = ttaBag;
      const bs = spread([single, ...foldRuns], bag);
      doubts.get('tta spread')![i] = tta.spread;
      doubts.get('bag spread')![i] = bs;
      doubts.get('tta + bag spread')![i] = bs.map((v, j) => v + tta.spread[j]);
    }
    console.error(`fold ${f + 1}/${K}`);
  }
  const errOf = (pred: P[][]): number[][] => items.map((it, i) => pred[i].map((p, j) => Math.hypot(p[0] - it.truth[j][0], p[1] - it.truth[j][1])));
  for (const v of variants) {
    const e = errOf(out.get(v)!).flat().sort((a, b) => a - b);
    console.log(`${v.padEnd(26)} mean ${(e.reduce((a, b) => a + b, 0) / e.length).toFixed(2)} median ${e[e.length >> 1].toFixed(2)} p90 ${e[Math.floor(0.9 * e.length)].toFixed(2)} px`);
  }
  // doubt: share of the big errors (> p90) of the shipped prediction held by the 10% most doubtful landmarks / photos
  const err = errOf(out.get('tta (shipped)')!);
  const flat = err.flat().sort((a, b) => a - b);
  const thr = flat[Math.floor(0.9 * flat.length)];
  const total = flat.filter((v) => v > thr).length;
  for (const [name, d] of doubts) {
    const lms = all.flatMap((i) => d[i].map((x, j) => ({ x, b: err[i][j] > thr ? 1 : 0 }))).sort((a, b) => b.x - a.x);
    const imgs = all.map((i) => ({ x: d[i].reduce((a, b) => a + b, 0), b: err[i].filter((v) => v > thr).length })).sort((a, b) => b.x - a.x);
    const lm = lms.slice(0, Math.round(0.1 * lms.length)).reduce((a, q) => a + q.b, 0) / total;
    const im = imgs.slice(0, Math.round(0.1 * n)).reduce((a, q) => a + q.b, 0) / total;
    console.log(`${name.padEnd(26)} top-10% photos hold ${(100 * im).toFixed(0)}%, landmarks ${(100 * lm).toFixed(0)}% of ${total} big errors`);
  }
  void path;
})();
