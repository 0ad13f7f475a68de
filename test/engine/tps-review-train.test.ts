/**
 * Prediction notes end to end: trains the `default` preset on 12 real fly wings, predicts the
 * other 34 into a TPS file and checks that the flagged landmarks are the worse ones. The notes'
 * format, ranking and edits: test/unit/tps-review.test.ts.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initBackend } from '../../src/engine/backend/init';
import * as tf from '../../src/engine/backend/tf';
import { CancelSource, type JobEnv } from '../../src/engine/env';
import { predictImages } from '../../src/engine/predict';
import { runTrainJob } from '../../src/engine/train/run';
import { specimenViews } from '../../src/shared/editing/views';
import { getField } from '../../src/shared/tps/model';
import { parseTps } from '../../src/shared/tps/parse';
import { reviewFlags } from '../../src/shared/tps/review';
import { tpsToImage } from '../../src/shared/tps/coords';
import { requireData } from '../helpers/data';

describe('prediction notes on real fly wings (default preset, 12 train / 34 predicted)', function () {
  this.timeout(240000);
  let tmp = '';
  let root = '';
  before(function () {
    root = requireData(this, 'drosophila-wings');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tps-review-'));
  });
  after(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('writes confidence and 12 doubts per specimen, and the flagged landmarks are the worse predicted ones', async function () {
    const backend = (await initBackend('wasm')).name;
    const env: JobEnv = { tf, backend, cancel: new CancelSource(), log: () => undefined, progress: () => undefined };
    const all = parseTps(fs.readFileSync(path.join(root, 'landmarks.tps'), 'utf8'), 'landmarks.tps');
    const specs = all.specimens.map((s) => ({ image: getField(s, 'IMAGE')!, pts: s.landmarks })).sort((a, b) => a.image.localeCompare(b.image));
    const train = specs.slice(0, 12);
    const test = specs.slice(12);
    const model = path.join(tmp, 'model');
    await runTrainJob({ sources: [{ data: path.join(root, 'landmarks.tps'), images: path.join(root, 'images') }], out: model, preset: 'default', include: train.map((s) => path.parse(s.image).name), seed: 1 }, env);
    const folder = path.join(tmp, 'photos');
    fs.mkdirSync(folder);
    for (const s of test) fs.copyFileSync(path.join(root, 'images', s.image), path.join(folder, s.image));
    const out = path.join(tmp, 'predicted.tps');
    const r = await predictImages({ model, images: folder, out }, env);
    assert.strictEqual(r.predicted, test.length);

    const doc = parseTps(fs.readFileSync(out, 'utf8'), out);
    const views = specimenViews(doc);
    for (const v of views) {
      assert.ok(v.confidence !== undefined && v.confidence > 0 && v.confidence <= 1, `${v.name}: confidence ${v.confidence}`);
      assert.strictEqual(v.doubtPx?.length, 12, `${v.name}: ${getField(doc.specimens[v.index], 'COMMENT')}`);
      assert.ok(v.doubtPx.every((d) => d >= 0));
    }
    const flags = reviewFlags(views);
    assert.strictEqual(flags.specimens.length, 3, '10% of 34 specimens');
    const flagged = [...flags.landmarks.values()].reduce((a, l) => a + l.length, 0);
    assert.strictEqual(flagged, 41, '10% of 408 landmarks');
    // errors of flagged and unflagged landmarks, in image pixels
    const truthOf = new Map(test.map((s) => [s.image, s.pts]));
    const err: { flagged: number[]; other: number[] } = { flagged: [], other: [] };
    for (const v of views) {
      const truth = truthOf.get(path.basename(v.imageField ?? ''))!;
      assert.ok(truth, v.name);
      v.landmarks.forEach((p, j) => {
        const a = tpsToImage(p!, 480);
        const b = tpsToImage(truth[j]!, 480);
        (flags.landmarks.get(v.index)?.includes(j) ? err.flagged : err.other).push(Math.hypot(a.x - b.x, a.y - b.y));
      });
    }
    const mean = (a: number[]): number => a.reduce((x, y) => x + y, 0) / a.length;
    assert.ok(mean(err.flagged) > 1.5 * mean(err.other), `flagged ${mean(err.flagged).toFixed(2)} px vs the rest ${mean(err.other).toFixed(2)} px`);
  });
});
