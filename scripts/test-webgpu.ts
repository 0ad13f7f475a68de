/**
 * `npm run test:webgpu`: the networks train and predict on WebGPU (Dawn) exactly as on wasm.
 *
 * Where no hardware adapter answers (CI, this kind of machine), it fetches Mesa 25 lavapipe into
 * ~/.cache/landmarks-webgpu (scripts/webgpu/lavapipe.sh, nothing installed system-wide) and runs
 * on that software Vulkan adapter; then it runs itself again in a child process with the driver's
 * VK_ICD_FILENAMES / LD_LIBRARY_PATH, which the dynamic linker reads only at process start.
 *
 * Checks, each with the same seed, data and initial weights on webgpu and on wasm:
 * - the paper net (its preset's real training: x7 augmentation, Nesterov momentum, dropout,
 *   validation, checkpoint and best-model saving) for 2 steps at 32x24 on 2 wing photos:
 *   losses, every saved weight and the predicted landmarks agree within tolerance;
 * - the patch CNN (the default preset's refinement net) for 3 Adam steps on 16 px patches:
 *   weights, the loss on a fixed batch and the refined landmarks agree;
 * - the deep heatmap stage's U-Net for 3 Adam steps at a 32x32 input: weights and answers agree;
 * - a buffer over the adapter's storage-buffer limit (128 MiB on lavapipe) is caught before the
 *   first step and inside a step as a WebGpuLimitError naming the limit, and the job falls back
 *   to wasm, after which the engine is back on webgpu.
 * Lavapipe is slow (seconds per step of even a tiny net): inputs are tiny, the run takes ~2-4
 * minutes on 2 cores. Prints `N passed, M failed`; exits 1 on any failure.
 *
 * Options (env): LANDMARKS_WEBGPU_SOFTWARE=1 uses lavapipe even where a GPU answers;
 * LANDMARKS_WEBGPU_CACHE moves the driver cache.
 */
import { fork, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import type * as tfjs from '@tensorflow/tfjs';
import { initBackend } from '../src/engine/backend/init';
import * as tf from '../src/engine/backend/tf';
import { dawnDriver, describeAdapter, type WebGpuProbe } from '../src/engine/backend/webgpu';
import { assertFitsWebGpu, guardWebGpu, webGpuLimits, WebGpuLimitError } from '../src/engine/backend/webgpu-device';
import { withWasmFallback } from '../src/engine/backend/fallback';
import { CancelSource, type JobEnv } from '../src/engine/env';
import { loadLayersModel } from '../src/engine/model-io/layers-io';
import { paperPreset } from '../src/engine/presets/paper';
import { buildPaperModel } from '../src/engine/presets/paper/model';
import type { ModelMetadata, Sample } from '../src/engine/presets/preset';
import { loadSamples } from '../src/engine/train/samples';
import { applyPatchNet, serialisePatchNet, trainPatchNet, type PatchNetConfig, type Point } from '../src/engine/stages/patchnet';
import { cellGrids, makeBatch, softArgmaxLoss, type Example } from '../src/engine/stages/patchnet/train';
import { cutCrop } from '../src/engine/stages/patchnet/sampling';
import { applyHeatmap, DEFAULT_HEATMAP, disposeHeatmap, heatmapInput, serialiseHeatmap, trainHeatmap, type HeatmapConfig, type HeatmapItem } from '../src/engine/stages/heatmap';
import type { GreyImage } from '../src/engine/imaging/grey';
import { mulberry32 } from '../src/shared/augment/rng';
import type { BackendName, EngineEvent } from '../src/shared/protocol/engine';

const ROOT = path.resolve(__dirname, '..');
const CHILD_FLAG = '--run-checks';
const PROBE_FLAG = '--probe';

// ---------------------------------------------------------------- parent: pick the adapter

function runSelf(flag: string, env: NodeJS.ProcessEnv, inherit: boolean): { status: number; stdout: string } {
  const r = spawnSync(process.execPath, [...process.execArgv, __filename, flag], {
    env,
    cwd: ROOT,
    encoding: 'utf8',
    stdio: inherit ? 'inherit' : ['ignore', 'pipe', 'pipe'],
    maxBuffer: 16 << 20,
  });
  return { status: r.status ?? 1, stdout: r.stdout ?? '' };
}

function probeIn(env: NodeJS.ProcessEnv): WebGpuProbe {
  const r = runSelf(PROBE_FLAG, env, false);
  const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
  if (!line) return { ok: false, why: `the probe process printed nothing (exit ${r.status})` };
  return JSON.parse(line) as WebGpuProbe;
}

function lavapipeEnv(): NodeJS.ProcessEnv {
  const helper = path.join(ROOT, 'scripts', 'webgpu', 'lavapipe.sh');
  const r = spawnSync('bash', [helper], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`${helper} failed (exit ${r.status}): no software Vulkan driver to test WebGPU on`);
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const line of r.stdout.split('\n')) {
    const m = /^export (\w+)='([^']*)'(.*)$/.exec(line.trim());
    if (!m) continue;
    // LD_LIBRARY_PATH='<dir>'${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}: keep what was there after it
    env[m[1]] = m[3] && env[m[1]] ? `${m[2]}:${env[m[1]]}` : m[2];
  }
  if (!env.VK_ICD_FILENAMES) throw new Error(`${helper} printed no VK_ICD_FILENAMES`);
  return env;
}

