import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadTpsFile } from '../../src/shared/dataset/load';
import { writeTps } from '../../src/shared/tps/write';
import { cloneSpecimen, getScale } from '../../src/shared/tps/model';
import { evaluateFiles } from '../../src/engine/evaluate';
import { requireData } from '../helpers/data';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'landmarks-eval-scale-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('evaluate: SCALE units and missing landmarks on real files', () => {
  it('ambystoma (155 specimens with SCALE=): a (3, 4) shift is 5 px, and 5 x SCALE in units', async function () {
    const file = requireData(this, 'tps-corpus', 'ambystoma_compiled.TPS');
    const doc = await loadTpsFile(file);
    const shifted = doc.specimens.map((s) => {
      const c = cloneSpecimen(s);
      c.landmarks = c.landmarks.map((p) => (p ? { x: p.x + 3, y: p.y + 4 } : null));
      return c;
    });
    const pred = path.join(tmp, 'ambystoma-shifted.tps');
    fs.writeFileSync(pred, writeTps({ ...doc, specimens: shifted }));
    const e = await evaluateFiles({ manual: file, predicted: pred });
    const present = doc.specimens.reduce((n, s) => n + s.landmarks.filter((p) => p !== null).length, 0);
    assert.ok(e.matched > 100, `matched ${e.matched}; warnings: ${e.warnings.slice(0, 3).join('; ')}`);
    assert.equal(e.matched + e.unmatchedManual.length + (e.excluded?.length ?? 0), doc.specimens.length);
    assert.ok(Math.abs(e.mean - 5) < 1e-9 && Math.abs(e.p90 - 5) < 1e-9);
    const scales = e.images.map((i) => i.scale ?? NaN);
    assert.ok(scales.every((s) => s > 0), 'every specimen has SCALE=');
    const k = e.landmarkCount;
    const expected = (5 * scales.reduce((a, b) => a + b, 0)) / scales.length;
    assert.ok(Math.abs((e.meanScaled ?? NaN) - expected) < 1e-9, `${e.meanScaled} vs ${expected}`);
    assert.equal(e.scaledCount, e.count);
    assert.ok(e.count <= present);
    assert.equal(e.landmarks.length, k);
    const first = doc.specimens[0];
    const img = e.images.find((i) => i.name === 'A.jeffersonianum_1741_atlas_a.tif');
    assert.ok(img, 'named by IMAGE=');
    assert.ok(Math.abs((img?.meanScaled ?? NaN) - 5 * (getScale(first) ?? NaN)) < 1e-12);
  });

  it('tpsDig missing codes (-1 -1) are excluded and counted', async function () {
    const file = requireData(this, 'tps-corpus', 'geomorph_issue26_negative_missing_example.tps');
    const e = await evaluateFiles({ manual: file, predicted: file });
    assert.equal(e.matched, 1);
    assert.equal(e.missing, 2);
    assert.deepEqual(e.landmarks.map((l) => l.missing), [0, 1, 1, 0, 0, 0]);
    assert.ok(Number.isNaN(e.landmarks[1].mean), 'no data: NaN (null in JSON)');
    assert.equal(e.mean, 0);
    assert.equal(e.images[0].name, 'ANT_30.jpg');
  });
});
