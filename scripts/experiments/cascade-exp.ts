/**
 * Quick experiment: the default preset's cascade on a dataset, honest split.
 * npx tsx scripts/experiments/cascade-exp.ts mollusk '{"k":8}' [val|test] [maxTrain]
 * val: train on 80% of the training part, evaluate on its other 20% (for tuning); test: train on
 * the whole training part (80%), evaluate on the held-out 20%.
 * oof: the val split's 96 training photos predicted out-of-fold (4 folds) plus its 24 eval photos
 * (model on all 96): 120 predictions with their doubt signals, saved to /tmp/p5s/oof-<ds>.json for
 * outlier-score analysis (ALT=cfgJson: also predicts with those settings, for an accuracy check).
 */
import * as fs from 'fs';
import * as path from 'path';
import { heldOutSplit } from '../bench';
import { readTps, type Spec } from './stage-data';
import sharp from 'sharp';
import { readGrey as decodeGrey } from '../../src/engine/presets/default';
import { featurePyramid } from '../../src/engine/imaging/grey';
import { CascadeBuilder, DEFAULT_CASCADE, levelsFor, locate, initialShape, landmarkDoubt, objectBox, type Landmarks } from '../../src/engine/stages/cascade/cascade';


(async () => {
  const [ds = 'wings', cfgJson = '{}', mode = 'val', maxTrain = '0'] = process.argv.slice(2);
  if (mode === 'oof') {
    await outOfFold(ds, cfgJson);
    return;
  }
  const dir = ds === 'mollusk' ? '/work/shared/data/mollusk' : '/work/shared/data/drosophila-wings';
  const specs = readTps(path.join(dir, 'landmarks.tps'));
  const split = heldOutSplit(specs, (s) => s.image);
  let test = split.test;
  let train = split.train;
  if (mode === 'val') {
    const nv = Math.round(train.length * 0.2);
    test = train.slice(0, nv);
    train = train.slice(nv);
  }
  if (+maxTrain) train = train.slice(0, +maxTrain);
  if (mode === 'self') test = train.slice(0, 8);
  const load = (s: Spec) => loadSpec(dir, s);
  const first = await load(train[0]);
  const cfg = { ...DEFAULT_CASCADE, levels: levelsFor(first.g.width), ...JSON.parse(cfgJson) };
  const L = train[0].pts.length;
  let t0 = Date.now();
  const b = new CascadeBuilder(cfg, L);
  for (const s of train) {
    const { g, lm } = await load(s);
    b.add(featurePyramid(g, cfg.levels, process.env.FEAT === 'grad' ? 'grad' : 'grey'), lm);
  }
  const model = b.build();
  const trainS = (Date.now() - t0) / 1000;
  t0 = Date.now();
  const errs: number[][] = [];
  const initErr: number[] = [];
  const conf: number[] = [];
  const confR: number[] = [];
  const confS: number[] = [];
  const lmItems: { e: number; s: number; r: number; d: number }[] = [];
  const confD: number[] = [];
  const preds: [number, number][][] = [];
  const lv: number[] = [];
  for (const s of test) {
    const { g, lm } = await load(s);
    const pyr = featurePyramid(g, cfg.levels, process.env.FEAT === 'grad' ? 'grad' : 'grey');
    const init = initialShape(model, pyr);
    const r = locate(model, pyr, (l, pts) => { lv[l] = (lv[l] ?? 0) + pts.reduce((a, p, j) => a + Math.hypot(p[0] - lm[j]![0], p[1] - lm[j]![1]), 0) / L / test.length; }, process.env.JITTER ? lm.map((p) => [p![0] + +process.env.JITTER!, p![1] - +process.env.JITTER!]) : undefined);
    preds.push(r.landmarks);
    errs.push(r.landmarks.map((p, j) => Math.hypot(p[0] - lm[j]![0], p[1] - lm[j]![1])));
    initErr.push(init.reduce((a, p, j) => a + Math.hypot(p[0] - lm[j]![0], p[1] - lm[j]![1]), 0) / L);
    conf.push(r.spread.reduce((a, b) => a + b, 0) / L);
    confR.push(r.residual.reduce((a, b) => a + b, 0) / L);
    confS.push(r.spread.reduce((a, b) => a + b, 0) / L + r.residual.reduce((a, b) => a + b, 0) / L);
    const doubt = landmarkDoubt(r, g.width);
    confD.push(doubt.reduce((a, b) => a + b, 0) / L);
    lmItems.push(...r.landmarks.map((_, j) => ({ e: Math.hypot(r.landmarks[j][0] - lm[j]![0], r.landmarks[j][1] - lm[j]![1]), s: r.spread[j], r: r.residual[j], d: doubt[j] })));
  }
  const predS = (Date.now() - t0) / 1000;
  if (process.env.DRAW) {
    const means = errs.map((e) => e.reduce((a, b) => a + b, 0) / L);
    const order = means.map((_, i) => i).sort((a, b) => means[b] - means[a]);
    for (const [rank, i] of order.slice(0, 3).entries()) {
      const s = test[i];
      const file = path.join(dir, 'images', s.image);
      const m = await sharp(file).metadata();
      const H = m.height!;
      const W = m.width!;
      const pr = preds[i];
      const svg = `<svg width="${W}" height="${H}">` + s.pts.map((p, j) => `<circle cx="${p[0]}" cy="${H - p[1]}" r="${W / 120}" fill="red"/><circle cx="${pr[j][0]}" cy="${pr[j][1]}" r="${W / 120}" fill="blue"/><line x1="${p[0]}" y1="${H - p[1]}" x2="${pr[j][0]}" y2="${pr[j][1]}" stroke="yellow" stroke-width="${W / 300}"/><text x="${p[0] + W / 80}" y="${H - p[1]}" font-size="${W / 25}" fill="red">${j + 1}</text>`).join('') + '</svg>';
      const buf = await sharp(file).composite([{ input: Buffer.from(svg) }]).png().toBuffer();
      await sharp(buf).resize(450).png().toFile(`${process.env.DRAW}-${rank}.png`);
    }
  }
  const all = errs.flat().sort((a, b) => a - b);
  const q = (p: number) => all[Math.min(all.length - 1, Math.floor(p * all.length))];
  const mean = all.reduce((a, b) => a + b, 0) / all.length;
  const perL = Array.from({ length: L }, (_, j) => errs.reduce((a, e) => a + e[j], 0) / errs.length);
  // outlier check: image mean errors ranked by spread
  const imgErr = errs.map((e) => e.reduce((a, b) => a + b, 0) / L);
  const order = conf.map((c, i) => i).sort((a, b) => conf[b] - conf[a]);
  const topN = Math.max(1, Math.round(test.length * 0.1));
  const big = [...imgErr].sort((a, b) => b - a).slice(0, topN);
  const caught = order.slice(0, topN).filter((i) => imgErr[i] >= big[big.length - 1]).length;
  const share = (doubt: number[], errs2: number[][]): string => {
    const flat = errs2.flat().sort((a, b) => a - b);
    const thr = flat[Math.floor(0.9 * flat.length)];
    const big = (e: number[]) => e.filter((v) => v > thr).length;
    const total = errs2.reduce((a, e) => a + big(e), 0);
    const ord = doubt.map((_, i) => i).sort((a, b) => doubt[b] - doubt[a]).slice(0, Math.max(1, Math.round(doubt.length * 0.1)));
    return (100 * ord.reduce((a, i) => a + big(errs2[i]), 0) / total).toFixed(0) + '%';
  };
  const shares = {
    imgSpread: share(conf, errs),
    imgResid: share(confR, errs),
    imgSum: share(confS, errs),
    lmSpread: share(lmItems.map((x) => x.s), lmItems.map((x) => [x.e])),
    lmResid: share(lmItems.map((x) => x.r), lmItems.map((x) => [x.e])),
    lmSum: share(lmItems.map((x) => x.s + x.r), lmItems.map((x) => [x.e])),
    imgDoubt: share(confD, errs),
    lmDoubt: share(lmItems.map((x) => x.d), lmItems.map((x) => [x.e])),
  };
  console.log(JSON.stringify({ shares, ds, mode, cfg: cfgJson, n: train.length, test: test.length, mean: +mean.toFixed(2), median: +q(0.5).toFixed(2), p90: +q(0.9).toFixed(2), init: +(initErr.reduce((a, b) => a + b, 0) / initErr.length).toFixed(1), perL: perL.map((v) => +v.toFixed(1)), trainS, predMsPerImg: Math.round((predS * 1000) / test.length), outlierTop: `${caught}/${topN}`, levels: lv.map((v) => +v.toFixed(1)) }));
})();