function parent(): number {
  const t0 = Date.now();
  let env: NodeJS.ProcessEnv = { ...process.env };
  const forceSoftware = process.env.LANDMARKS_WEBGPU_SOFTWARE === '1';
  const system = forceSoftware ? undefined : probeIn(env);
  if (system?.ok && !system.adapter.software) {
    console.log(`test:webgpu: hardware adapter ${describeAdapter(system.adapter)}`);
  } else {
    console.log(
      `test:webgpu: ${system ? (system.ok ? `only a software adapter (${describeAdapter(system.adapter)})` : system.why) : 'software adapter asked for'}; ` +
        'using Mesa 25 lavapipe from ~/.cache/landmarks-webgpu',
    );
    env = lavapipeEnv();
    const p = probeIn(env);
    if (!p.ok) {
      console.error(`test:webgpu: lavapipe set up, but Dawn still finds no adapter: ${p.why}`);
      console.log('0 passed, 1 failed');
      return 1;
    }
    console.log(`test:webgpu: adapter ${describeAdapter(p.adapter)}`);
  }
  const r = runSelf(CHILD_FLAG, env, true);
  console.log(`test:webgpu: ${((Date.now() - t0) / 1000).toFixed(1)} s in all`);
  return r.status;
}

// ---------------------------------------------------------------- child: the checks

type Check = { name: string; run: () => Promise<string | void> };

/** Math.random as a seeded stream while `fn` runs: dropout masks (tf.dropout without a seed) match across backends. */
async function withSeededRandom<T>(seed: number, fn: () => Promise<T>): Promise<T> {
  const real = Math.random;
  Math.random = mulberry32(seed);
  try {
    return await fn();
  } finally {
    Math.random = real;
  }
}

async function use(name: 'webgpu' | 'wasm'): Promise<BackendName> {
  const r = await initBackend(name);
  return r.name;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function relDiff(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-6);
}

function assert(cond: boolean, message: string): void {
  if (!cond) throw new Error(message);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'landmarks-test-webgpu-'));

/** The deep heatmap stage's U-Net: 3 Adam steps at a 32x32 input on the synthetic disc photos (seeded augmentation), its weights and answers. */
async function heatmapOn(backend: 'webgpu' | 'wasm'): Promise<{ weights: Float32Array; predicted: [number, number][]; spread: number }> {
  await use(backend);
  const cfg: HeatmapConfig = { ...DEFAULT_HEATMAP, inputWidth: 32, inputHeight: 32, channels: 4, steps: 3, batch: 4, seed: 3 };
  const items: HeatmapItem[] = patchItems(5, 31).map((it) => ({ input: heatmapInput(it.pyr[0], cfg), truth: it.truth }));
  const model = await trainHeatmap(items.slice(0, 4), 1, cfg);
  assert(!!model, 'heatmap training returned no model');
  try {
    const { weights } = await serialiseHeatmap(model!);
    const p = await applyHeatmap(model!, items[4].input);
    return { weights, predicted: p.landmarks, spread: p.doubt[0] };
  } finally {
    disposeHeatmap(model!);
  }
}

