import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  EngineBusyError,
  EngineClient,
  EngineCrashError,
  EngineJobError,
  childExecArgv,
  crashHint,
} from '../../src/extension/engine-client';
import type { EngineProgress } from '../../src/shared/protocol/engine';

/**
 * A fake engine child that speaks the real protocol over IPC. Its behaviour is chosen per request
 * by the dataset path: "crash" exits with code 3 after writing to stderr, "oom" prints V8's
 * out-of-memory line and aborts, "slow" trains until cancelled, "fail" answers with an error.
 */
const FAKE_ENGINE = `
const send = (m) => process.send(m);
const timers = new Map();
if (process.env.LANDMARKS_BACKEND === 'native-gpu') {
  send({ type: 'error', id: 'engine', message: 'no backend could start: native-gpu: @tensorflow/tfjs-node-gpu is not installed' });
  setTimeout(() => process.exit(1), 20);
  return;
}
send({ type: 'ready', pid: process.pid, backend: { name: 'cpu', reason: 'fake engine for tests (' + process.env.LANDMARKS_BACKEND + ')', rejected: [{ name: 'wasm', why: 'not tried' }] } });
process.on('message', (req) => {
  if (req.type === 'shutdown') { process.exit(0); }
  if (req.type === 'cancel') {
    const t = timers.get(req.id);
    if (t) { clearInterval(t); timers.delete(req.id); send({ type: 'result', id: req.id, result: { kind: 'train', modelDir: 'm', epochs: 1, bestEpoch: 1, bestValLoss: 0.5, cancelled: true, seconds: 0.1 } }); }
    return;
  }
  const data = req.options && req.options.data;
  if (data === 'crash') { process.stderr.write('Error: something broke in the engine\\n    at train (engine.js:1:1)\\n'); setTimeout(() => process.exit(3), 20); return; }
  if (data === 'oom') { process.stderr.write('FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory\\n'); setTimeout(() => process.kill(process.pid, 'SIGKILL'), 20); return; }
  if (data === 'fail') { send({ type: 'error', id: req.id, message: 'bad dataset: wings.tps line 14: expected 12 landmarks, got 11', detail: 'specimen 2' }); return; }
  if (data === 'slow') {
    let e = 0;
    timers.set(req.id, setInterval(() => { e++; send({ type: 'progress', id: req.id, progress: { kind: 'train', epoch: e, epochs: 1000, batch: 1, batches: 1, trainLoss: 1 / e } }); }, 10));
    return;
  }
  send({ type: 'log', level: 'info', message: 'training on ' + data, id: req.id });
  for (let e = 1; e <= 3; e++) send({ type: 'progress', id: req.id, progress: { kind: 'train', epoch: e, epochs: 3, batch: 1, batches: 1, trainLoss: 1 / e, valLoss: 2 / e, etaSeconds: 3 - e } });
  send({ type: 'result', id: req.id, result: { kind: 'train', modelDir: req.options.out, epochs: 3, bestEpoch: 3, bestValLoss: 0.66, cancelled: false, seconds: 0.01 } });
});
`;

