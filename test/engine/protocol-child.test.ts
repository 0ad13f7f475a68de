/**
 * The engine child process over the real protocol: dist/engine.js is built with esbuild in
 * `before`, forked with an IPC channel; it says 'ready' with its backend, runs a tiny training
 * job with progress and a result, refuses a second job while busy, reports a bad job as an
 * 'error' event, and a kill -9 is seen by the parent as an exit (not a hang).
 */
import * as assert from 'assert';
import { execFileSync, fork, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { isEngineEvent, type EngineEvent, type EngineRequest } from '../../src/shared/protocol/engine';
import { repoRoot, requireData } from '../helpers/data';

const ENGINE = path.join(repoRoot, 'dist', 'engine.js');

class Child {
  readonly events: EngineEvent[] = [];
  private waiters: { pred: (e: EngineEvent) => boolean; resolve: (e: EngineEvent) => void }[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  constructor(readonly proc: ChildProcess) {
    proc.on('message', (m: unknown) => {
      if (!isEngineEvent(m)) return;
      this.events.push(m);
      this.waiters = this.waiters.filter((w) => {
        if (!w.pred(m)) return true;
        w.resolve(m);
        return false;
      });
    });
    this.exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  }
  send(r: EngineRequest): void {
    this.proc.send(r);
  }
  wait(pred: (e: EngineEvent) => boolean, ms: number, what: string): Promise<EngineEvent> {
    const seen = this.events.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
      this.waiters.push({ pred, resolve: (e) => (clearTimeout(t), resolve(e)) });
    });
  }
}

