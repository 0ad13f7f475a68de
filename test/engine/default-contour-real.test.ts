/** The `default` preset's contour stage on a real mollusk photo; on generated images: test/unit/default-contour.test.ts. */
import * as assert from 'assert';
import * as path from 'path';
import { pyramid } from '../../src/engine/imaging/grey';
import { levelsFor } from '../../src/engine/stages/cascade/cascade';
import { readGrey } from '../../src/engine/imaging/read-grey';
import { nearestOnContour } from '../../src/engine/stages/contour/geometry';
import { objectContour } from '../../src/engine/stages/contour/segment';
import { loadSamples } from '../../src/engine/train/samples';
import { requireData } from '../helpers/data';

describe('default preset contour stage', function () {
  it('finds a real mollusk photo outline: most landmarks lie on it, in a few ms', async function () {
    this.timeout(30000);
    const root = requireData(this, 'mollusk');
    const set = await loadSamples([{ data: path.join(root, 'landmarks.tps'), images: path.join(root, 'images') }]);
    const s = [...set.samples].sort((a, b) => a.name.localeCompare(b.name))[0];
    const g = await readGrey(s.imagePath);
    const pyr = pyramid(g, levelsFor(g.width));
    const l = 3;
    objectContour(pyr[l], l); // warm up
    const t0 = process.cpuUsage();
    const c = objectContour(pyr[l], l);
    const t = process.cpuUsage(t0);
    assert.ok(c.n > 300 && c.areaFraction > 0.1 && c.areaFraction < 0.8, `n ${c.n} area ${c.areaFraction}`);
    assert.ok((t.user + t.system) / 1000 < 50, `${(t.user + t.system) / 1000} ms`);
    const near = s.landmarks.filter((p): p is [number, number] => !!p).map((p) => Math.abs(nearestOnContour(c, p[0], p[1]).signed));
    const onOutline = near.filter((d) => d < 20).length;
    assert.ok(onOutline >= 8, `${onOutline} of ${near.length} landmarks within 20 px of the outline (${near.map((d) => d.toFixed(0)).join(' ')})`);
  });
});
