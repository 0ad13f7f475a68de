/**
 * Which doubt score ranks the worst predictions of the full chain (cascade -> contour -> SDM)
 * first, on the 120 validation-split mollusk photos, every stage out-of-fold (5 folds over all 120).
 * Needs /tmp/stage-data/mollusk-val.json and the cascade's per-landmark spread/residual/NCC for
 * the same predictions: `npx tsx scripts/experiments/cascade-exp.ts mollusk '{}' oof` writes
 * /tmp/p5s/oof-mollusk.json.
 * npx tsx scripts/experiments/doubt-exp.ts
 */
import * as fs from 'fs';
import * as path from 'path';
import { decodeStageItems, loadStageData } from './stage-data';
import { levelsFor, NCC_DOUBT_PER_WIDTH } from '../../src/engine/stages/cascade/cascade';
import { SdmTrainer, applySdm } from '../../src/engine/stages/sdm';
import { applyContourTo, fitContourModel, DEFAULT_CONTOUR } from '../../src/engine/stages/contour/model';

type P = [number, number];
interface Casc { image: string; spread: number[]; residual: number[]; score: number[] }

(async () => {
  const items = loadStageData('mollusk', 'val').items;
  const casc = new Map((JSON.parse(fs.readFileSync('/tmp/p5s/oof-mollusk.json', 'utf8')) as { items: Casc[] }).items.map((c) => [c.image, c]));
  const levels = levelsFor(items[0].width);
  const { pyrs, contours } = await decodeStageItems(items, 2);
  const K = 5;
  const n = items.length;
  const all = items.map((_, i) => i);
  const cOut: P[][] = new Array(n);
  const cMoved: number[][] = new Array(n);
  for (let f = 0; f < K; f++) {
    const m = fitContourModel(all.filter((i) => i % K !== f).map((i) => ({ contour: contours[i], truth: items[i].truth, start: items[i].start })), DEFAULT_CONTOUR);
    for (const i of all.filter((i) => i % K === f)) {
      const r = applyContourTo(m, contours[i], items[i].start);
      cOut[i] = r.landmarks;
      cMoved[i] = r.doubt;
    }
  }
  const sOut: P[][] = new Array(n);
  const sMoved: number[][] = new Array(n);
  const tOut: P[][] = new Array(n);
  const tSpread: number[][] = new Array(n);
  const D = +(process.env.TTA ?? '0.03');
  for (let f = 0; f < K; f++) {
    const ids = all.filter((i) => i % K !== f);
    const t = new SdmTrainer(ids.map((i) => ({ truth: items[i].truth, start: cOut[i] })), levels, {});
    while (!t.done) {
      ids.forEach((i, k) => t.addItem(k, pyrs[i]));
      t.finishStage();
    }
    const m = t.model();
    for (const i of all.filter((i) => i % K === f)) {
      const r = applySdm(m, pyrs[i], cOut[i]);
      sOut[i] = r.landmarks;
      sMoved[i] = r.doubt;
      // test-time augmentation: the whole start shifted by +-D of the shape's size in x and y
      const xs = cOut[i].map((p) => p[0]);
      const ys = cOut[i].map((p) => p[1]);
      const size = Math.hypot(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys));
      const runs = [r.landmarks, ...[[1, 0], [-1, 0], [0, 1], [0, -1]].map(([dx, dy]) => applySdm(m, pyrs[i], cOut[i].map((p) => [p[0] + dx * D * size, p[1] + dy * D * size] as P)).landmarks)];
      tOut[i] = r.landmarks.map((_, j) => [runs.reduce((a, q) => a + q[j][0], 0) / runs.length, runs.reduce((a, q) => a + q[j][1], 0) / runs.length]);
      tSpread[i] = r.landmarks.map((_, j) => runs.reduce((a, q) => a + Math.hypot(q[j][0] - tOut[i][j][0], q[j][1] - tOut[i][j][1]), 0) / runs.length);
    }
    console.error(`fold ${f + 1}/${K}`);
  }
  const tErr = items.map((it, i) => tOut[i].map((p, j) => Math.hypot(p[0] - it.truth[j][0], p[1] - it.truth[j][1]))).flat();
  console.log(`TTA (D=${D}) mean of 5 SDM runs: ${(tErr.reduce((a, b) => a + b, 0) / tErr.length).toFixed(2)} px`);
  const err = items.map((it, i) => sOut[i].map((p, j) => Math.hypot(p[0] - it.truth[j][0], p[1] - it.truth[j][1])));
  const flat = err.flat().sort((a, b) => a - b);
  const thr = flat[Math.floor(0.9 * flat.length)];
  const mean = flat.reduce((a, b) => a + b, 0) / flat.length;
  const share = (doubt: number[][]): string => {
    const big = (e: number[]): number => e.filter((v) => v > thr).length;
    const total = err.reduce((a, e) => a + big(e), 0);
    const img = all.map((i) => ({ d: doubt[i].reduce((a, b) => a + b, 0), b: big(err[i]) })).sort((a, b) => b.d - a.d);
    const top = Math.round(0.1 * n);
    const imgShare = img.slice(0, top).reduce((a, x) => a + x.b, 0) / total;
    const lms = all.flatMap((i) => doubt[i].map((d, j) => ({ d, b: err[i][j] > thr ? 1 : 0 }))).sort((a, b) => b.d - a.d);
    const lmShare = lms.slice(0, Math.round(0.1 * lms.length)).reduce((a, x) => a + x.b, 0) / total;
    return `photos ${(100 * imgShare).toFixed(0)}% / landmarks ${(100 * lmShare).toFixed(0)}% of ${total}`;
  };
  const cd = items.map((it) => {
    const c = casc.get(path.basename(it.image))!;
    return c.spread.map((s, j) => ({ sr: s + c.residual[j], ncc: NCC_DOUBT_PER_WIDTH * it.width * (1 - Math.min(1, c.score[j])) }));
  });
  const sum = (...parts: ((i: number, j: number) => number)[]): number[][] => all.map((i) => items[i].truth.map((_, j) => parts.reduce((a, f) => a + f(i, j), 0)));
  const SR = (i: number, j: number): number => cd[i][j].sr;
  const NCC = (i: number, j: number): number => cd[i][j].ncc;
  const CM = (i: number, j: number): number => cMoved[i][j];
  const SM = (i: number, j: number): number => sMoved[i][j];
  console.log(`chain cascade -> contour -> SDM, 120 photos out-of-fold: mean ${mean.toFixed(2)} px, p90 ${thr.toFixed(1)} px`);
  const rows: [string, number[][]][] = [
    ['cascade spread+residual', sum(SR)],
    ['cascade NCC', sum(NCC)],
    ['cascade landmarkDoubt (spread+residual+NCC)', sum(SR, NCC)],
    ['contour moved', sum(CM)],
    ['SDM moved', sum(SM)],
    ['contour + SDM moved', sum(CM, SM)],
    ['landmarkDoubt + SDM moved', sum(SR, NCC, SM)],
    ['landmarkDoubt + contour + SDM moved (shipped)', sum(SR, NCC, CM, SM)],
    ['NCC + SDM moved', sum(NCC, SM)],
    ['TTA spread', sum((i, j) => tSpread[i][j])],
    ['landmarkDoubt + SDM moved + TTA spread', sum(SR, NCC, SM, (i, j) => tSpread[i][j])],
    ['landmarkDoubt + SDM moved + 4 TTA spread', sum(SR, NCC, SM, (i, j) => 4 * tSpread[i][j])],
    ['NCC + contour + SDM moved', sum(NCC, CM, SM)],
  ];
  for (const [name, d] of rows) console.log(`${name.padEnd(48)} ${share(d)}`);
  if (process.env.DUMP) {
    // every signal and error per photo and landmark, for scoring experiments without recomputing
    const dump = all.map((i) => ({
      image: path.basename(items[i].image),
      width: items[i].width,
      truth: items[i].truth,
      tta: tOut[i],
      err: tOut[i].map((p, j) => Math.hypot(p[0] - items[i].truth[j][0], p[1] - items[i].truth[j][1])),
      sr: cd[i].map((c) => c.sr),
      ncc: cd[i].map((c) => c.ncc),
      contourMoved: cMoved[i],
      sdmMoved: sMoved[i],
      ttaSpread: tSpread[i],
    }));
    fs.writeFileSync(process.env.DUMP, JSON.stringify(dump));
  }
})();
