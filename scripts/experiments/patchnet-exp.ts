/**
 * Patch-refinement net (src/engine/presets/default/patchnet) on the cached cascade starts.
 *
 * nice -n 5 npx tsx scripts/experiments/patchnet-exp.ts mollusk|wings val|test ['{"passes":[...]}']
 * Trains on the 'train' items (out-of-fold starts), reports the 'eval' items: mean / median / p90,
 * per-landmark means, CPU ms per image of the stage, training time, and how well the heatmap
 * spread ranks the big errors against the cascade's doubt. Decoded pyramid levels are cached in
 * /tmp/patchnet-cache (only the levels the passes use).
 */
import * as fs from 'fs';
import * as path from 'path';
import { initBackend } from '../../src/engine/backend/init';
import { readGrey } from '../../src/engine/presets/default';
import { pyramid, type GreyImage } from '../../src/engine/imaging/grey';
import { levelsFor } from '../../src/engine/stages/cascade/cascade';
import { applyPatchNet, deserialisePatchNet, serialisePatchNet, trainPatchNet, DEFAULT_PATCHNET, type PatchNetConfig, type Point } from '../../src/engine/stages/patchnet';
import { loadStageData, type StageItem } from './stage-data';

const CACHE = '/tmp/patchnet-cache';

async function levelsOf(image: string, wanted: number[]): Promise<GreyImage[]> {
  const base = path.join(CACHE, path.basename(path.dirname(path.dirname(image))) + '-' + path.basename(image));
  const files = wanted.map((l) => `${base}-L${l}.f32`);
  let levels: Map<number, GreyImage>;
  if (files.every((f) => fs.existsSync(f))) {
    levels = new Map(
      wanted.map((l, i) => {
        const buf = fs.readFileSync(files[i]);
        const head = new Int32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + 8));
        const data = new Float32Array(buf.buffer.slice(buf.byteOffset + 8, buf.byteOffset + buf.length));
        return [l, { width: head[0], height: head[1], data }];
      }),
    );
  } else {
    const g = await readGrey(image);
    const pyr = pyramid(g, Math.min(levelsFor(g.width), Math.max(...wanted) + 1));
    fs.mkdirSync(CACHE, { recursive: true });
    levels = new Map(wanted.map((l) => [l, pyr[l]]));
    wanted.forEach((l, i) => {
      const img = pyr[l];
      const head = Buffer.from(new Int32Array([img.width, img.height]).buffer);
      fs.writeFileSync(files[i], Buffer.concat([head, Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength)]));
    });
  }
  const maxL = Math.max(...wanted);
  const out: GreyImage[] = [];
  for (let l = 0; l <= maxL; l++) out.push(levels.get(l) ?? { width: 0, height: 0, data: new Float32Array(0) });
  return out;
}

const dist = (a: Point, b: Point): number => Math.hypot(a[0] - b[0], a[1] - b[1]);
function stats(e: number[]): string {
  const s = [...e].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return `mean ${(e.reduce((a, b) => a + b, 0) / e.length).toFixed(2)} median ${q(0.5).toFixed(2)} p90 ${q(0.9).toFixed(2)}`;
}
/** Share of the errors above the p90 that sit in the top 10% ranked by doubt. */
function doubtHold(err: number[], doubt: number[]): number {
  const s = [...err].sort((a, b) => a - b);
  const p90 = s[Math.floor(0.9 * s.length)];
  const big = err.map((e) => e > p90);
  const order = doubt.map((d, i) => [d, i]).sort((a, b) => b[0] - a[0]);
  const top = order.slice(0, Math.round(0.1 * err.length)).map((o) => o[1]);
  const nBig = big.filter(Boolean).length;
  return nBig ? top.filter((i) => big[i]).length / nBig : 0;
}

/** Sum of the two scores' ranks (0 = least doubtful). */
function rankSum(a: number[], b: number[]): number[] {
  const rank = (v: number[]): number[] => {
    const r = new Array<number>(v.length);
    v.map((x, i) => [x, i]).sort((p, q) => p[0] - q[0]).forEach((p, k) => (r[p[1]] = k));
    return r;
  };
  const ra = rank(a);
  const rb = rank(b);
  return ra.map((x, i) => x + rb[i]);
}