/** Two wing photos (train) and one (validation) from ../shared/data, or synthetic ones where it is absent. */
async function paperData(): Promise<{ train: Sample[]; validation: Sample[]; landmarks: number; source: string }> {
  const wings = process.env.LANDMARKS_DATA
    ? path.join(process.env.LANDMARKS_DATA, 'drosophila-wings', 'landmarks.tps')
    : path.resolve(ROOT, '..', 'shared', 'data', 'drosophila-wings', 'landmarks.tps');
  if (fs.existsSync(wings)) {
    const set = await loadSamples([{ data: wings }]);
    assert(set.samples.length >= 3, `${wings}: ${set.samples.length} usable specimens`);
    return { train: set.samples.slice(0, 2), validation: set.samples.slice(2, 3), landmarks: set.landmarkCount, source: `${wings} (3 photos)` };
  }
  // No shared data (a user's machine): three synthetic photos, a dark disc whose centre and
  // rim points are the landmarks.
  const samples: Sample[] = [];
  for (let i = 0; i < 3; i++) {
    const w = 160;
    const h = 120;
    const cx = 60 + 15 * i;
    const cy = 50 + 8 * i;
    const px = Buffer.alloc(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) px[y * w + x] = Math.hypot(x - cx, y - cy) < 25 ? 40 : 200 + ((x * 7 + y * 3) % 40);
    const file = path.join(tmp, `synthetic-${i}.png`);
    await sharp(px, { raw: { width: w, height: h, channels: 1 } }).png().toFile(file);
    samples.push({ name: `synthetic-${i}`, imagePath: file, landmarks: [[cx, cy], [cx + 25, cy], [cx, cy - 25]] });
  }
  return { train: samples.slice(0, 2), validation: samples.slice(2), landmarks: 3, source: 'synthetic photos (no ../shared/data here)' };
}

interface PaperRun {
  trainLoss: number;
  valLoss: number;
  weights: { name: string; values: Float32Array }[];
  predicted: [number, number][];
}

async function paperOn(backend: 'webgpu' | 'wasm', data: Awaited<ReturnType<typeof paperData>>): Promise<PaperRun> {
  const name = await use(backend);
  const modelDir = path.join(tmp, `paper-${backend}`);
  const checkpointDir = path.join(modelDir, 'checkpoint');
  fs.mkdirSync(checkpointDir, { recursive: true });
  const log = (m: string): void => {
    if (process.env.LANDMARKS_WEBGPU_VERBOSE) console.log(`    [${backend}] ${m}`);
  };
  const outcome = await withSeededRandom(7, () =>
    paperPreset.train({
      tf,
      backend: name,
      train: data.train,
      validation: data.validation,
      landmarkCount: data.landmarks,
      // 2 photos x7 augmentation = 14 examples: 2 steps of 7
      options: { inputSize: [32, 24], epochs: 1, batchSize: 7, learningRate: 0.01, validationSplit: 0.4, seed: 3, patience: 0 },
      modelDir,
      checkpointDir,
      resume: false,
      cancel: new CancelSource(),
      progress: () => undefined,
      log,
    }),
  );
  const h = outcome.history?.[0];
  assert(!!h && outcome.bestEpoch === 1, `${backend}: no epoch completed`);
  const model = await loadLayersModel(tf, modelDir);
  const weights: PaperRun['weights'] = [];
  for (const w of model.weights) weights.push({ name: w.name, values: (await w.read().data()) as Float32Array });
  model.dispose();
  const metadata: ModelMetadata = {
    format: 'landmarks-model',
    version: 1,
    preset: 'paper',
    landmarkCount: data.landmarks,
    inputSize: [32, 24],
    normalisation: { image: 'grey [0,1]', coordinates: '[-1,1]' },
    training: {
      data: data.source,
      images: 3,
      trainImages: 2,
      validationImages: 1,
      epochs: 1,
      bestEpoch: 1,
      bestValLoss: h!.valLoss,
      batchSize: 7,
      learningRate: 0.01,
      seed: 3,
      seconds: 0,
      cancelled: false,
    },
    backend: name,
    createdAt: new Date(0).toISOString(),
    engineVersion: 'test-webgpu',
  };
  const predictor = await paperPreset.load(modelDir, { tf, backend: name, metadata, log });
  const p = await predictor.predict(data.validation[0].imagePath);
  predictor.dispose();
  return { trainLoss: h!.trainLoss, valLoss: h!.valLoss, weights, predicted: p.landmarks };
}

