/**
 * Prediction speed and exactness of the `default` cascade on the validation split (tuning only).
 *
 * npx tsx scripts/experiments/profile-predict.ts mollusk|wings [reps=2] [cfgJson={}]
 *   trains on the val split's training part, decodes its 24 (mollusk) eval photos once, then
 *   times pyramid + locate with process.cpuUsage (robust to other processes' load), `reps`
 *   passes; prints CPU ms per image (pyramid, locate), the mean error, and, with REF=file, the
 *   largest landmark difference (px) from a reference run (SAVE=file writes one).
 */
import * as fs from 'fs';
import * as path from 'path';
import { readGrey } from '../../src/engine/presets/default';
import { pyramid, type GreyImage } from '../../src/engine/presets/default/grey';
import { CascadeBuilder, DEFAULT_CASCADE, levelsFor, locate, type Landmarks } from '../../src/engine/presets/default/cascade';
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
  const preds: [number, number][][] = [];
  t0 = Date.now();
  for (let r = 0; r < reps; r++) {
    for (const [i, it] of imgs.entries()) {
      const c0 = process.cpuUsage();
      const pyr = pyramid(it.g, cfg.levels);
      pyrCpu += cpuMs(c0);
      const c1 = process.cpuUsage();
      const res = locate(model, pyr);
      locCpu += cpuMs(c1);
      if (r === 0) preds[i] = res.landmarks;
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
