/**
 * Prediction throughput of a trained model on the bench's held-out mollusk photos, measured the
 * way `npm run bench` does (openModel, two predictions in flight, JPEG decode included), `reps`
 * times in a row, so one noisy 3-second window does not decide the number.
 * npx tsx scripts/experiments/predict-speed.ts [modelDir=bench-results/work/mollusk-default-1] [reps=3]
 */
import * as path from 'path';
import { heldOutSplit } from '../bench';
import { initBackend } from '../../src/engine/backend/init';
import * as tf from '../../src/engine/backend/tf';
import { openModel } from '../../src/engine/open-model';
import { readTps, datasetDir } from './stage-data';

(async () => {
  const [modelDir = 'bench-results/work/mollusk-default-1', repsArg = '3'] = process.argv.slice(2);
  const backend = (await initBackend('wasm')).name;
  const dir = datasetDir('mollusk');
  const test = heldOutSplit(readTps(path.join(dir, 'landmarks.tps')), (s) => s.image).test.map((s) => path.join(dir, 'images', s.image));
  const { predictor } = await openModel(tf, backend, path.resolve(modelDir), () => undefined, 15);
  const rates: number[] = [];
  for (let r = 0; r < +repsArg; r++) {
    const t0 = Date.now();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < test.length) await predictor.predict(test[next++]);
    };
    await Promise.all([worker(), worker()]);
    rates.push(test.length / ((Date.now() - t0) / 1000));
  }
  predictor.dispose();
  console.log(`${test.length} photos x ${rates.length}: ${rates.map((v) => v.toFixed(1)).join(', ')} images/s (${backend})`);
})();