/** Small synthetic photos (a dark disc on texture, the landmark at its centre), two pyramid levels. */
function patchItems(n: number, seed: number): { pyr: GreyImage[]; truth: Point[]; start: Point[] }[] {
  const rnd = mulberry32(seed);
  return Array.from({ length: n }, () => {
    const w = 96;
    const t: Point = [36 + rnd() * 24, 36 + rnd() * 24];
    const data = new Float32Array(w * w);
    for (let y = 0; y < w; y++) for (let x = 0; x < w; x++) data[y * w + x] = (Math.hypot(x - t[0], y - t[1]) < 10 ? 60 : 170) + 20 * Math.sin(x / 5) * Math.cos(y / 7);
    const img: GreyImage = { width: w, height: w, data };
    const half: GreyImage = { width: w / 2, height: w / 2, data: new Float32Array((w / 2) * (w / 2)) };
    for (let y = 0; y < w / 2; y++) for (let x = 0; x < w / 2; x++) half.data[y * (w / 2) + x] = data[2 * y * w + 2 * x];
    const a = rnd() * 2 * Math.PI;
    return { pyr: [img, half], truth: [t], start: [[t[0] + 6 * Math.cos(a), t[1] + 6 * Math.sin(a)]] };
  });
}

const PATCH_CFG: Partial<PatchNetConfig> = {
  passes: [{ level: 1, size: 16, width: 4, steps: 3, startShare: 0.5, startJitterPx: 2, noisePx: 6, maxOffsetPx: 12 }],
  batch: 8,
  learningRate: 5e-3,
  seed: 5,
};

async function patchOn(backend: 'webgpu' | 'wasm'): Promise<{ weights: Float32Array; loss: number; refined: Point[] }> {
  await use(backend);
  const items = patchItems(6, 21);
  const model = await trainPatchNet(items.slice(0, 4), {}, PATCH_CFG);
  const { weights } = await serialisePatchNet(model);
  // the trained net's loss on one fixed batch
  const pass = model.config.passes[0];
  const examples: Example[] = items.slice(4).map((it) => {
    const truth: Point = [it.truth[0][0] / 2, it.truth[0][1] / 2];
    return { crop: cutCrop(it.pyr[1], truth[0], truth[1], 20), truth, start: [it.start[0][0] / 2, it.start[0][1] / 2], landmark: 0 };
  });
  const b = makeBatch(examples, pass, model.config, 1, mulberry32(99));
  const grids = cellGrids(pass.size);
  const loss = await guardWebGpu('patchnet loss', async () => {
    const l = tf.tidy(() =>
      softArgmaxLoss(
        model.nets[0].predict(tf.tensor4d(b.xs, [model.config.batch, pass.size, pass.size, 1])) as tfjs.Tensor4D,
        tf.tensor2d(b.onehot, [model.config.batch, 1]),
        tf.tensor2d(b.targets, [model.config.batch, 2]),
        tf.tensor1d(grids.gx),
        tf.tensor1d(grids.gy),
      ),
    );
    const v = (await l.data())[0];
    l.dispose();
    return v;
  });
  const r = await applyPatchNet(model, items[5].pyr, items[5].start);
  for (const n of model.nets) n.dispose();
  return { weights, loss, refined: r.landmarks };
}

