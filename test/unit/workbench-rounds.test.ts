import * as assert from 'assert';
import type { RoundsResult } from '../../src/shared/protocol/engine';
import { defaultTestSize, roundCount, roundsProgress, roundsSummary, testSizeProblem } from '../../src/extension/workbench/rounds-text';

describe('workbench: cross-validation rounds texts', () => {
  it('defaults the test-set size to about a fifth, leaving at least 2 images to train on', () => {
    assert.strictEqual(defaultTestSize(293), 59);
    assert.strictEqual(defaultTestSize(46), 9);
    assert.strictEqual(defaultTestSize(16), 3);
    assert.strictEqual(defaultTestSize(4), 1);
    assert.strictEqual(defaultTestSize(3), 1);
    assert.strictEqual(roundCount(293, 33), 9);
    assert.strictEqual(roundCount(16, 4), 4);
    assert.strictEqual(roundCount(17, 4), 5);
  });

  it('explains a test-set size that cannot work', () => {
    assert.strictEqual(testSizeProblem('4', 16), undefined);
    assert.strictEqual(testSizeProblem('14', 16), undefined);
    assert.match(testSizeProblem('15', 16) ?? '', /At most 14/);
    assert.match(testSizeProblem('0', 16) ?? '', /At least 1/);
    assert.match(testSizeProblem('3.5', 16) ?? '', /whole number/);
    assert.match(testSizeProblem('', 16) ?? '', /whole number/);
  });

  it('shows round i/n from step and training progress, with the overall fraction', () => {
    assert.deepStrictEqual(roundsProgress({ kind: 'step', stage: 'round 2/4', done: 1, total: 4 }), { round: 2, rounds: 4, text: 'round 2/4', fraction: 0.25 });
    const t = roundsProgress({ kind: 'train', epoch: 2, epochs: 4, batch: 1, batches: 1, trainLoss: 0.01234, message: 'round 3/4' });
    assert.strictEqual(t.text, 'round 3/4 · epoch 2/4 · loss 0.01234');
    assert.strictEqual(t.fraction, (2 + 0.5) / 4);
    const m = roundsProgress({ kind: 'train', epoch: 1, epochs: 1, batch: 1, batches: 1, message: 'round 1/4: storing templates' });
    assert.strictEqual(m.text, 'round 1/4 · epoch 1/1 · storing templates');
    assert.strictEqual(roundsProgress({ kind: 'step', stage: 'rounds', done: 4, total: 4 }).fraction, 1);
    assert.strictEqual(roundsProgress({ kind: 'step', stage: 'decode', done: 3, total: 16 }).text, 'decode 3/16');
    // A round's own steps keep the round seen last.
    assert.deepStrictEqual(roundsProgress({ kind: 'step', stage: 'validate', done: 1, total: 3 }, { round: 2, rounds: 4 }), { round: 2, rounds: 4, text: 'round 2/4 · validate 1/3' });
    assert.strictEqual(roundsProgress({ kind: 'train', epoch: 1, epochs: 2, batch: 1, batches: 2, valLoss: 0.5 }, { round: 3, rounds: 4 }).fraction, (2 + 0.25) / 4);
  });

  it('sums up the run: rounds, mean error, where the files are', () => {
    const r = {
      kind: 'rounds',
      rounds: 4,
      predictedTps: '/w/models/x/predicted.tps',
      seconds: 65,
      evaluation: { mean: 3.456, median: 2.5, p90: 7.25, matched: 16 },
    } as unknown as RoundsResult;
    assert.strictEqual(
      roundsSummary(r, 'models/x'),
      'Cross-validation: 4 rounds, every image tested once (16 images). Mean error 3.46 px (median 2.50, p90 7.25). Files in models/x: predicted.tps, evaluation.json, round models (1 min 05 s).',
    );
    assert.match(roundsSummary({ ...r, cancelled: true, rounds: 2, evaluation: { ...r.evaluation, matched: 8 } }, 'models/x', 16), /^Cross-validation cancelled in round 2: 8 of 16 images tested\. Mean error 3\.46 px/);
  });
});
