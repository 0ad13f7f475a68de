/** The engine commands' option parsing (train / rounds / finetune share it). */
import * as assert from 'assert';
import { parseTrainArgs } from '../../src/cli/train';
import { formatProgress, parseLandmarkList, parseSize, UsageError } from '../../src/cli/engine-common';

describe('engine CLI options', () => {
  it('parses train options into TrainOptions', () => {
    const { options, backend, json } = parseTrainArgs([
      '--data', 'a.tps', '--out', 'm', '--preset', 'paper', '--epochs', '5', '--batch-size', '8',
      '--input-size', '128x96', '--seed', '0', '--landmarks', '1-3,8', '--exclude', 'x1, x2', '--backend', 'wasm', '--json', '--resume',
    ]);
    assert.deepStrictEqual(options, {
      data: 'a.tps', out: 'm', preset: 'paper', epochs: 5, batchSize: 8, inputSize: [128, 96], seed: 0,
      landmarkSubset: [0, 1, 2, 7], exclude: ['x1', 'x2'], resume: true,
    });
    assert.strictEqual(backend, 'wasm');
    assert.strictEqual(json, true);
  });

  it('rejects bad values with a message naming the option', () => {
    assert.throws(() => parseTrainArgs(['--out', 'm']), /--data is required/);
    assert.throws(() => parseTrainArgs(['--data', 'a', '--out', 'm', '--preset', 'big']), /--preset big/);
    assert.throws(() => parseTrainArgs(['--data', 'a', '--out', 'm', '--epochs', '0']), /--epochs 0/);
    assert.throws(() => parseTrainArgs(['--data', 'a', '--out', 'm', '--backend', 'tpu']), /--backend tpu/);
    assert.throws(() => parseSize('256*192'), UsageError);
    assert.throws(() => parseLandmarkList('landmarks', '0,1'), /--landmarks 0,1: "0": a range goes from 1 upwards/);
    assert.throws(() => parseTrainArgs(['--data', 'a', '--out', 'm', '--bogus']), /bogus/);
  });

  it('formats progress for stderr', () => {
    assert.strictEqual(
      formatProgress({ kind: 'train', epoch: 2, epochs: 10, batch: 3, batches: 9, trainLoss: 0.0123, etaSeconds: 125 }),
      'epoch 2/10 batch 3/9 loss train 0.01230 ETA 2 min 05 s',
    );
    assert.strictEqual(formatProgress({ kind: 'step', stage: 'predict', done: 4, total: 12, etaSeconds: 8 }), 'predict 4/12 ETA 8 s');
    // a preset of stages: the stage and its metric, never "epoch 1/1 batch 74/2074"
    assert.strictEqual(
      formatProgress({ kind: 'train', epoch: 1, epochs: 1, batch: 5, batches: 24, phase: { name: 'cascade', index: 1, count: 3, done: 5, total: 24 }, metric: { name: 'out-of-fold error px', value: 3.5 }, etaSeconds: 65 }),
      'stage 1/3 cascade 5/24 out-of-fold error px 3.50 ETA 1 min 05 s',
    );
  });
});