async function main(): Promise<void> {
  const [ds = 'mollusk', mode = 'val', cfgArg = '{}'] = process.argv.slice(2);
  const over = JSON.parse(cfgArg) as Partial<PatchNetConfig>;
  const cfg: PatchNetConfig = { ...DEFAULT_PATCHNET, ...over };
  await initBackend('wasm');
  const data = loadStageData(ds, mode);
  const wanted = [...new Set(cfg.passes.map((p) => p.level))].sort();
  const train = data.items.filter((i) => i.role === 'train');
  const evalItems = data.items.filter((i) => i.role === 'eval');
  const t0 = Date.now();
  const c0 = process.cpuUsage();
  const model = await trainPatchNet(
    train.map((it) => ({ pyr: () => levelsOf(it.image, wanted), truth: it.truth, start: it.start })),
    { log: (m) => (m.includes('cut') ? undefined : console.error(m)) },
    cfg,
  );
  const cpu = process.cpuUsage(c0);
  const trainS = (Date.now() - t0) / 1000;
  // round trip through the saved form
  const saved = await serialisePatchNet(model);
  const net = deserialisePatchNet(JSON.parse(JSON.stringify(saved.meta)), saved.weights);
  const L = data.landmarkCount;
  const before: number[] = [];
  const after: number[] = [];
  const dCascade: number[] = [];
  const dNet: number[] = [];
  const dPeak: number[] = [];
  const perLm = new Array<number>(L).fill(0);
  let applyUs = 0;
  {
    // warm-up (first calls compile / allocate), not timed
    const it = evalItems[0];
    const pyr = await levelsOf(it.image, wanted);
    for (let i = 0; i < 3; i++) await applyPatchNet(net, pyr, it.start);
  }
  const imgErr: { before: number; after: number; dC: number; dN: number }[] = [];
  for (const it of evalItems as StageItem[]) {
    const pyr = await levelsOf(it.image, wanted);
    const c1 = process.cpuUsage();
    let r = await applyPatchNet(net, pyr, it.start);
    for (let rep = 1; rep < 4; rep++) r = await applyPatchNet(net, pyr, it.start);
    const du = process.cpuUsage(c1);
    applyUs += (du.user + du.system) / 4;
    let sb = 0;
    let sa = 0;
    it.truth.forEach((t, j) => {
      const b = dist(it.start[j], t);
      const a = dist(r.landmarks[j], t);
      before.push(b);
      after.push(a);
      perLm[j] += a / evalItems.length;
      dCascade.push(it.doubt[j]);
      dNet.push(r.doubt[j]);
      dPeak.push(-r.passes[r.passes.length - 1].peak[j]);
      sb += b;
      sa += a;
    });
    imgErr.push({ before: sb / L, after: sa / L, dC: it.doubt.reduce((a, b) => a + b, 0), dN: r.doubt.reduce((a, b) => a + b, 0) });
  }
  console.log(`${ds}/${mode} cfg ${JSON.stringify(over)}`);
  console.log(`train ${train.length} photos: ${trainS.toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU; ${saved.weights.length} weights`);
  console.log(`eval ${evalItems.length}: cascade ${stats(before)}`);
  console.log(`eval ${evalItems.length}: patchnet ${stats(after)}`);
  console.log(`per landmark: ${perLm.map((v) => v.toFixed(1)).join(' ')}`);
  console.log(`apply CPU ${(applyUs / 1000 / evalItems.length).toFixed(1)} ms/image`);
  console.log(
    `doubt holds (landmarks): cascade ${(100 * doubtHold(after, dCascade)).toFixed(0)}% spread ${(100 * doubtHold(after, dNet)).toFixed(0)}% peak ${(100 * doubtHold(after, dPeak)).toFixed(0)}%; ` +
      `combined (rank sum) ${(100 * doubtHold(after, rankSum(dCascade, dNet))).toFixed(0)}%; ` +
      `(images): cascade ${(100 * doubtHold(imgErr.map((e) => e.after), imgErr.map((e) => e.dC))).toFixed(0)}% spread ${(100 * doubtHold(imgErr.map((e) => e.after), imgErr.map((e) => e.dN))).toFixed(0)}%`,
  );
}

void main();
