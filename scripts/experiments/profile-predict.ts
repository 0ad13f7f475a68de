/**
 * Prediction speed and exactness of the `default` cascade on the validation split (tuning only).
 *
 * npx tsx scripts/experiments/profile-predict.ts mollusk|wings [reps=2] [cfgJson={}]
 *   trains on the val split's training part, decodes its 24 (mollusk) eval photos once, then
 *   times pyramid + locate with process.cpuUsage (robust to other processes' load), `reps`
 *   passes; prints CPU ms per image (pyramid, locate), the mean error, and, with REF=file, the
 *   largest landmark difference (px) from a reference run (SAVE=file writes one). POOL=1: levels
 *   1.. recycled through PyramidPool.
 * ALT=cfgJson: also runs a model with these settings on each photo right after the base one
 *   (interleaved, so load drifts hit both alike) and prints its CPU ms and mean error.
 * PIPELINE=plain|pool|pool0: instead, decode + pyramid + locate per photo (one in flight), CPU ms
 *   each: plain = readGrey + pyramid; pool = readGrey + PyramidPool; pool0 = PyramidPool and
 *   level 0 too written into a recycled array (what a pooled readGrey would save).
 */
import * as fs from 'fs';
import * as path from 'path';
import { readGrey } from '../../src/engine/presets/default';
import sharp from 'sharp';
import { PyramidPool, pyramid, type GreyImage } from '../../src/engine/imaging/grey';
import { CascadeBuilder, DEFAULT_CASCADE, levelsFor, locate, type Landmarks } from '../../src/engine/stages/cascade/cascade';
import { datasetDir, splitFor } from './stage-data';

function cpuMs(since: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
}

(async () => {
  const [ds = 'mollusk', repsArg = '2', cfgJson = '{}'] = process.argv.slice(2);
  const dir = datasetDir(ds);
  const { train, evalSet } = splitFor(ds, 'val');
  const truthOf = (pts: number[][], h: number): [number, number][] => pts.map((p) => [p[0], h - p[1]]);
  const first = await readGrey(path.join(dir, 'images', train[0].image));
  const cfg = { ...DEFAULT_CASCADE, levels: levelsFor(first.width), ...JSON.parse(cfgJson) };
  const L = train[0].pts.length;
  let t0 = Date.now();
  const b = new CascadeBuilder(cfg, L);
  for (const s of train) {
    const g = await readGrey(path.join(dir, 'images', s.image));
    b.add(pyramid(g, cfg.levels), truthOf(s.pts, g.height) as Landmarks);
  }
  const model = b.build();
  const trainS = (Date.now() - t0) / 1000;
  if (process.env.PIPELINE) {
    await pipeline(process.env.PIPELINE, evalSet.map((s) => path.join(dir, 'images', s.image)), +repsArg, (pyr) => locate(model, pyr), cfg.levels);
    return;
  }
  const imgs: { g: GreyImage; truth: [number, number][] }[] = [];
  let decodeCpu = 0;
  for (const s of evalSet) {
    const c0 = process.cpuUsage();
    const g = await readGrey(path.join(dir, 'images', s.image));
    decodeCpu += cpuMs(c0);
    imgs.push({ g, truth: truthOf(s.pts, g.height) });
  }
  const reps = +repsArg;
  let pyrCpu = 0;
  let locCpu = 0;
  let altCpu = 0;
  const alt = process.env.ALT ? { ...model, config: { ...model.config, ...JSON.parse(process.env.ALT) } } : undefined;
  const altPreds: [number, number][][] = [];
  const preds: [number, number][][] = [];
  const pool = process.env.POOL ? new PyramidPool() : undefined;
  t0 = Date.now();
  for (let r = 0; r < reps; r++) {
    for (const [i, it] of imgs.entries()) {
      const c0 = process.cpuUsage();
      const pyr = pool ? pool.pyramid(it.g, cfg.levels) : pyramid(it.g, cfg.levels);
      pyrCpu += cpuMs(c0);
      const c1 = process.cpuUsage();
      const res = locate(model, pyr);
      locCpu += cpuMs(c1);
      if (r === 0) preds[i] = res.landmarks;
      if (alt) {
        const c2 = process.cpuUsage();
        const ra = locate(alt, pyr);
        altCpu += cpuMs(c2);
        if (r === 0) altPreds[i] = ra.landmarks;
      }
    }
  }
  const n = imgs.length * reps;
  const errs = preds.flatMap((p, i) => p.map((q, j) => Math.hypot(q[0] - imgs[i].truth[j][0], q[1] - imgs[i].truth[j][1])));
  const mean = errs.reduce((a, v) => a + v, 0) / errs.length;
  const out: Record<string, unknown> = {
    ds,
    cfg: cfgJson,
    trainS,
    decodeCpuMs: +(decodeCpu / imgs.length).toFixed(1),
    pyramidCpuMs: +(pyrCpu / n).toFixed(1),
    locateCpuMs: +(locCpu / n).toFixed(1),
    wallMsPerPredict: +((Date.now() - t0) / n).toFixed(1),
    mean: +mean.toFixed(3),
  };
  if (alt) {
    const ea = altPreds.flatMap((p, i) => p.map((q, j) => Math.hypot(q[0] - imgs[i].truth[j][0], q[1] - imgs[i].truth[j][1])));
    out.alt = { cfg: process.env.ALT, locateCpuMs: +(altCpu / n).toFixed(1), mean: +(ea.reduce((a, v) => a + v, 0) / ea.length).toFixed(3) };
  }
  if (process.env.REF && fs.existsSync(process.env.REF)) {
    const ref = JSON.parse(fs.readFileSync(process.env.REF, 'utf8')) as [number, number][][];
    let maxD = 0;
    let moved = 0;
    ref.forEach((p, i) => p.forEach((q, j) => {
      const d = Math.hypot(q[0] - preds[i][j][0], q[1] - preds[i][j][1]);
      if (d > 1e-6) moved++;
      maxD = Math.max(maxD, d);
    }));
    out.vsRef = { maxDiffPx: +maxD.toPrecision(3), landmarksMoved: moved };
  }
  if (process.env.SAVE) fs.writeFileSync(process.env.SAVE, JSON.stringify(preds));
  console.log(JSON.stringify(out));
})();

