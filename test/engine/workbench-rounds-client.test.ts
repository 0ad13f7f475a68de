/** The workbench engine client's finetune and rounds jobs against a fake engine child (forked); the texts: test/unit/workbench-rounds.test.ts. */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { FinetuneOptions } from '../../src/shared/protocol/engine';
import { EngineBusyError, EngineClient } from '../../src/extension/engine-client';

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