function start(backend = 'wasm'): Child {
  const proc = fork(ENGINE, [], { env: { ...process.env, LANDMARKS_BACKEND: backend }, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  return new Child(proc);
}

describe('engine child process (dist/engine.js over IPC)', function () {
  this.timeout(180000);
  let tmp = '';
  let tps = '';
  const children: Child[] = [];

  before(function () {
    const root = requireData(this, 'drosophila-wings');
    tps = path.join(root, 'landmarks.tps');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-child-'));
    execFileSync(process.execPath, ['esbuild.js', 'engine'], { cwd: repoRoot, stdio: 'pipe' });
    assert.ok(fs.existsSync(ENGINE));
  });
  after(() => {
    for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('says ready with its backend, runs a job with progress and a result, one job at a time', async () => {
    const c = start();
    children.push(c);
    const ready = await c.wait((e) => e.type === 'ready', 120000, 'ready');
    assert.ok(ready.type === 'ready');
    assert.strictEqual(ready.backend.name, 'wasm');
    assert.match(ready.backend.reason, /LANDMARKS_BACKEND=wasm/);
    assert.strictEqual(ready.pid, c.proc.pid);

    const out = path.join(tmp, 'model');
    c.send({
      type: 'train',
      id: 'job-1',
      options: {
        data: tps,
        out,
        preset: 'paper',
        epochs: 1,
        inputSize: [32, 24],
        batchSize: 32,
        include: ['63001', '63002', '63004', '63006', '63007', '63008'],
        validationSplit: 0.34,
      },
    });
    c.send({ type: 'predict', id: 'job-2', options: { model: out, images: tmp, out: path.join(tmp, 'p.tps') } });
    const busy = await c.wait((e) => e.type === 'error' && e.id === 'job-2', 30000, 'busy error');
    assert.ok(busy.type === 'error' && /busy with train job job-1/.test(busy.message), JSON.stringify(busy));
    // Typed, so that no caller reads "cancel it" in the message as a cancellation.
    assert.ok(busy.type === 'error' && busy.kind === 'busy' && busy.busy?.id === 'job-1' && busy.busy.kind === 'train', JSON.stringify(busy));
    assert.ok(busy.type === 'error' && typeof busy.busy?.started === 'number');
    const result = await c.wait((e) => (e.type === 'result' || e.type === 'error') && e.id === 'job-1', 150000, 'train result');
    assert.ok(result.type === 'result', JSON.stringify(result));
    assert.ok(result.result.kind === 'train' && result.result.epochs === 1 && result.result.bestEpoch === 1);
    assert.ok(fs.existsSync(path.join(out, 'metadata.json')));
    const progress = c.events.filter((e) => e.type === 'progress' && e.id === 'job-1');
    assert.ok(progress.some((e) => e.type === 'progress' && e.progress.kind === 'train' && e.progress.valLoss !== undefined));

    // A bad job is an 'error' event naming the problem; the engine stays up for the next one.
    c.send({ type: 'predict', id: 'job-3', options: { model: path.join(tmp, 'missing-model'), images: tmp, out: path.join(tmp, 'p.tps') } });
    const err = await c.wait((e) => e.type === 'error' && e.id === 'job-3', 30000, 'job-3 error');
    assert.ok(err.type === 'error' && /model folder not found/.test(err.message));
    assert.ok(err.type === 'error' && err.kind === 'failed', 'a failure is not a cancellation');

    // A prediction cancelled half-way stops by throwing ("nothing written"): it is said as a
    // cancellation by its kind. 150 mollusk photos of 2000 px take long enough to cancel.
    const shells = path.join(path.dirname(tps), '..', 'mollusk', 'images');
    if (fs.existsSync(shells)) {
      c.send({ type: 'predict', id: 'job-4', options: { model: out, images: shells, out: path.join(tmp, 'shells.tps') } });
      await c.wait((e) => e.type === 'progress' && e.id === 'job-4', 60000, 'first prediction progress');
      c.send({ type: 'cancel', id: 'job-4' });
      const cancelled = await c.wait((e) => (e.type === 'error' || e.type === 'result') && e.id === 'job-4', 60000, 'cancelled prediction');
      assert.ok(cancelled.type === 'error' && cancelled.kind === 'cancelled', JSON.stringify(cancelled));
      assert.ok(!fs.existsSync(path.join(tmp, 'shells.tps')), 'nothing written');
    }

    c.send({ type: 'shutdown' });
    const exit = await c.exited;
    assert.strictEqual(exit.code, 0);
  });

  it("says in 'ready' what each preset runs on its backend: paper at 128x96 on wasm (not the 256x192 of a native backend)", async () => {
    const c = start();
    children.push(c);
    const ready = await c.wait((e) => e.type === 'ready', 120000, 'ready');
    assert.ok(ready.type === 'ready' && ready.presets, JSON.stringify(ready));
    const paper = ready.presets.find((p) => p.name === 'paper');
    assert.ok(paper, 'the paper preset is described');
    assert.deepStrictEqual(paper.defaults.inputSize, [128, 96]);
    assert.strictEqual(paper.defaults.epochs, 60);
    assert.doesNotMatch(paper.description, /\d+x\d+/, 'no size in the description: it depends on the backend');
    assert.deepStrictEqual(ready.presets.map((p) => p.name).sort(), ['default', 'paper', 'pose']);
    c.send({ type: 'shutdown' });
    assert.strictEqual((await c.exited).code, 0);
  });

  it('a forced backend that cannot start is an error event, then the engine exits 1', async function () {
    let nativeGpu = true;
    try {
      require.resolve('@tensorflow/tfjs-node-gpu');
    } catch {
      nativeGpu = false;
    }
    if (nativeGpu) this.skip(); // it would start here
    const c = start('native-gpu');
    children.push(c);
    const err = await c.wait((e) => e.type === 'error' || e.type === 'ready', 60000, 'error');
    assert.ok(err.type === 'error' && err.id === 'engine' && /native-gpu/.test(err.message), JSON.stringify(err));
    assert.strictEqual((await c.exited).code, 1);
  });

  it('a kill -9 in the middle of a job is seen as an exit, not a hang', async () => {
    const c = start();
    children.push(c);
    await c.wait((e) => e.type === 'ready', 120000, 'ready');
    c.send({
      type: 'train',
      id: 'long',
      options: { data: tps, out: path.join(tmp, 'long'), preset: 'paper', epochs: 50, inputSize: [32, 24], batchSize: 8 },
    });
    await c.wait((e) => e.type === 'progress' && e.id === 'long', 60000, 'first progress');
    process.kill(c.proc.pid!, 'SIGKILL');
    const exit = await Promise.race([c.exited, new Promise<'hang'>((r) => setTimeout(() => r('hang'), 10000))]);
    assert.notStrictEqual(exit, 'hang');
    assert.ok(exit !== 'hang' && exit.signal === 'SIGKILL');
  });

  it('cancel stops a training job and its result says cancelled', async () => {
    const c = start();
    children.push(c);
    await c.wait((e) => e.type === 'ready', 120000, 'ready');
    c.send({
      type: 'train',
      id: 'c1',
      options: { data: tps, out: path.join(tmp, 'c1'), preset: 'paper', epochs: 50, inputSize: [32, 24], batchSize: 8 },
    });
    await c.wait((e) => e.type === 'progress' && e.id === 'c1', 60000, 'first progress');
    c.send({ type: 'cancel', id: 'c1' });
    const r = await c.wait((e) => (e.type === 'result' || e.type === 'error') && e.id === 'c1', 60000, 'cancelled result');
    assert.ok(r.type === 'result' && r.result.kind === 'train' && r.result.cancelled, JSON.stringify(r));
    c.send({ type: 'shutdown' });
    assert.strictEqual((await c.exited).code, 0);
  });
});