function checks(): Check[] {
  return [
    {
      name: 'webgpu starts (forced) and says which adapter',
      async run() {
        const r = await initBackend('webgpu');
        assert(r.name === 'webgpu' && tf.getBackend() === 'webgpu', `backend ${r.name}`);
        assert(!!r.adapter?.description, `no adapter description in ${JSON.stringify(r)}`);
        return `${r.reason}`;
      },
    },
    {
      name: 'auto never picks a software adapter, and says so',
      async run() {
        const r = await initBackend('auto');
        const w = r.rejected.find((x) => x.name === 'webgpu');
        if (r.adapter && !r.adapter.software) {
          assert(r.name === 'webgpu', `auto ran ${r.name} beside the hardware adapter ${describeAdapter(r.adapter)}`);
          return `hardware adapter: auto runs webgpu`;
        }
        assert(r.name !== 'webgpu', 'auto ran webgpu on a software adapter');
        assert(!!w && /only a software adapter/.test(w.why), `rejected: ${JSON.stringify(r.rejected)}`);
        assert(r.adapter?.software === true, 'the report names the software adapter it passed by');
        return `auto ran ${r.name}; webgpu: ${w!.why.slice(0, 90)}...`;
      },
    },
    {
      name: '`cli backends --json` lists every backend with the adapter, and exits (Dawn keeps processes alive)',
      async run() {
        const t = Date.now();
        const r = spawnSync(process.execPath, [...process.execArgv, path.join(ROOT, 'src', 'cli.ts'), 'backends', '--json'], {
          cwd: ROOT,
          encoding: 'utf8',
          timeout: 90_000,
        });
        assert(r.status === 0, `exit ${r.status}${r.signal ? ` (${r.signal}: it did not exit by itself)` : ''}: ${r.stderr.slice(-500)}`);
        const out = JSON.parse(r.stdout) as { backends: { name: string; available: boolean; adapter?: string; reason: string }[]; auto: string };
        assert(out.backends.map((b) => b.name).join() === 'webgpu,native-gpu,native-cpu,wasm,cpu', r.stdout);
        const w = out.backends[0];
        assert(w.available && !!w.adapter, `webgpu: ${JSON.stringify(w)}`);
        return `exited in ${((Date.now() - t) / 1000).toFixed(1)} s; webgpu: ${w.adapter}; auto: ${out.auto}`;
      },
    },
    {
      name: 'the engine child starts on webgpu, names the adapter in ready, and exits on shutdown',
      async run() {
        // the bundle users run (npm test builds it first): its tfjs, its wasm files, its child entry
        const engine = path.join(ROOT, 'dist', 'engine.js');
        assert(fs.existsSync(engine), `${engine} missing: run npm run build first`);
        const child = fork(engine, ['--backend', 'webgpu'], {
          cwd: ROOT,
          execArgv: [],
          stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
        });
        let stderr = '';
        child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
        const ready = await new Promise<EngineEvent>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no ready in 60 s: ${stderr.slice(-300)}`)), 60_000);
          child.on('message', (m: EngineEvent) => {
            if (m.type === 'ready' || m.type === 'error') {
              clearTimeout(timer);
              resolve(m);
            }
          });
          child.on('exit', (code) => reject(new Error(`engine exited (${code}) before ready: ${stderr.slice(-300)}`)));
        });
        assert(ready.type === 'ready', `engine said ${JSON.stringify(ready)}`);
        const backend = ready.type === 'ready' ? ready.backend : undefined;
        assert(backend?.name === 'webgpu' && !!backend.adapter?.description, JSON.stringify(backend));
        const t = Date.now();
        const code = await new Promise<number | null>((resolve) => {
          const timer = setTimeout(() => {
            child.kill('SIGKILL');
            resolve(null);
          }, 20_000);
          child.on('exit', (c) => {
            clearTimeout(timer);
            resolve(c);
          });
          child.send({ type: 'shutdown' });
        });
        assert(code === 0, code === null ? 'the engine did not exit within 20 s of shutdown' : `engine exit code ${code}`);
        return `ready on ${describeAdapter(backend!.adapter!)}; exited ${Date.now() - t} ms after shutdown`;
      },
    },
    {
      name: 'paper net: 2 training steps, validation and prediction on webgpu match wasm',
      async run() {
        const data = await paperData();
        const gpu = await paperOn('webgpu', data);
        const ref = await paperOn('wasm', data);
        assert(relDiff(gpu.trainLoss, ref.trainLoss) < 1e-3, `train loss webgpu ${gpu.trainLoss} vs wasm ${ref.trainLoss}`);
        assert(relDiff(gpu.valLoss, ref.valLoss) < 1e-3, `val loss webgpu ${gpu.valLoss} vs wasm ${ref.valLoss}`);
        assert(gpu.weights.length === ref.weights.length && gpu.weights.length === 12, `${gpu.weights.length} vs ${ref.weights.length} weights`);
        let worst = { d: 0, name: '' };
        for (let i = 0; i < gpu.weights.length; i++) {
          const d = maxAbsDiff(gpu.weights[i].values, ref.weights[i].values);
          if (!(d <= worst.d)) worst = { d, name: gpu.weights[i].name };
        }
        assert(worst.d < 1e-4, `weights differ by ${worst.d} (${worst.name})`);
        const px = Math.max(...gpu.predicted.map((p, j) => Math.hypot(p[0] - ref.predicted[j][0], p[1] - ref.predicted[j][1])));
        assert(px < 0.05, `predictions differ by ${px.toFixed(4)} px`);
        return `${data.source}; loss ${gpu.trainLoss.toFixed(5)} vs ${ref.trainLoss.toFixed(5)}, val ${gpu.valLoss.toFixed(5)} vs ${ref.valLoss.toFixed(5)}, max weight diff ${worst.d.toExponential(1)}, landmarks within ${px.toFixed(4)} px`;
      },
    },
    {
      name: 'patch CNN: 3 Adam steps and refinement on webgpu match wasm',
      async run() {
        const gpu = await patchOn('webgpu');
        const ref = await patchOn('wasm');
        const d = maxAbsDiff(gpu.weights, ref.weights);
        assert(d < 1e-4, `weights differ by ${d}`);
        assert(relDiff(gpu.loss, ref.loss) < 1e-3, `loss webgpu ${gpu.loss} vs wasm ${ref.loss}`);
        const px = Math.max(...gpu.refined.map((p, j) => Math.hypot(p[0] - ref.refined[j][0], p[1] - ref.refined[j][1])));
        assert(px < 0.01, `refined landmarks differ by ${px} px`);
        return `${gpu.weights.length} weights within ${d.toExponential(1)}, loss ${gpu.loss.toFixed(4)} vs ${ref.loss.toFixed(4)}, landmarks within ${px.toExponential(1)} px`;
      },
    },
    {
      name: 'heatmap U-Net (the deep stage): 3 Adam steps and its answer on webgpu match wasm',
      async run() {
        const gpu = await heatmapOn('webgpu');
        const ref = await heatmapOn('wasm');
        const d = maxAbsDiff(gpu.weights, ref.weights);
        // Adam moves a weight by up to its rate (2e-3) per step whatever the gradient's size, so a
        // gradient that is float noise on both backends (a flat region of the U-Net) can move its
        // weight differently: allow half a step; the answers must still agree
        assert(d < 1e-3, `weights differ by ${d}`);
        const px = Math.hypot(gpu.predicted[0][0] - ref.predicted[0][0], gpu.predicted[0][1] - ref.predicted[0][1]);
        assert(px < 0.05 && relDiff(gpu.spread, ref.spread) < 1e-3, `answers differ by ${px} px, spread ${gpu.spread} vs ${ref.spread}`);
        return `${gpu.weights.length} weights within ${d.toExponential(1)}, landmark within ${px.toExponential(1)} px`;
      },
    },
    {
      name: 'over the storage-buffer limit: caught before and inside a step, then the job falls back to wasm',
      async run() {
        await use('webgpu');
        const limits = webGpuLimits();
        assert(!!limits, 'webgpu limits unknown');
        const cap = limits!.maxStorageBufferBindingSize;
        if (cap > 512 * (1 << 20)) return `skipped: this adapter binds ${Math.round(cap / (1 << 20))} MiB; no small test goes over it`;
        // pre-flight: the paper net at its full 256x192 (a 348 MiB dense kernel)
        const big = buildPaperModel(tf, [256, 192], 8, 1);
        let pre = '';
        try {
          assertFitsWebGpu(big, 4, 'training paper');
        } catch (e) {
          pre = e instanceof WebGpuLimitError ? e.message : `not a WebGpuLimitError: ${String(e)}`;
        } finally {
          big.dispose();
        }
        assert(/maxStorageBufferBindingSize of 128 MiB|maxStorageBufferBindingSize of \d+ MiB/.test(pre), `pre-flight said: "${pre}"`);
        // inside a step: a [1 x n] x [n x 1000] product whose weight is over the limit
        const n = Math.ceil(cap / 4 / 1000) + 1000;
        const lines: string[] = [];
        const env: JobEnv = { tf, backend: 'webgpu', cancel: new CancelSource(), progress: () => undefined, log: (m) => lines.push(m) };
        const ran: string[] = [];
        const sum = await withWasmFallback(env, 'the over-sized product', async (e) => {
          ran.push(e.backend);
          return guardWebGpu('the over-sized product', async () => {
            const y = tf.tidy(() => tf.sum(tf.matMul(tf.ones([1, n]), tf.fill([n, 1000], 0.001))));
            const v = (await y.data())[0];
            y.dispose();
            return v;
          });
        });
        assert(ran.join() === 'webgpu,wasm', `ran on ${ran.join(', ')}`);
        assert(lines.some((l) => /a buffer exceeds the adapter's limits \(this adapter: maxStorageBufferBindingSize \d+ MiB/.test(l)), lines.join(' | '));
        assert(Math.abs(sum - n) / n < 1e-3, `wasm answered ${sum}, expected ${n}`);
        assert(tf.getBackend() === 'webgpu', `after the fallback the engine is on ${tf.getBackend()}`);
        return `pre-flight: "${pre.slice(0, 120)}..."; in a step: "${(lines[0] ?? '').slice(9, 130)}..."`;
      },
    },
  ];
}

async function child(): Promise<number> {
  const list = checks();
  let passed = 0;
  let failed = 0;
  for (const c of list) {
    const t = Date.now();
    try {
      const note = await c.run();
      passed++;
      console.log(`ok   ${c.name} (${((Date.now() - t) / 1000).toFixed(1)} s)${note ? `\n     ${note}` : ''}`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${c.name} (${((Date.now() - t) / 1000).toFixed(1)} s)\n     ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    }
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  console.log(`${passed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

async function probe(): Promise<void> {
  const p = await dawnDriver().probe();
  process.stdout.write(JSON.stringify(p) + '\n');
}

// Dawn keeps the event loop alive after the work: every mode ends with an explicit exit.
const mode = process.argv.includes(CHILD_FLAG) ? 'child' : process.argv.includes(PROBE_FLAG) ? 'probe' : 'parent';
const done = (code: number): void => {
  process.stdout.write('', () => process.exit(code));
};
if (mode === 'probe') probe().then(() => done(0), (e: unknown) => (console.error(e), done(1)));
else if (mode === 'child') child().then(done, (e: unknown) => (console.error(e), done(1)));
else {
  try {
    done(parent());
  } catch (e) {
    console.error(`test:webgpu: ${e instanceof Error ? e.message : String(e)}`);
    console.log('0 passed, 1 failed');
    done(1);
  }
}