interface OofItem {
  image: string;
  role: 'train' | 'eval';
  err: number[];
  spread: number[];
  residual: number[];
  score: number[];
  /** Distance moved from the initial shape, original px. */
  moved: number[];
  /** Per landmark: the training shapes' spread (std, original px at this photo's box). */
  shapeStd: number[];
  width: number;
  altErr?: number[];
}

/** A photo (grey, full size) and its landmarks in image rows (TPS y flipped). */
async function loadSpec(dir: string, s: Spec): Promise<{ g: Awaited<ReturnType<typeof decodeGrey>>; lm: Landmarks }> {
  const g = await decodeGrey(path.join(dir, 'images', s.image));
  return { g, lm: s.pts.map((p) => [p[0], g.height - p[1]] as [number, number]) };
}

async function outOfFold(ds: string, cfgJson: string): Promise<void> {
  const { datasetDir, splitFor } = await import('./stage-data');
  const dir = datasetDir(ds);
  const { train, evalSet } = splitFor(ds, 'val');
  const folds = 4;
  const L = train[0].pts.length;
  const load = (s: Spec) => loadSpec(dir, s);
  const first = await load(train[0]);
  const cfg = { ...DEFAULT_CASCADE, levels: levelsFor(first.g.width), ...JSON.parse(cfgJson) };
  const altCfg = process.env.ALT ? JSON.parse(process.env.ALT) : undefined;
  const builders = Array.from({ length: folds + 1 }, () => new CascadeBuilder(cfg, L));
  const t0 = Date.now();
  for (const [i, s] of train.entries()) {
    const { g, lm } = await load(s);
    const pyr = featurePyramid(g, cfg.levels, 'grey');
    for (let f = 0; f < folds; f++) if (i % folds !== f) builders[f].add(pyr, lm);
    builders[folds].add(pyr, lm);
  }
  const models = builders.map((b) => b.build());
  const trainS = (Date.now() - t0) / 1000;
  const items: OofItem[] = [];
  const jobs = [...train.map((s, i) => ({ s, m: i % folds, role: 'train' as const })), ...evalSet.map((s) => ({ s, m: folds, role: 'eval' as const }))];
  for (const { s, m, role } of jobs) {
    const model = models[m];
    const { g, lm } = await load(s);
    const pyr = featurePyramid(g, cfg.levels, 'grey');
    const init = initialShape(model, pyr);
    const r = locate(model, pyr);
    const box = objectBox(pyr[cfg.levels - 1], cfg.levels - 1);
    const bw = Math.max(1, box[2] - box[0]);
    const bh = Math.max(1, box[3] - box[1]);
    const shapeStd = Array.from({ length: L }, (_, j) => {
      let sx = 0, sy = 0, sxx = 0, syy = 0, n = 0;
      for (let i = 0; i < model.count; i++) {
        const x = model.shapes[(i * L + j) * 2];
        const y = model.shapes[(i * L + j) * 2 + 1];
        if (Number.isNaN(x)) continue;
        sx += x; sy += y; sxx += x * x; syy += y * y; n++;
      }
      const vx = n ? sxx / n - (sx / n) ** 2 : 0;
      const vy = n ? syy / n - (sy / n) ** 2 : 0;
      return Math.sqrt(Math.max(0, vx) * bw * bw + Math.max(0, vy) * bh * bh);
    });
    const err = r.landmarks.map((p, j) => Math.hypot(p[0] - lm[j]![0], p[1] - lm[j]![1]));
    const it: OofItem = { image: s.image, role, err, spread: r.spread, residual: r.residual, score: r.score, moved: r.landmarks.map((p, j) => Math.hypot(p[0] - init[j][0], p[1] - init[j][1])), shapeStd, width: g.width };
    if (altCfg) {
      const ra = locate({ ...model, config: { ...model.config, ...altCfg } }, pyr);
      it.altErr = ra.landmarks.map((p, j) => Math.hypot(p[0] - lm[j]![0], p[1] - lm[j]![1]));
    }
    items.push(it);
  }
  fs.mkdirSync('/tmp/p5s', { recursive: true });
  fs.writeFileSync(`/tmp/p5s/oof-${ds}.json`, JSON.stringify({ ds, cfg: cfgJson, alt: process.env.ALT ?? null, trainS, items }));
  const mean = (f: (it: OofItem) => number[] | undefined, role?: string): number => {
    const v = items.filter((it) => !role || it.role === role).flatMap((it) => f(it) ?? []);
    return +(v.reduce((a, b) => a + b, 0) / v.length).toFixed(3);
  };
  console.log(JSON.stringify({ ds, n: items.length, mean: mean((it) => it.err), meanEval: mean((it) => it.err, 'eval'), altMean: altCfg ? mean((it) => it.altErr) : undefined, altMeanEval: altCfg ? mean((it) => it.altErr, 'eval') : undefined, trainS }));
}
