/**
 * Silhouette-aware correction of the cascade's landmarks (src/engine/presets/default/contour).
 *
 * npx tsx scripts/experiments/contour-exp.ts cache mollusk|wings val|test
 *   decodes every stage-data photo once and caches its coarse pyramid levels (<= ~600 px wide)
 *   in /tmp/contour-cache/ (so experiments do not decode JPEGs);
 * npx tsx scripts/experiments/contour-exp.ts run mollusk|wings val|test [key=value ...]
 *   trains on the 'train' items (out-of-fold cascade starts), applies to the 'eval' items,
 *   prints before/after errors per landmark, the rules chosen, CPU ms per image and training s.
 */
import * as fs from 'fs';
import { readGrey } from '../../src/engine/presets/default';
import { levelsFor } from '../../src/engine/stages/cascade/cascade';
import { pyramid, type GreyImage } from '../../src/engine/imaging/grey';
import { DEFAULT_CONTOUR, applyContour, applyContourTo, contourFromJson, contourToJson, contourOf, fitContourModel, type ContourConfig, type ContourItem } from '../../src/engine/stages/contour/model';
import type { Pt } from '../../src/engine/stages/contour/geometry';
import { loadStageData, type StageItem } from './stage-data';

const CACHE = '/tmp/contour-cache';
const MAX_W = 700;

function cacheFile(ds: string, mode: string, i: number, l: number): string {
  return `${CACHE}/${ds}-${mode}-${i}-L${l}.bin`;
}

async function cache(ds: string, mode: string): Promise<void> {
  fs.mkdirSync(CACHE, { recursive: true });
  const data = loadStageData(ds, mode);
  const index: { levels: { l: number; width: number; height: number }[] }[] = [];
  for (let i = 0; i < data.items.length; i++) {
    const g = await readGrey(data.items[i].image);
    const pyr = pyramid(g, levelsFor(g.width));
    const levels: { l: number; width: number; height: number }[] = [];
    for (let l = 0; l < pyr.length; l++) {
      levels.push({ l, width: pyr[l].width, height: pyr[l].height });
      if (pyr[l].width > MAX_W) continue;
      fs.writeFileSync(cacheFile(ds, mode, i, l), new Uint8Array(pyr[l].data.buffer, pyr[l].data.byteOffset, pyr[l].data.byteLength));
    }
    index.push({ levels });
  }
  fs.writeFileSync(`${CACHE}/${ds}-${mode}.json`, JSON.stringify(index));
  console.log(`cached ${data.items.length} pyramids`);
}

/** The cached pyramid: levels wider than MAX_W are empty placeholders (width/height only). */
function cachedPyramid(ds: string, mode: string, i: number, index: { levels: { l: number; width: number; height: number }[] }[]): GreyImage[] {
  return index[i].levels.map(({ l, width, height }) => {
    if (width > MAX_W) return { width, height, data: new Float32Array(0) };
    const b = fs.readFileSync(cacheFile(ds, mode, i, l));
    return { width, height, data: new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4) };
  });
}

function stats(e: number[]): { mean: number; median: number; p90: number } {
  const s = [...e].sort((a, b) => a - b);
  return { mean: e.reduce((a, b) => a + b, 0) / e.length, median: s[Math.floor(s.length / 2)], p90: s[Math.floor(0.9 * (s.length - 1))] };
}

function report(label: string, items: StageItem[], preds: Pt[][]): number[] {
  const L = items[0].truth.length;
  const per = new Array<number>(L).fill(0);
  const all: number[] = [];
  items.forEach((it, i) => {
    for (let j = 0; j < L; j++) {
      const e = Math.hypot(preds[i][j][0] - it.truth[j][0], preds[i][j][1] - it.truth[j][1]);
      per[j] += e / items.length;
      all.push(e);
    }
  });
  const s = stats(all);
  console.log(`${label}: mean ${s.mean.toFixed(2)} median ${s.median.toFixed(2)} p90 ${s.p90.toFixed(2)} | ${per.map((v) => v.toFixed(1)).join(' ')}`);
  return per;
}

