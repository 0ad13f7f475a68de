/**
 * Predictions in flight (src/engine/predict-each.ts): results keep the photos' order whatever
 * order they finish in, one bad photo does not stop the rest, and a stages pipeline predicting two
 * photos at once gives each photo the answer it gets alone, also when a stage awaits while it
 * reads the pyramid (as a CNN stage does).
 */
import * as assert from 'assert';
import { predictEach } from '../../src/engine/predict-each';
import { PipelinePredictor, type PipelineModel } from '../../src/engine/pipeline/pipeline';
import type { AnyStage, StageAnswer } from '../../src/engine/pipeline/stage';
import type { GreyImage } from '../../src/engine/imaging/grey';
import type { Prediction, Predictor } from '../../src/engine/presets/preset';
import { makeFixture, removeFixture, type Fixture } from '../helpers/fixture';
import * as path from 'path';

const later = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function fakePredictor(inFlight: number, delayOf: (file: string) => number, failing: string[] = []): Predictor & { maxRunning: number } {
  let running = 0;
  const p = {
    landmarkCount: 1,
    inFlight,
    maxRunning: 0,
    async predict(file: string): Promise<Prediction> {
      running++;
      p.maxRunning = Math.max(p.maxRunning, running);
      await later(delayOf(file));
      running--;
      if (failing.includes(file)) throw new Error(`${file}: cannot decode`);
      return { landmarks: [[Number(file.slice(1)), 0]], width: 1, height: 1 };
    },
    dispose(): void {},
  };
  return p;
}

/** Mean of a pyramid level, read in two halves with an await between them (a CNN stage's reads). */
async function meanAcrossAwait(level: GreyImage): Promise<number> {
  const half = level.data.length >> 1;
  let s = 0;
  for (let i = 0; i < half; i++) s += level.data[i];
  await later(5);
  for (let i = half; i < level.data.length; i++) s += level.data[i];
  return s / level.data.length;
}

const awaitingStage: AnyStage = {
  name: 'reads-across-await',
  description: 'test stage',
  options: [],
  whyNot: () => '',
  fit: () => Promise.reject(new Error('not fitted in this test')),
  apply: async (_m: unknown, pyr: GreyImage[]): Promise<StageAnswer> => {
    const a = await meanAcrossAwait(pyr[1]);
    const b = await meanAcrossAwait(pyr[2]);
    return { landmarks: [[a, b]], doubt: [1] };
  },
  save: () => ({ meta: {}, weights: new Float32Array(0) }),
  load: () => ({}),
} as unknown as AnyStage;

describe('predictions in flight', function () {
  this.timeout(60000);

  it('keeps the input order when later photos finish first, and runs as many at once as the predictor allows', async () => {
    const files = ['p0', 'p1', 'p2', 'p3', 'p4', 'p5'];
    const predictor = fakePredictor(2, (f) => (f === 'p0' ? 60 : 5));
    const finished: number[] = [];
    const out = await predictEach(predictor, files, { done: (i) => finished.push(i) });
    assert.deepStrictEqual(
      out.map((o) => o?.prediction?.landmarks[0][0]),
      [0, 1, 2, 3, 4, 5],
    );
    assert.notStrictEqual(finished[0], 0, 'p0 is slow: another photo finishes first');
    assert.strictEqual(predictor.maxRunning, 2);
    const one = fakePredictor(1, () => 1);
    await predictEach(one, files);
    assert.strictEqual(one.maxRunning, 1);
  });

  it('gives a failing photo its error and predicts the others; a fatal error stops and is thrown; a cancel leaves the rest unstarted', async () => {
    const files = ['p0', 'p1', 'p2', 'p3'];
    const out = await predictEach(fakePredictor(2, () => 2, ['p1']), files);
    assert.match(out[1]?.error?.message ?? '', /p1: cannot decode/);
    assert.deepStrictEqual([0, 2, 3].map((i) => out[i]?.prediction?.landmarks[0][0]), [0, 2, 3]);

    await assert.rejects(predictEach(fakePredictor(2, () => 2, ['p1']), files, { fatal: (e) => /p1/.test(e.message) }), /p1: cannot decode/);

    let done = 0;
    const cancelled = await predictEach(fakePredictor(1, () => 1), files, { cancelled: () => done >= 2, done: (_i, n) => (done = n) });
    assert.deepStrictEqual(Array.from(cancelled, (o) => o !== undefined), [true, true, false, false]);
  });

  describe('a stages pipeline, two photos at once', () => {
    let fx: Fixture | undefined;
    before(async () => {
      fx = await makeFixture({ count: 6 });
    });
    after(() => removeFixture(fx));

    it('answers each photo as it does alone, though its stage awaits while reading the pyramid', async () => {
      assert.ok(fx);
      const files = fx.specimens.map((s) => path.join(fx!.imagesDir, s.image));
      const model: PipelineModel = {
        profile: { name: 'test', description: 'test', folds: 2, stages: [{ stage: awaitingStage.name, options: {} }] },
        landmarkCount: 1,
        levels: 3,
        stages: [{ stage: awaitingStage, model: {} }],
      };
      const alone: number[][] = [];
      for (const f of files) alone.push((await new PipelinePredictor(model).predict(f)).landmarks[0]);
      // the photos differ, so a pyramid overwritten by another photo would show
      assert.ok(new Set(alone.map((p) => p.join())).size > 1);
      const predictor = new PipelinePredictor(model);
      assert.ok((predictor.inFlight ?? 1) >= 2);
      const together = await predictEach(predictor, files);
      assert.deepStrictEqual(together.map((o) => o?.prediction?.landmarks[0]), alone);
    });
  });
});
