/**
 * Which doubt signals rank the errors of default (cascade -> SDM) models on photos they never
 * saw? Reads the models a bench run left (bench-results/work/<dataset>-default-<round>) and the
 * bench's round test sets, recomputes each signal per landmark on the test photos and prints its
 * Spearman with the error, raw and divided by the landmark's median (what the calibration does).
 *
 *   npx tsx research/doubt-signals.ts wings        (after npm run bench -- --dataset wings --preset default)
 */
import * as fs from 'fs';
import * as path from 'path';
import { loadSamples } from '../src/engine/train/samples';
import { roundTestSets } from '../src/engine/rounds';
import { loadPipeline } from '../src/engine/pipeline/pipeline';
import { readGrey } from '../src/engine/imaging/read-grey';
import { pyramid } from '../src/engine/imaging/grey';
import { locate, NCC_DOUBT_PER_WIDTH, type CascadeModel } from '../src/engine/stages/cascade/cascade';
import { refineWithTta } from '../src/engine/stages/sdm/stage';
import type { SdmModel } from '../src/engine/stages/sdm/index';
import { spearman, doubtFigures } from '../src/shared/metrics/doubt';

const FOLDERS: Record<string, [string, number]> = { wings: ['drosophila-wings', 12], 'mouse-reaching': ['mouse-reaching', 11] };

async function main(): Promise<void> {
  const name = process.argv[2] ?? 'wings';
  const [folder, roundSize] = FOLDERS[name];
  const data = process.env.LANDMARKS_DATA ?? path.join(__dirname, '..', '..', 'shared', 'data');
  const dir = path.join(data, folder);
  const set = await loadSamples([{ data: path.join(dir, 'landmarks.tps'), images: path.join(dir, 'images') }]);
  const samples = [...set.samples].sort((a, b) => a.name.localeCompare(b.name));
  const tests = roundTestSets(samples, roundSize, 1);
  const rows: { lm: number; err: number; sig: Record<string, number> }[] = [];
  for (const [r, test] of tests.entries()) {
    const mdir = path.join(__dirname, '..', 'bench-results', 'work', `${name}-default-${r + 1}`);
    if (!fs.existsSync(mdir)) throw new Error(`${mdir}: run the bench first`);
    const model = loadPipeline(mdir);
    const cascade = model.stages[0].model as CascadeModel;
    const sdm = model.stages[1]?.model as SdmModel | undefined;
    for (const s of test) {
      const g = await readGrey(s.imagePath);
      const pyr = pyramid(g, model.levels);
      const c = locate(cascade, pyr);
      const t = sdm ? refineWithTta(sdm, pyr, c.landmarks) : undefined;
      const fin = t ? t.landmarks : c.landmarks;
      s.landmarks.forEach((m, j) => {
        if (!m) return;
        const err = Math.hypot(fin[j][0] - m[0], fin[j][1] - m[1]);
        const ncc = NCC_DOUBT_PER_WIDTH * g.width * (1 - Math.min(1, c.score[j]));
        const sig: Record<string, number> = {
          tspread: c.spread[j],
          residual: c.residual[j],
          ncc,
          moved: t?.moved[j] ?? 0,
          ttaSpread: t?.spread[j] ?? 0,
          shipped: c.spread[j] + c.residual[j] + ncc + (t ? t.moved[j] + 4 * t.spread[j] : 0),
          nccRaw: 1 - c.score[j],
          constant: 1,
        };
        // the shape's worst landmark in this photo: a photo-level signal
        rows.push({ lm: j, err, sig });
      });
    }
  }
  const L = set.landmarkCount;
  const med = (v: number[]): number => [...v].sort((a, b) => a - b)[v.length >> 1];
  const errs = rows.map((r) => r.err);
  const p90 = [...errs].sort((a, b) => a - b)[Math.floor(0.9 * errs.length)];
  const medErr = Array.from({ length: L }, (_, j) => med(rows.filter((r) => r.lm === j).map((r) => r.err)));
  console.log(`${name}: ${rows.length} landmarks on ${tests.flat().length} photos, p90 ${p90.toFixed(2)} px`);
  for (const k of Object.keys(rows[0].sig)) {
    const raw = rows.map((r) => r.sig[k]);
    const medSig = Array.from({ length: L }, (_, j) => med(rows.filter((r) => r.lm === j).map((r) => r.sig[k])));
    const norm = rows.map((r) => medErr[r.lm] * (medSig[r.lm] > 1e-9 ? r.sig[k] / medSig[r.lm] : 1));
    const half = rows.map((r, i) => 0.5 * medErr[r.lm] + 0.5 * norm[i]);
    const f = (d: number[]): string => {
      const x = doubtFigures(d, errs, p90);
      return `rho ${spearman(d, errs).toFixed(2)} top10 ${(100 * x.top10Share).toFixed(0)}%`;
    };
    console.log(`  ${k.padEnd(10)} raw: ${f(raw)} | per-landmark scaled: ${f(norm)} | half: ${f(half)}`);
  }
  // the error's own ranking within a landmark vs across landmarks
  const withinRho = Array.from({ length: L }, (_, j) => {
    const rr = rows.filter((r) => r.lm === j);
    return spearman(rr.map((r) => r.sig.shipped), rr.map((r) => r.err));
  });
  console.log(`  shipped signal's Spearman within each landmark: ${withinRho.map((v) => v.toFixed(2)).join(' ')}`);
  if (process.env.DUMP) fs.writeFileSync(process.env.DUMP, JSON.stringify(rows));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