async function run(ds: string, mode: string, args: string[]): Promise<void> {
  const data = loadStageData(ds, mode);
  const index = JSON.parse(fs.readFileSync(`${CACHE}/${ds}-${mode}.json`, 'utf8')) as { levels: { l: number; width: number; height: number }[] }[];
  const config: ContourConfig = { ...DEFAULT_CONTOUR };
  for (const a of args) {
    const [k, v] = a.split('=');
    (config as unknown as Record<string, unknown>)[k] = JSON.parse(v);
  }
  const t0 = process.cpuUsage();
  const train: ContourItem[] = [];
  data.items.forEach((it, i) => {
    if (it.role !== 'train') return;
    train.push({ contour: contourOf(cachedPyramid(ds, mode, i, index), config), truth: it.truth, start: it.start });
  });
  const model = fitContourModel(train, config);
  const tu = process.cpuUsage(t0);
  console.log(`training: ${((tu.user + tu.system) / 1e6).toFixed(1)} s CPU (${train.length} items)`);
  console.log(`train before: ${model.trainBefore.map((v) => v.toFixed(1)).join(' ')}`);
  console.log(`train after:  ${model.trainAfter.map((v) => v.toFixed(1)).join(' ')}`);
  model.rules.forEach((r, j) => {
    if (r.kind === 'keep') return;
    const desc = r.kind === "project" ? `project off ${r.offset.toFixed(3)}` : r.kind === "curv" ? `curv ${r.sign} scale ${r.scale} arc ${r.arc}` : `extreme ${r.rotate ? 'rot' : 'img'} ${((r.angle * 180) / Math.PI).toFixed(0)}deg arc ${r.arc}`;
    console.log(`  lm ${j + 1}: ${desc} alpha ${r.alpha} far ${r.alphaFar} gate ${r.gate}`);
  });
  if (model.regression) console.log(`regression: lambda ${model.regression.lambda} mix ${model.regression.mix.join(" ")} far ${model.regression.mixFar.join(" ")} gate ${model.regression.gate.join(" ")}`);
  const regOnly = { ...model, shapeRegression: undefined, rules: model.rules.map(() => ({ kind: "keep" as const })) };
  const evalItems = data.items.filter((it) => it.role === 'eval');
  const regPreds: Pt[][] = [];
  const preds: Pt[][] = [];
  let cpu = 0;
  data.items.forEach((it, i) => {
    if (it.role !== 'eval') return;
    const pyr = cachedPyramid(ds, mode, i, index);
    const c0 = process.cpuUsage();
    const r = applyContour(model, pyr, it.start);
    const c1 = process.cpuUsage(c0);
    cpu += (c1.user + c1.system) / 1000;
    preds.push(r.landmarks);
    if (model.regression) regPreds.push(applyContour(regOnly, pyr, it.start).landmarks);
  });
  report('eval before', evalItems, evalItems.map((it) => it.start));
  if (model.regression) report('eval reg   ', evalItems, regPreds);
  report('eval after ', evalItems, preds);
  if (process.env.PER_IMAGE) {
    const m = (a: Pt[], t: [number, number][]): number => a.reduce((s, p, j) => s + Math.hypot(p[0] - t[j][0], p[1] - t[j][1]), 0) / a.length;
    console.log('per image before/after: ' + evalItems.map((it, i) => `${m(it.start, it.truth).toFixed(0)}/${m(preds[i], it.truth).toFixed(0)}`).join(' '));
  }
  console.log(`apply: ${(cpu / evalItems.length).toFixed(2)} ms CPU per image (first pass, JIT included)`);
  // steady state: the eval pyramids again, 3 passes
  const pyrs = data.items.map((it, i) => (it.role === 'eval' ? cachedPyramid(ds, mode, i, index) : undefined));
  const c0 = process.cpuUsage();
  let count = 0;
  for (let pass = 0; pass < 3; pass++) {
    data.items.forEach((it, i) => {
      const pyr = pyrs[i];
      if (!pyr) return;
      applyContour(model, pyr, it.start);
      count++;
    });
  }
  const c1 = process.cpuUsage(c0);
  console.log(`apply steady state: ${((c1.user + c1.system) / 1000 / count).toFixed(2)} ms CPU per image`);
  const json = JSON.stringify(contourToJson(model));
  const back = contourFromJson(JSON.parse(json));
  const same = evalItems.every((it, i) => {
    const idx = data.items.indexOf(it);
    const a = applyContour(back, pyrs[idx] as GreyImage[], it.start).landmarks;
    return a.every((p, j) => Math.abs(p[0] - preds[i][j][0]) < 1e-9 && Math.abs(p[1] - preds[i][j][1]) < 1e-9);
  });
  console.log(`model JSON ${(json.length / 1024).toFixed(1)} KiB, round trip identical: ${same}`);
}

