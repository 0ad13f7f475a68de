/** Where "Run cross-validation rounds" offers to run them, and the CLI run it starts. */
import * as assert from 'assert';
import * as path from 'path';
import { hasSbatch, roundsCliArgs, statusText, whereChoices } from '../../src/extension/workbench/rounds-cli';
import type { RoundsStatus } from '../../src/shared/protocol/rounds';

describe('workbench: where rounds run', function () {
  it('offers side by side only with more than one core and round, and SLURM only where sbatch is on PATH', function () {
    assert.deepStrictEqual(whereChoices(1, 4, false).map((c) => c.where), [{ kind: 'engine' }]);
    assert.deepStrictEqual(whereChoices(2, 4, false).map((c) => c.where), [{ kind: 'engine' }, { kind: 'workers', workers: 2 }]);
    assert.deepStrictEqual(whereChoices(16, 3, true).map((c) => c.where), [{ kind: 'engine' }, { kind: 'workers', workers: 3 }, { kind: 'slurm' }]);
    const bin = path.join(path.sep, 'opt', 'slurm', 'bin');
    assert.strictEqual(hasSbatch([path.join(path.sep, 'usr', 'bin'), bin].join(path.delimiter), (p) => p === path.join(bin, 'sbatch')), true);
    assert.strictEqual(hasSbatch(path.join(path.sep, 'usr', 'bin'), () => false), false);
    assert.strictEqual(hasSbatch('', () => true), false);
  });

  it('passes the dialog\'s options to `rounds` with --workers or --slurm and its requests', function () {
    const o = { data: '/d/w.tps', out: '/m/r', preset: 'paper' as const, testSize: 4, epochs: 2, inputSize: [64, 48] as [number, number], validationSplit: 0.25, seed: 3 };
    assert.deepStrictEqual(roundsCliArgs(o, { kind: 'workers', workers: 2 }), [
      'rounds', '--data', '/d/w.tps', '--out', '/m/r', '--test-size', '4', '--preset', 'paper', '--epochs', '2', '--input-size', '64x48', '--validation-split', '0.25', '--seed', '3', '--workers', '2',
    ]);
    assert.deepStrictEqual(roundsCliArgs({ ...o, epochs: undefined, inputSize: undefined, seed: undefined, validationSplit: undefined }, { kind: 'slurm', partition: 'gpu', time: '01:00:00', gpus: 1 }).slice(-7), [
      'paper', '--slurm', '--partition', 'gpu', '--time', '01:00:00', '--gpus', '1',
    ].slice(-7));
  });

  it('says per round how the rounds stand', function () {
    const s = { rounds: [{}, {}, {}, {}], counts: { done: 2, running: 1, pending: 1, failed: 0 }, slurm: { arrayJob: '5', mergeJob: '6', mergeState: 'PENDING', squeue: true, sacct: true } } as unknown as RoundsStatus;
    assert.strictEqual(statusText(s), '2/4 rounds done, 1 running, 1 waiting, merge job pending');
  });
});
