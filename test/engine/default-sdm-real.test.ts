/** The `default` preset's SDM stage on real fly wings; on generated images: test/unit/default-sdm.test.ts. */
import * as assert from 'assert';
import * as path from 'path';
import { pyramid } from '../../src/engine/imaging/grey';
import { readGrey } from '../../src/engine/imaging/read-grey';
import { applySdm, trainSdm, type Point, type SdmItem } from '../../src/engine/stages/sdm';
import { mulberry32 } from '../../src/shared/augment/rng';
import { loadSamples } from '../../src/engine/train/samples';
import { requireData } from '../helpers/data';

function meanError(a: Point[], b: Point[]): number {
  return a.reduce((s, p, j) => s + Math.hypot(p[0] - b[j][0], p[1] - b[j][1]), 0) / a.length;
}

describe('default preset SDM stage', function () {
  it('improves cascade-like starts on real fly wings', async function () {
    const root = requireData(this, 'drosophila-wings');
    const set = await loadSamples([{ data: path.join(root, 'landmarks.tps'), images: path.join(root, 'images') }]);
    const samples = [...set.samples].sort((a, b) => a.name.localeCompare(b.name)).slice(0, 16);
    const rnd = mulberry32(7);
    const items: SdmItem[] = [];
    for (const s of samples) {
      const truth = s.landmarks.map((p) => [p![0], p![1]] as Point);
      const start = truth.map((p) => [p[0] + (rnd() * 2 - 1) * 6, p[1] + (rnd() * 2 - 1) * 6] as Point);
      items.push({ pyr: pyramid(await readGrey(s.imagePath), 3), truth, start });
    }
    const model = trainSdm(items.slice(0, 12), { perturbations: 4 });
    let before = 0;
    let after = 0;
    for (const it of items.slice(12)) {
      before += meanError(it.start, it.truth);
      after += meanError(applySdm(model, it.pyr, it.start).landmarks, it.truth);
    }
    assert.ok(after < 0.8 * before, `mean error ${(before / 4).toFixed(2)} -> ${(after / 4).toFixed(2)} px`);
  });
});
