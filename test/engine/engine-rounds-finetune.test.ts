/**
 * Rounds (every image tested exactly once, one table over all) and fine-tuning (pretrain on
 * several parts through landmark subset maps, then fine-tune on one) on the real fly wings,
 * with the paper preset at a tiny input size and one epoch.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initBackend } from '../../src/engine/backend/init';
import * as tf from '../../src/engine/backend/tf';
import { CancelSource, type JobEnv } from '../../src/engine/env';
import { PAPER_SCENARIO2, paperScenario2, runFinetune } from '../../src/engine/finetune';
import { readMetadata } from '../../src/engine/model-io/metadata';
import { roundTestSets, runRounds } from '../../src/engine/rounds';
import { parseTps } from '../../src/shared/tps/parse';
import { getField } from '../../src/shared/tps/model';
import type { BackendName } from '../../src/shared/protocol/engine';
import { requireData } from '../helpers/data';

describe('rounds and fine-tuning (fly wings)', function () {
  this.timeout(240000);
  let tps = '';
  let tmp = '';
  let backend: BackendName = 'cpu';
  const logs: string[] = [];
  const env = (): JobEnv => ({ tf, backend, cancel: new CancelSource(), log: (m) => logs.push(m), progress: () => undefined });
  const tiny = { preset: 'paper' as const, epochs: 1, inputSize: [32, 24] as [number, number], batchSize: 64, seed: 3 };

  before(async function () {
    tps = path.join(requireData(this, 'drosophila-wings'), 'landmarks.tps');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-rounds-'));
    backend = (await initBackend('wasm')).name;
  });
  after(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('cuts test sets so that every item is tested exactly once', () => {
    const items = Array.from({ length: 293 }, (_, i) => i);
    const sets = roundTestSets(items, 33, 1);
    assert.strictEqual(sets.length, 9);
    assert.deepStrictEqual(sets.map((s) => s.length), [33, 33, 33, 33, 33, 33, 33, 33, 29]);
    assert.deepStrictEqual(sets.flat().sort((a, b) => a - b), items);
    assert.deepStrictEqual(roundTestSets(items, 33, 1), sets, 'seeded');
    assert.notDeepStrictEqual(roundTestSets(items, 33, 2), sets);
  });

  it('runs rounds over all 46 wings: one prediction per image, one table', async () => {
    const out = path.join(tmp, 'rounds');
    const r = await runRounds({ data: tps, out, testSize: 16, ...tiny }, env());
    assert.strictEqual(r.rounds, 3);
    assert.strictEqual(r.evaluation.matched, 46);
    assert.strictEqual(r.evaluation.landmarks.length, 12);
    assert.ok(r.evaluation.landmarks.every((l) => l.count === 46 && Number.isFinite(l.mean)));
    const doc = parseTps(fs.readFileSync(r.predictedTps, 'utf8'));
    assert.strictEqual(doc.specimens.length, 46);
    const names = doc.specimens.map((s) => path.basename(getField(s, 'IMAGE') ?? ''));
    assert.strictEqual(new Set(names).size, 46, 'every image once');
    assert.ok(fs.existsSync(path.join(out, 'evaluation.json')));
    for (const d of r.roundDirs ?? []) {
      assert.ok(fs.existsSync(path.join(d, 'model.json')));
      assert.ok(!fs.existsSync(path.join(d, 'checkpoint')), 'round checkpoints are removed');
      // The round's model never trained on its test images.
      assert.strictEqual(readMetadata(d).training.images, 46 - (d.endsWith('03') ? 14 : 16));
    }
  });

  it('pretrains on two parts mapped to 8 landmarks each, then fine-tunes on one', async () => {
    const out = path.join(tmp, 'finetune');
    const r = await runFinetune(
      {
        pretrain: [
          { data: tps, landmarkSubset: [0, 1, 2, 3, 4, 5, 6, 7], label: 'first eight' },
          { data: tps, landmarkSubset: [4, 5, 6, 7, 8, 9, 10, 11], label: 'last eight' },
        ],
        target: { data: tps, landmarkSubset: [0, 1, 2, 3, 4, 5, 6, 7] },
        out,
        ...tiny,
      },
      env(),
    );
    assert.strictEqual(r.pretrainedDir, path.join(out, 'pretrained'));
    const pre = readMetadata(r.pretrainedDir);
    assert.strictEqual(pre.landmarkCount, 8);
    assert.strictEqual(pre.training.images, 92, 'both parts: 46 + 46 specimens');
    const fine = readMetadata(out);
    assert.strictEqual(fine.landmarkCount, 8);
    assert.strictEqual(fine.training.images, 46);
    assert.strictEqual(fine.training.initFrom, r.pretrainedDir);
    assert.ok(logs.some((l) => /fine-tune: initialised from/.test(l)));
    assert.ok(r.finetune.validation && r.finetune.validation.landmarks.length === 8);
  });

  it('refuses parts whose landmark counts differ without a subset map', async () => {
    await assert.rejects(
      runFinetune({ pretrain: [{ data: tps }, { data: tps, landmarkSubset: [0, 1, 2] }], target: { data: tps }, out: path.join(tmp, 'bad'), ...tiny }, env()),
      /3 landmarks \(after the subset\) but the other data have 12/,
    );
    await assert.rejects(
      runFinetune({ pretrain: [{ data: tps, landmarkSubset: [0, 12] }], target: { data: tps }, out: path.join(tmp, 'bad2'), ...tiny }, env()),
      /indices outside 0\.\.11/,
    );
  });

  it("encodes the paper's scenario 2 maps (pronotum 8; body drops 1st, 6th, 9th; head 5th, 6th)", () => {
    assert.deepStrictEqual(PAPER_SCENARIO2.body.map((i) => i + 1), [2, 3, 4, 5, 7, 8, 10, 11]);
    assert.deepStrictEqual(PAPER_SCENARIO2.head.map((i) => i + 1), [1, 2, 3, 4, 7, 8, 9, 10]);
    const s = paperScenario2({ pronotum: 'p.tps', head: 'h.tps', body: 'b.tps' });
    assert.deepStrictEqual(s.pretrain.map((p) => p.label), ['pronotum', 'head', 'body']);
    assert.ok(s.pretrain.every((p) => p.landmarkSubset?.length === 8));
    assert.strictEqual(s.target.data, 'p.tps');
  });
});
