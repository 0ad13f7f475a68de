/** Prints a paper-preset model's predictions next to the truth for two held-out mollusks. */
import * as path from 'path';
import { initBackend } from '../../src/engine/backend/init';
import * as tf from '../../src/engine/backend/tf';
import { openModel } from '../../src/engine/open-model';
import { loadSamples } from '../../src/engine/train/samples';
import { heldOutSplit } from '../bench';
(async () => {
  const r = await initBackend('wasm');
  const root = '/work/shared/data/mollusk';
  const set = await loadSamples([{ data: root + '/landmarks.tps', images: root + '/images' }]);
  const test = heldOutSplit(set.samples, (s) => path.basename(s.imagePath)).test.slice(0, 2);
  const { predictor } = await openModel(tf, r.name, process.argv[2], () => undefined);
  for (const s of test) {
    const p = await predictor.predict(s.imagePath);
    console.log(s.name, p.width, p.height);
    p.landmarks.slice(0, 15).forEach((q, j) => console.log(j + 1, 'pred', q.map(Math.round).join(','), 'true', s.landmarks[j]!.map(Math.round).join(',')));
  }
})();
