/**
 * The paper's cross-validation rounds: the images are shuffled (seeded) and cut into test sets
 * of `testSize`; each round trains on all the others (with its own validation split) and
 * predicts its test set, until every image was tested once. One evaluation over all images,
 * in original pixels; every round's predictions are gathered into `<out>/predicted.tps` and the
 * evaluation into `<out>/evaluation.json`.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { RoundsOptions, RoundsResult } from '../shared/protocol/engine';
import { Rng } from '../shared/augment/rng';
import type { TpsSpecimen } from '../shared/tps/model';
import { writeTps } from '../shared/tps/write';
import type { JobEnv } from './env';
import { writeFileAtomicSync } from './model-io/atomic';
import { openModel } from './open-model';
import { predictionSpecimen } from './predict';
import type { Sample } from './presets/preset';
import { summarise, type PixelComparison } from './train/pixel-errors';
import { runTrainJob } from './train/run';
import { loadSamples } from './train/samples';

export function roundTestSets<T>(items: T[], testSize: number, seed: number): T[][] {
  if (!(testSize >= 1)) throw new Error(`test size must be at least 1 (got ${testSize})`);
  const order = new Rng(seed ^ 0x2545f491).shuffle([...items]);
  const sets: T[][] = [];
  for (let i = 0; i < order.length; i += testSize) sets.push(order.slice(i, i + testSize));
  return sets;
}

export async function runRounds(options: RoundsOptions, env: JobEnv): Promise<RoundsResult> {
  const started = Date.now();
  const out = path.resolve(options.out);
  const { testSize, out: _out, data, images, landmarkSubset, ...train } = options;
  void _out;
  const source = { data, images, landmarkSubset };
  const set = await loadSamples([source]);
  for (const s of set.skipped.slice(0, 10)) env.log(`skipped ${s.name} (${s.file}): ${s.why}`);
  if (set.skipped.length > 10) env.log(`... and ${set.skipped.length - 10} more specimen(s) skipped`);
  if (set.samples.length < testSize + 2) {
    throw new Error(`${data}: ${set.samples.length} usable images, too few for test sets of ${testSize} (need at least ${testSize + 2})`);
  }
  const seed = options.seed ?? 1;
  const tests = roundTestSets(set.samples, testSize, seed);
  fs.mkdirSync(out, { recursive: true });
  env.log(`rounds: ${tests.length} round(s), test sets of ${testSize} from ${set.samples.length} images`);
  const rows: PixelComparison[] = [];
  const specimens: TpsSpecimen[] = [];
  const predictedTps = path.join(out, 'predicted.tps');
  const roundDirs: string[] = [];
  let cancelled = false;
  for (const [r, test] of tests.entries()) {
    const stage = `round ${r + 1}/${tests.length}`;
    env.progress({ kind: 'step', stage, done: r, total: tests.length });
    const dir = path.join(out, `round-${String(r + 1).padStart(2, '0')}`);
    roundDirs.push(dir);
    const result = await runTrainJob(
      {
        ...train,
        out: dir,
        sources: [source],
        exclude: test.map((s: Sample) => s.name),
        seed: seed + r,
        keepCheckpoint: false,
      },
      {
        ...env,
        progress: (p) => env.progress(p.kind === 'train' ? { ...p, message: `${stage}${p.message ? `: ${p.message}` : ''}` } : p),
        log: (m) => env.log(`${stage}: ${m}`),
      },
    );
    if (result.cancelled) {
      cancelled = true;
      if (result.bestEpoch === 0) break;
    }
    const { predictor, metadata } = await openModel(env.tf, env.backend, dir, env.log, set.landmarkCount);
    try {
      for (const s of test) {
        try {
          const p = await predictor.predict(s.imagePath);
          rows.push({ name: s.name, image: s.imagePath, manual: s.landmarks, predicted: p.landmarks, scale: s.scale });
          specimens.push(predictionSpecimen(s.imagePath, p, out, specimens.length, `${stage}, predicted by ${path.basename(dir)} (preset ${metadata.preset})`));
        } catch (e) {
          env.log(`${stage}: skipped ${s.imagePath}: ${(e as Error).message}`);
        }
      }
    } finally {
      predictor.dispose();
    }
    const partial = summarise(rows, data, predictedTps);
    env.log(`${stage}: ${test.length} tested, mean error so far ${partial.mean.toFixed(2)} px over ${rows.length} images`);
    if (cancelled) break;
  }
  if (rows.length === 0) throw new Error(cancelled ? 'rounds cancelled before the first round finished' : 'no test image could be predicted');
  const evaluation = summarise(rows, path.resolve(data), predictedTps);
  writeFileAtomicSync(predictedTps, writeTps({ specimens, diagnostics: [], eol: '\n', finalNewline: true }));
  writeFileAtomicSync(path.join(out, 'evaluation.json'), JSON.stringify(evaluation, null, 2) + '\n');
  env.progress({ kind: 'step', stage: 'rounds', done: tests.length, total: tests.length });
  return {
    kind: 'rounds',
    rounds: roundDirs.length,
    cancelled: cancelled || undefined,
    roundDirs,
    evaluation,
    predictedTps,
    seconds: (Date.now() - started) / 1000,
  };
}
