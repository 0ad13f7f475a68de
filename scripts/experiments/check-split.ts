/** Checks that the bench's held-out mollusk split (engine loader) equals the experiments' (raw TPS IMAGE=). */
import * as fs from 'fs';
import * as path from 'path';
import { heldOutSplit } from '../bench';
import { loadSamples } from '../../src/engine/train/samples';
(async () => {
  const root = '/work/shared/data/mollusk';
  const set = await loadSamples([{ data: root + '/landmarks.tps', images: root + '/images' }]);
  const a = heldOutSplit(set.samples, (s) => path.basename(s.imagePath)).test.map((s) => path.basename(s.imagePath)).sort();
  const images = fs.readFileSync(root + '/landmarks.tps', 'utf8').split(/\r?\n/).filter((l) => l.startsWith('IMAGE=')).map((l) => l.slice(6).trim());
  const b = heldOutSplit(images, (s) => s).test.sort();
  console.log(a.length, b.length, JSON.stringify(a) === JSON.stringify(b) ? 'same test set' : 'DIFFERENT', a.slice(0, 5));
})();