/** 5-fold cross-validation of the stage over all items of the split (less noisy than 24 eval photos). */
function crossValidate(ds: string, mode: string, args: string[]): void {
  const data = loadStageData(ds, mode);
  const index = JSON.parse(fs.readFileSync(`${CACHE}/${ds}-${mode}.json`, 'utf8')) as { levels: { l: number; width: number; height: number }[] }[];
  const config = configFrom(args);
  const contours = data.items.map((_, i) => contourOf(cachedPyramid(ds, mode, i, index), config));
  const K = 5;
  const preds: Pt[][] = data.items.map((it) => it.start);
  const doubts: number[][] = data.items.map((it) => it.start.map(() => 0));
  for (let k = 0; k < K; k++) {
    const train: ContourItem[] = [];
    data.items.forEach((it, i) => {
      if (i % K !== k) train.push({ contour: contours[i], truth: it.truth, start: it.start });
    });
    const model = fitContourModel(train, config);
    data.items.forEach((it, i) => {
      if (i % K === k) {
        const r = applyContourTo(model, contours[i], it.start);
        preds[i] = r.landmarks;
        doubts[i] = r.doubt;
      }
    });
  }
  report(`cv${K} before`, data.items, data.items.map((it) => it.start));
  report(`cv${K} after `, data.items, preds);
  // outlier ranking: share of the big errors (> p90 of the final errors) held by the 10% most doubtful images / landmarks
  const err = data.items.map((it, i) => preds[i].map((p, j) => Math.hypot(p[0] - it.truth[j][0], p[1] - it.truth[j][1])));
  const flat = err.flat().sort((a, b) => a - b);
  const p90 = flat[Math.floor(0.9 * (flat.length - 1))];
  const big = err.flat().filter((e) => e > p90).length;
  const share = (score: number[][]): string => {
    const imgScore = score.map((d) => d.reduce((a, b) => a + b, 0));
    const order = imgScore.map((_, i) => i).sort((a, b) => imgScore[b] - imgScore[a]).slice(0, Math.ceil(0.1 * imgScore.length));
    const inImg = order.reduce((a, i) => a + err[i].filter((e) => e > p90).length, 0);
    const lm = score.flatMap((d, i) => d.map((v, j) => ({ v, e: err[i][j] }))).sort((a, b) => b.v - a.v);
    const inLm = lm.slice(0, Math.ceil(0.1 * lm.length)).filter((x) => x.e > p90).length;
    return `images ${((100 * inImg) / big).toFixed(0)}% / landmarks ${((100 * inLm) / big).toFixed(0)}%`;
  };
  console.log(`top-10% doubt holds of ${big} big errors: cascade ${share(data.items.map((it) => it.doubt))}; contour ${share(doubts)}; sum ${share(data.items.map((it, i) => it.doubt.map((v, j) => v + doubts[i][j])))}`);
}

function configFrom(args: string[]): ContourConfig {
  const config: ContourConfig = { ...DEFAULT_CONTOUR };
  for (const a of args) {
    const [k, v] = a.split('=');
    (config as unknown as Record<string, unknown>)[k] = JSON.parse(v);
  }
  return config;
}

async function main(): Promise<void> {
  const [cmd, ds = 'mollusk', mode = 'val', ...rest] = process.argv.slice(2);
  if (cmd === 'cache') await cache(ds, mode);
  else if (cmd === 'cv') crossValidate(ds, mode, rest);
  else await run(ds, mode, rest);
}

void main();
