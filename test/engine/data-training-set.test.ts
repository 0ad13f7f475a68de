import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadDataset } from '../../src/shared/dataset/load';
import { datasetItems, selectLandmarks } from '../../src/engine/data/from-dataset';
import { buildTrainingSet, type DatasetItem } from '../../src/engine/data/training-set';
import { decodeImageCached, cacheKey, pruneCache } from '../../src/engine/data/cache';
import { decodeImage } from '../../src/engine/data/image';
import { requireData } from '../helpers/data';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'landmarks-ts-test-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('data: training set from real data (fly wings)', function () {
  let items: DatasetItem[] = [];

  before(async function () {
    const tps = requireData(this, 'drosophila-wings', 'landmarks.tps');
    const ds = await loadDataset(tps);
    const got = await datasetItems(ds);
    assert.equal(got.skipped.length, 0, JSON.stringify(got.skipped));
    assert.equal(got.items.length, 46);
    items = got.items.slice(0, 4);
  });

  it('converts TPS (y up) to image pixels (y down) with the photo height', () => {
    const first = items[0];
    assert.equal(first.name, '63001');
    // 63001.jpg is 632x480; its first landmark is "290. 108." in the TPS file.
    assert.deepEqual(first.landmarks[0], { x: 290, y: 480 - 108 });
    assert.equal(first.landmarks.length, 12);
  });

  it('decodes each image once, skips and reports missing and corrupt images, then hits the cache', async () => {
    const corrupt = path.join(tmp, 'corrupt.jpg');
    fs.writeFileSync(corrupt, 'garbage');
    const bad: DatasetItem[] = [
      { ...items[0], name: 'gone', imagePath: path.join(tmp, 'gone.jpg') },
      { ...items[1], name: 'corrupt', imagePath: corrupt },
      { ...items[2], name: 'short', landmarks: items[2].landmarks.slice(0, 5) },
    ];
    const cacheDir = path.join(tmp, 'cache');
    const progress: number[] = [];
    const size = { width: 128, height: 96 };
    const set = await buildTrainingSet([...items, ...bad], size, { dir: cacheDir, onProgress: (d) => progress.push(d) });
    assert.equal(set.samples.length, 4);
    assert.deepEqual(set.samples.map((s) => s.name), items.map((i) => i.name), 'order kept');
    assert.deepEqual(set.skipped.map((s) => s.name), ['gone', 'corrupt', 'short']);
    assert.match(set.skipped[0].why, /not found/);
    assert.match(set.skipped[1].why, /not a readable image/);
    assert.match(set.skipped[2].why, /5 landmarks, expected 12/);
    assert.equal(progress.length, 7);
    assert.deepEqual(set.cache, { hits: 0, misses: 4 });
    const s = set.samples[0];
    assert.equal(s.image.width, 128);
    assert.equal(s.target.length, 24);
    for (const v of s.target) assert.ok(v > -1 && v < 1);
    // (290, 372) in a 632x480 photo -> normalised
    assert.ok(Math.abs(s.target[0] - ((2 * 290.5) / 632 - 1)) < 1e-6);
    assert.ok(Math.abs(s.target[1] - ((2 * 372.5) / 480 - 1)) < 1e-6);

    const again = await buildTrainingSet(items, size, { dir: cacheDir });
    assert.deepEqual(again.cache, { hits: 4, misses: 0 });
    assert.deepEqual(Array.from(again.samples[2].image.grey), Array.from(set.samples[2].image.grey));
    const direct = await decodeImage(items[2].imagePath, size);
    assert.deepEqual(Array.from(again.samples[2].image.rgb), Array.from(direct.rgb), 'cached = decoded');
  });

  it('keys the cache on size, fit and mtime; survives a damaged cache file', async () => {
    const file = path.join(tmp, 'copy.jpg');
    fs.copyFileSync(items[0].imagePath, file);
    const size = { width: 64, height: 48 };
    const k1 = await cacheKey(file, size, 'stretch');
    assert.notEqual(k1, await cacheKey(file, { width: 64, height: 64 }, 'stretch'));
    assert.notEqual(k1, await cacheKey(file, size, 'letterbox'));
    const dir = path.join(tmp, 'cache2');
    const stats = { hits: 0, misses: 0 };
    await decodeImageCached(file, size, { dir }, stats);
    await decodeImageCached(file, size, { dir }, stats);
    assert.deepEqual(stats, { hits: 1, misses: 1 });
    fs.writeFileSync(path.join(dir, `${k1}.bin`), 'LMC1 damaged');
    const img = await decodeImageCached(file, size, { dir }, stats);
    assert.equal(img.grey.length, 64 * 48);
    assert.deepEqual(stats, { hits: 1, misses: 2 });
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(file, later, later);
    assert.notEqual(k1, await cacheKey(file, size, 'stretch'));
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temp files left');
    // pruning keeps the newest entries within the budget and leaves other files alone
    await decodeImageCached(file, size, { dir }, stats);
    fs.writeFileSync(path.join(dir, 'not-ours.txt'), 'keep me');
    const bins = () => fs.readdirSync(dir).filter((f) => f.endsWith('.bin'));
    assert.equal(bins().length, 2);
    const one = fs.statSync(path.join(dir, bins()[0])).size;
    assert.ok((await pruneCache(dir, one + 10)) > 0);
    assert.equal(bins().length, 1);
    assert.ok(fs.existsSync(path.join(dir, 'not-ours.txt')));
    assert.equal(await pruneCache(path.join(tmp, 'no-such-dir')), 0);
  });

  it('selects landmark subsets (fine-tuning) and rejects bad indices', () => {
    assert.deepEqual(selectLandmarks(['a', 'b', 'c', 'd'], [0, 2, 3]), ['a', 'c', 'd']);
    assert.throws(() => selectLandmarks(['a'], [1]), /outside 0\.\.0/);
  });
});
