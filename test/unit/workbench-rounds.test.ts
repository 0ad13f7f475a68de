import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { FinetuneOptions, RoundsResult } from '../../src/shared/protocol/engine';
import { EngineBusyError, EngineClient } from '../../src/extension/engine-client';
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

/** Answers `finetune` with a result naming the request it got, after one progress event; `rounds` trains until cancelled. */
const FAKE_ENGINE = `
const send = (m) => process.send(m);
send({ type: 'ready', pid: process.pid, backend: { name: 'cpu', reason: 'fake', rejected: [] } });
const slow = new Map();
process.on('message', (req) => {
  if (req.type === 'shutdown') process.exit(0);
  if (req.type === 'cancel') {
    clearInterval(slow.get(req.id));
    send({ type: 'error', id: req.id, message: 'rounds cancelled before the first round finished' });
    return;
  }
  if (req.type === 'rounds') {
    slow.set(req.id, setInterval(() => send({ type: 'progress', id: req.id, progress: { kind: 'step', stage: 'round 1/4', done: 0, total: 4 } }), 10));
    return;
  }
  const t = { kind: 'train', modelDir: req.options.out, epochs: 1, bestEpoch: 1, bestValLoss: 0.1, cancelled: false, seconds: 0 };
  send({ type: 'progress', id: req.id, progress: { kind: 'step', stage: 'pretrain ' + req.options.pretrain.map((p) => p.label).join('+'), done: 0, total: 2 } });
  send({ type: 'result', id: req.id, result: { kind: 'finetune', pretrainedDir: req.options.out + '/pretrained', modelDir: req.options.out, pretrain: t, finetune: t, seconds: 0 } });
});
`;

describe('workbench engine client: finetune and rounds jobs', function () {
  let dir: string;
  let client: EngineClient;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-engine-finetune-'));
    fs.writeFileSync(path.join(dir, 'engine.js'), FAKE_ENGINE);
    client = new EngineClient({ enginePath: path.join(dir, 'engine.js'), readyTimeoutMs: 10_000 });
  });
  after(async () => {
    await client.shutdown(500);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('sends a finetune request and resolves its result, with progress', async () => {
    const options: FinetuneOptions = {
      out: '/m/ft',
      pretrain: [
        { data: 'body.tps', label: 'body', landmarkSubset: [1, 2, 3, 4, 6, 7, 9, 10] },
        { data: 'head.tps', label: 'head', landmarkSubset: [0, 1, 2, 3, 6, 7, 8, 9] },
      ],
      target: { data: 'pronotum.tps', label: 'pronotum' },
    };
    const stages: string[] = [];
    const job = client.finetune(options, { onProgress: (p) => p.kind === 'step' && stages.push(p.stage) });
    assert.strictEqual(job.kind, 'finetune');
    assert.strictEqual(client.training?.kind, 'finetune', 'a fine-tuning counts as a training');
    const r = await job.result;
    assert.deepStrictEqual([r.kind, r.modelDir, r.pretrainedDir], ['finetune', '/m/ft', '/m/ft/pretrained']);
    assert.deepStrictEqual(stages, ['pretrain body+head']);
    assert.strictEqual(client.jobs.length, 0);
  });

  it('refuses a second training while rounds run, and a cancel settles the rounds', async () => {
    const rounds = client.rounds({ data: 'wings.tps', out: '/m/r', testSize: 4 });
    await new Promise<void>((resolve) => {
      const t = setInterval(() => client.training?.progress && (clearInterval(t), resolve()), 5);
    });
    assert.throws(() => client.finetune({ out: '/m/x', pretrain: [], target: { data: 'p.tps' } }), (e: Error) => e instanceof EngineBusyError && /A training is already running/.test(e.message));
    rounds.cancel();
    await assert.rejects(rounds.result, /cancelled before the first round/);
  });
});