/** libvips' 8-bit luma into `out` (index.ts lumaOf's arithmetic, without allocating). */
function lumaInto(rgb: Uint8Array, n: number, out: Float32Array): Float32Array {
  for (let i = 0, k = 0; i < n; i++, k += 3) out[i] = Math.floor((299 * rgb[k] + 587 * rgb[k + 1] + 114 * rgb[k + 2]) / 1000);
  return out.subarray(0, n);
}

async function pipeline(mode: string, files: string[], reps: number, run: (pyr: GreyImage[]) => unknown, levels: number): Promise<void> {
  const pool = new PyramidPool();
  let level0 = new Float32Array(0);
  const t = { decode: 0, pyramid: 0, locate: 0 };
  const out: [number, number][][] = [];
  let n = 0;
  for (let r = 0; r < reps; r++) {
    for (const f of files) {
      const c0 = process.cpuUsage();
      let g: GreyImage;
      if (mode === 'pool0') {
        const { data, info } = await sharp(f, { failOn: 'error' }).rotate().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
        const px = info.width * info.height;
        if (level0.length < px) level0 = new Float32Array(px);
        g = { width: info.width, height: info.height, data: lumaInto(new Uint8Array(data.buffer, data.byteOffset, data.length), px, level0) };
      } else g = await readGrey(f);
      t.decode += cpuMs(c0);
      const c1 = process.cpuUsage();
      const pyr = mode === 'plain' ? pyramid(g, levels) : pool.pyramid(g, levels);
      t.pyramid += cpuMs(c1);
      const c2 = process.cpuUsage();
      const res = run(pyr) as { landmarks: [number, number][] };
      t.locate += cpuMs(c2);
      if (r === 0) out.push(res.landmarks);
      n++;
    }
  }
  const per = (v: number): number => +(v / n).toFixed(1);
  let maxDiff = NaN;
  if (process.env.REF) {
    const ref = JSON.parse(fs.readFileSync(process.env.REF, 'utf8')) as [number, number][][];
    maxDiff = Math.max(...ref.flatMap((p, i) => p.map((q, j) => Math.hypot(q[0] - out[i][j][0], q[1] - out[i][j][1]))));
  }
  console.log(JSON.stringify({ mode, maxDiffVsRefPx: maxDiff, images: n, decodeCpuMs: per(t.decode), pyramidCpuMs: per(t.pyramid), locateCpuMs: per(t.locate), totalCpuMs: per(t.decode + t.pyramid + t.locate) }));
}
