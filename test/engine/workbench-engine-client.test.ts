import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { execFileSync } from 'child_process';
import {
  EngineBusyError,
  EngineCancelledError,
  EngineClient,
  EngineCrashError,
  EngineJobError,
  childExecArgv,
  crashHint,
} from '../../src/extension/engine-client';
import { whenEngineFree, type BusyChoice } from '../../src/extension/workbench/engine-busy';
import { describeError } from '../../src/extension/workbench/messages';
import type { BusyInfo, EngineProgress } from '../../src/shared/protocol/engine';
import { repoRoot } from '../helpers/data';

/**
 * A fake engine child that speaks the real protocol over IPC. Its behaviour is chosen per request
 * by the dataset path: "crash" exits with code 3 after writing to stderr, "oom" prints V8's
 * out-of-memory line and aborts, "slow" trains until cancelled (with an ETA), "fail" answers with
 * an error, "throws-on-cancel" stops by throwing when cancelled (as predict does: the engine then
 * sends an error of kind 'cancelled'), "engine-busy" is refused by the engine itself (kind
 * 'busy'). A predict request (options.images) answers a predict result.
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
    if (t) {
      clearInterval(t.timer); timers.delete(req.id);
      if (t.throws) send({ type: 'error', id: req.id, kind: 'cancelled', message: 'prediction cancelled: nothing written' });
      else send({ type: 'result', id: req.id, result: { kind: 'train', modelDir: 'm', epochs: 1, bestEpoch: 1, bestValLoss: 0.5, cancelled: true, seconds: 0.1 } });
    }
    return;
  }
  const data = req.options && req.options.data;
  if (req.options && req.options.images) { send({ type: 'result', id: req.id, result: { kind: 'predict', out: req.options.out, predicted: 3, skipped: [], seconds: 0.01 } }); return; }
  if (data === 'engine-busy') { send({ type: 'error', id: req.id, kind: 'busy', busy: { id: 'train-other', kind: 'train', started: 1700000000000, etaSeconds: 185 }, message: 'the engine is busy with train job train-other; one job at a time (wait for it to end, or cancel it)' }); return; }
  if (data === 'throws-on-cancel') { timers.set(req.id, { throws: true, timer: setInterval(() => {}, 1000) }); return; }
  if (data === 'crash') { process.stderr.write('Error: something broke in the engine\\n    at train (engine.js:1:1)\\n'); setTimeout(() => process.exit(3), 20); return; }
  if (data === 'oom') { process.stderr.write('FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory\\n'); setTimeout(() => process.kill(process.pid, 'SIGKILL'), 20); return; }
  if (data === 'fail') { send({ type: 'error', id: req.id, message: 'bad dataset: wings.tps line 14: expected 12 landmarks, got 11', detail: 'specimen 2' }); return; }
  if (data === 'slow') {
    let e = 0;
    timers.set(req.id, { timer: setInterval(() => { e++; send({ type: 'progress', id: req.id, progress: { kind: 'train', epoch: e, epochs: 1000, batch: 1, batches: 1, trainLoss: 1 / e, etaSeconds: 180 } }); }, 10) });
    return;
  }
  send({ type: 'log', level: 'info', message: 'training on ' + data, id: req.id });
  for (let e = 1; e <= 3; e++) send({ type: 'progress', id: req.id, progress: { kind: 'train', epoch: e, epochs: 3, batch: 1, batches: 1, trainLoss: 1 / e, valLoss: 2 / e, etaSeconds: 3 - e } });
  send({ type: 'result', id: req.id, result: { kind: 'train', modelDir: req.options.out, epochs: 3, bestEpoch: 3, bestValLoss: 0.66, cancelled: false, seconds: 0.01 } });
});
`;

async function waitUntil(cond: () => boolean, ms = 10_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

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
    let epochs = 0;
    const first = c.train({ data: 'slow', out: 'a' }, { onProgress: () => void epochs++ });
    assert.throws(() => c.train({ data: 'wings.tps', out: 'b' }), (e: unknown) => e instanceof EngineBusyError && /already running/.test(e.message));
    // The engine runs one job at a time: a prediction is refused with a message too.
    assert.throws(() => c.predict({ model: 'm', images: 'i', out: 'o.tps' }), (e: unknown) => e instanceof EngineBusyError && /run the predict again/.test(e.message));
    // Cancelled once it trains (a fixed wait lost the race to a slow fork on a loaded machine:
    // a job cancelled before it starts is a cancellation error, tested on its own below).
    await waitUntil(() => epochs > 0);
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

  it('a busy engine is a typed busy error with the running training and its ETA, never a cancellation', async () => {
    const c = make();
    const training = c.train({ data: 'slow', out: 'a' });
    await waitUntil(() => c.training?.progress?.etaSeconds !== undefined);
    let refused: unknown;
    try {
      c.predict({ model: 'm', images: 'i', out: 'o.tps' });
    } catch (e) {
      refused = e;
    }
    // The message says "cancel it" (what to do): the predict command once took that for a cancellation.
    assert.ok(refused instanceof EngineBusyError && !(refused instanceof EngineCancelledError), String(refused));
    assert.match(refused.message, /cancel it/);
    assert.strictEqual(refused.running?.kind, 'train');
    assert.strictEqual(refused.running?.id, training.id);
    assert.strictEqual(refused.running?.etaSeconds, 180);
    const said = describeError(refused, 'Prediction');
    assert.strictEqual(said.message, 'The engine is busy training (ETA 3 min 00 s). Prediction was not started.');
    assert.doesNotMatch(said.message, /cancelled/);
    training.cancel();
    assert.strictEqual((await training.result).cancelled, true);

    // Refused by the engine itself (another caller's job): the same typed error, with the engine's facts.
    await assert.rejects(c.train({ data: 'engine-busy', out: 'b' }).result, (e: unknown) => {
      assert.ok(e instanceof EngineBusyError, String(e));
      assert.deepStrictEqual(e.running, { id: 'train-other', kind: 'train', started: 1700000000000, etaSeconds: 185 });
      return true;
    });
  });

  it('a cancelled job rejects with EngineCancelledError: when the engine stops it, and when it never started', async () => {
    const c = make();
    const slow = c.train({ data: 'throws-on-cancel', out: 'x' });
    await c.start(); // the request is sent once the engine is ready
    slow.cancel();
    await assert.rejects(slow.result, (e: unknown) => e instanceof EngineCancelledError && e.kind === 'train');
    assert.strictEqual(c.jobs.length, 0);

    // Cancelled while the engine is still starting: never sent, and said as a cancellation.
    const fresh = make();
    const early = fresh.train({ data: 'wings.tps', out: 'y' });
    early.cancel();
    await assert.rejects(early.result, (e: unknown) => e instanceof EngineCancelledError && /before it started/.test(e.message));
    assert.strictEqual(fresh.jobs.length, 0);
  });

  describe('a prediction asked for while a training runs', () => {
    const scripted = (choice: BusyChoice, seen: { question?: string; busy?: BusyInfo; waited?: boolean }) => ({
      ask: async (busy: BusyInfo, question: string) => {
        seen.busy = busy;
        seen.question = question;
        return choice;
      },
      wait: async (_busy: BusyInfo, idle: Promise<void>) => {
        seen.waited = true;
        await idle;
        return true;
      },
    });

    it('asks "busy training (ETA ...). Queue the prediction?", and Queue runs it when the training ends', async () => {
      const c = make();
      const training = c.train({ data: 'slow', out: 'a' });
      await waitUntil(() => c.training?.progress?.etaSeconds !== undefined);
      const seen: { question?: string; busy?: BusyInfo; waited?: boolean } = {};
      let trainingEnded = false;
      const free = whenEngineFree(c, 'prediction', scripted('queue', seen)).then((ok) => {
        assert.ok(trainingEnded, 'the prediction waits for the training');
        return ok;
      });
      await waitUntil(() => seen.question !== undefined);
      assert.strictEqual(seen.question, 'The engine is busy training (ETA 3 min 00 s). Queue the prediction?');
      await new Promise((r) => setTimeout(r, 50));
      trainingEnded = true;
      training.cancel(); // the training ends (here by a cancel from elsewhere)
      assert.strictEqual(await free, true);
      const r = await c.predict({ model: 'm', images: 'i', out: 'o.tps' }).result;
      assert.strictEqual(r.predicted, 3);
    });

    it('"Cancel training" cancels the training (it keeps its best model) and then the prediction runs; dismiss runs nothing', async () => {
      const c = make();
      const training = c.train({ data: 'slow', out: 'a' });
      await waitUntil(() => c.training !== undefined && c.training.progress !== undefined);
      const seen: { question?: string; busy?: BusyInfo; waited?: boolean } = {};
      assert.strictEqual(await whenEngineFree(c, 'prediction', scripted('cancelRunning', seen)), true);
      const t = await training.result;
      assert.strictEqual(t.cancelled, true, 'the training was cancelled, with its result');
      assert.strictEqual(c.jobs.length, 0);
      assert.strictEqual((await c.predict({ model: 'm', images: 'i', out: 'o.tps' }).result).kind, 'predict');

      const again = c.train({ data: 'slow', out: 'b' });
      // Started in the engine, not only sent: cancelled before its start it would end in an error.
      await waitUntil(() => c.training?.progress !== undefined);
      const dismissed: { question?: string; waited?: boolean } = {};
      assert.strictEqual(await whenEngineFree(c, 'prediction', scripted('dismiss', dismissed)), false);
      assert.strictEqual(dismissed.waited, undefined, 'nothing waits');
      assert.ok(c.training, 'the training goes on');
      again.cancel();
      await again.result;
      // Idle: no question at all.
      const idle: { question?: string } = {};
      assert.strictEqual(await whenEngineFree(c, 'prediction', scripted('dismiss', idle)), true);
      assert.strictEqual(idle.question, undefined);
    });
  });

  it('the real engine: each backend it rejected is in the log once per engine start', async function () {
    this.timeout(240_000);
    execFileSync(process.execPath, ['esbuild.js', 'engine'], { cwd: repoRoot, stdio: 'pipe' });
    const logs: string[] = [];
    const c = new EngineClient({ enginePath: path.join(repoRoot, 'dist', 'engine.js'), backend: 'auto', readyTimeoutMs: 120_000, onLog: (l, m) => logs.push(`${l}: ${m}`) });
    clients.push(c);
    const report = await c.start();
    if (report.rejected.length === 0) {
      console.warn('    skipped: no backend was rejected on this machine (a native tfjs package loads), so no reason line to count');
      this.skip();
    }
    await c.shutdown(5000);
    await c.start();
    await c.shutdown(5000);
    for (const r of report.rejected) {
      const lines = logs.filter((l) => l.includes(r.why));
      assert.strictEqual(lines.length, 2, `"${r.why}" twice over two engine starts:\n${lines.join('\n')}`);
    }
    assert.strictEqual(logs.filter((l) => /engine: ready, backend/.test(l)).length, 2);
    assert.match(logs.find((l) => /engine: ready/.test(l)) ?? '', new RegExp(`not used: ${report.rejected.map((r) => r.name).join(', ')}`));
  });

  it('strips inspector flags from the child execArgv and explains crashes', () => {
    assert.deepStrictEqual(childExecArgv(['--inspect=9229', '--max-old-space-size=4096', '--inspect-brk', '--debug-port=1']), [
      '--max-old-space-size=4096',
    ]);
    assert.match(crashHint(134, null, ['FATAL ERROR: ... JavaScript heap out of memory']), /out of memory/);
    assert.match(crashHint(1, null, ["Error: Cannot find module 'sharp'"]), /npm install/);
  });
});