describe('workbench engine client', function () {
  let dir: string;
  let enginePath: string;
  const clients: EngineClient[] = [];
  const make = (logs?: string[]) => {
    const c = new EngineClient({
      enginePath,
      backend: 'wasm',
      readyTimeoutMs: 10_000,
      onLog: (level, m) => logs?.push(`${level}: ${m}`),
    });
    clients.push(c);
    return c;
  };

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-engine-client-'));
    enginePath = path.join(dir, 'engine.js');
    fs.writeFileSync(enginePath, FAKE_ENGINE);
  });
  after(async () => {
    for (const c of clients) await c.shutdown(500);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('forks the engine, waits for ready, streams progress and resolves the result', async () => {
    const logs: string[] = [];
    const c = make(logs);
    const progress: EngineProgress[] = [];
    const job = c.train({ data: 'wings.tps', out: '/tmp/model' }, { onProgress: (p) => progress.push(p) });
    const r = await job.result;
    assert.strictEqual(r.kind, 'train');
    assert.strictEqual(r.modelDir, '/tmp/model');
    assert.deepStrictEqual(progress.map((p) => (p.kind === 'train' ? p.epoch : -1)), [1, 2, 3]);
    assert.strictEqual(c.backend?.name, 'cpu');
    assert.match(c.backend?.reason ?? '', /\(wasm\)/, 'LANDMARKS_BACKEND reaches the child');
    assert.ok(logs.some((l) => l.includes('training on wings.tps')), logs.join('\n'));
    assert.strictEqual(c.jobs.length, 0);
  });

  it('refuses a second training while one runs, and cancels the first', async () => {
    const c = make();
    const first = c.train({ data: 'slow', out: 'a' });
    assert.throws(() => c.train({ data: 'wings.tps', out: 'b' }), (e: unknown) => e instanceof EngineBusyError && /already running/.test(e.message));
    // The engine runs one job at a time: a prediction is refused with a message too.
    assert.throws(() => c.predict({ model: 'm', images: 'i', out: 'o.tps' }), (e: unknown) => e instanceof EngineBusyError && /run the predict again/.test(e.message));
    await new Promise((r) => setTimeout(r, 100));
    first.cancel();
    const r = await first.result;
    assert.strictEqual(r.cancelled, true);
    // Once the first is over, training is allowed again.
    const again = await c.train({ data: 'wings.tps', out: 'c' }).result;
    assert.strictEqual(again.cancelled, false);
  });

  it('reports a crash with exit code and the last stderr lines, and restarts on the next job', async () => {
    const c = make();
    await assert.rejects(c.train({ data: 'crash', out: 'x' }).result, (e: unknown) => {
      assert.ok(e instanceof EngineCrashError, String(e));
      assert.strictEqual(e.exitCode, 3);
      assert.match(e.message, /exited with code 3/);
      assert.match(e.message, /something broke in the engine/);
      assert.match(e.hint, /engine log/);
      return true;
    });
    const r = await c.train({ data: 'wings.tps', out: 'y' }).result;
    assert.strictEqual(r.cancelled, false, 'a new engine is forked after a crash');
  });

  it('recognises out-of-memory kills', async () => {
    const c = make();
    await assert.rejects(c.train({ data: 'oom', out: 'x' }).result, (e: unknown) => {
      assert.ok(e instanceof EngineCrashError);
      assert.strictEqual(e.signal, 'SIGKILL');
      assert.match(e.hint, /out of memory/);
      return true;
    });
  });

  it('passes engine errors through with their detail', async () => {
    const c = make();
    await assert.rejects(c.train({ data: 'fail', out: 'x' }).result, (e: unknown) => {
      assert.ok(e instanceof EngineJobError);
      assert.match(e.message, /line 14/);
      assert.strictEqual(e.detail, 'specimen 2');
      return true;
    });
  });

  it("reports why the engine could not start (its own error, not only the exit code)", async () => {
    const c = new EngineClient({ enginePath, backend: 'native-gpu', readyTimeoutMs: 10_000 });
    clients.push(c);
    await assert.rejects(c.predict({ model: 'm', images: 'i', out: 'o.tps' }).result, (e: unknown) => {
      assert.ok(e instanceof EngineCrashError);
      assert.match(e.message, /exited with code 1\. It reported: no backend could start: native-gpu/);
      return true;
    });
  });

  it('says clearly when the engine bundle is missing', async () => {
    const c = new EngineClient({ enginePath: path.join(dir, 'nope.js') });
    await assert.rejects(c.train({ data: 'x', out: 'y' }).result, /engine is missing.*nope\.js/);
  });

  it('strips inspector flags from the child execArgv and explains crashes', () => {
    assert.deepStrictEqual(childExecArgv(['--inspect=9229', '--max-old-space-size=4096', '--inspect-brk', '--debug-port=1']), [
      '--max-old-space-size=4096',
    ]);
    assert.match(crashHint(134, null, ['FATAL ERROR: ... JavaScript heap out of memory']), /out of memory/);
    assert.match(crashHint(1, null, ["Error: Cannot find module 'sharp'"]), /npm install/);
  });
});
