/**
 * The GPU check that runs on the device machine (scripts/device/run.sh; built into one file by
 * scripts/device/prepare.sh, since that machine has no Node and no network):
 *
 * 1. Training throughput, images/s, of each network on WebGPU (the machine's GPU through Dawn
 *    and Vulkan) and on wasm (its CPU, one thread, our training kernels), same network, input,
 *    batch and optimizer: the paper net at 256x192 and 128x96, the patch CNN (32 px patches,
 *    the default preset's refinement net) and the deep heatmap stage's U-Net at 128x96 and 256x192. Every step uploads its batch and reads its loss back,
 *    as the engine's training loop does.
 * 2. A full training of the paper preset (the deep network, at the paper's 256x192) on the
 *    mollusk set on WebGPU: the benchmark's fixed 80/20 split (120 photos train, 30 held out,
 *    src/shared/dataset/held-out.ts), its time, and the held-out mean error in original pixels.
 *
 * Prints a markdown table (for the README) and writes JSON. Keeps inside a time budget: each
 * part gets a share and the training is cancelled (best model kept) when its share runs out.
 *
 * Usage: node bench.js --data <mollusk-folder with scale.json> [--budget 420] [--epochs 40]
 *        [--json out.json] [--skip-wasm] [--train-size 256x192]
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import type * as tfjs from '@tensorflow/tfjs';
import { initBackend, tryBackend } from '../../src/engine/backend/init';
import * as tf from '../../src/engine/backend/tf';
import { describeAdapter } from '../../src/engine/backend/webgpu';
import { assertFitsWebGpu, guardWebGpu } from '../../src/engine/backend/webgpu-device';
import { readMetadata } from '../../src/engine/model-io/metadata';
import { CancelSource, type JobEnv } from '../../src/engine/env';
import { openModel } from '../../src/engine/open-model';
import { buildPaperModel } from '../../src/engine/presets/paper/model';
import { nesterovMomentum } from '../../src/engine/presets/paper/optimizer';
import { buildHeatmapNet, HEATMAP_STRIDE } from '../../src/engine/stages/heatmap/net';
import { buildNet } from '../../src/engine/stages/patchnet/net';
import { cellGrids, softArgmaxLoss } from '../../src/engine/stages/patchnet/train';
import { maskedMse } from '../../src/engine/train/loop';
import { runTrainJob } from '../../src/engine/train/run';
import { loadSamples } from '../../src/engine/train/samples';
import { heldOutSplit } from '../../src/shared/dataset/held-out';
import { mulberry32 } from '../../src/shared/augment/rng';
import type { BackendName, WebGpuAdapterReport } from '../../src/shared/protocol/engine';

interface Net {
  name: string;
  input: string;
  batch: number;
  optimizer: string;
  /** One training step, its batch uploaded and its loss read back; the model, for the pre-flight size check. */
  build(): { model: tfjs.LayersModel; step(): Promise<number>; dispose(): void };
}

interface Row {
  net: string;
  input: string;
  batch: number;
  optimizer: string;
  gpu?: number;
  wasm?: number;
  note?: string;
}

const started = Date.now();
const elapsed = (): number => (Date.now() - started) / 1000;
const say = (m: string): void => {
  process.stdout.write(`[${elapsed().toFixed(0).padStart(3)} s] ${m}\n`);
};

function paperNet(size: [number, number], batch: number, opt: 'sgd' | 'nesterov'): Net {
  return {
    name: 'paper net',
    input: `${size[0]}x${size[1]}`,
    batch,
    optimizer: opt === 'sgd' ? 'SGD' : 'Nesterov momentum',
    build() {
      const K = 15;
      const model = buildPaperModel(tf, size, K, 1);
      const optimizer = opt === 'sgd' ? tf.train.sgd(1e-3) : nesterovMomentum(tf, 1e-3, 0.9);
      const rnd = mulberry32(1);
      const px = size[0] * size[1];
      const xs = Float32Array.from({ length: batch * px }, () => rnd());
      const ys = Float32Array.from({ length: batch * 2 * K }, () => 2 * rnd() - 1);
      const vars = model.trainableWeights.map((w) => w.read() as tfjs.Variable);
      return {
        model,
        async step() {
          const x = tf.tensor4d(xs, [batch, size[1], size[0], 1]);
          const y = tf.tensor2d(ys, [batch, 2 * K]);
          const cost = optimizer.minimize(() => maskedMse(tf, model.apply(x, { training: true }) as tfjs.Tensor, { xs: x, ys: y }), true, vars);
          const v = cost ? (await cost.data())[0] : NaN;
          cost?.dispose();
          x.dispose();
          y.dispose();
          return v;
        },
        dispose() {
          model.dispose();
          optimizer.dispose();
        },
      };
    },
  };
}

function patchNet(batch: number): Net {
  const S = 32;
  const L = 15;
  return {
    name: 'patch CNN',
    input: `${S}x${S} patches, width 8`,
    batch,
    optimizer: 'Adam',
    build() {
      const net = buildNet({ size: S, width: 8, landmarkCount: L }, 1);
      const opt = tf.train.adam(2e-3);
      const rnd = mulberry32(2);
      const xs = Float32Array.from({ length: batch * S * S }, () => 2 * rnd() - 1);
      const onehot = new Float32Array(batch * L);
      for (let b = 0; b < batch; b++) onehot[b * L + (b % L)] = 1;
      const targets = Float32Array.from({ length: batch * 2 }, () => 10 * (2 * rnd() - 1));
      const grids = cellGrids(S);
      const gx = tf.tensor1d(grids.gx);
      const gy = tf.tensor1d(grids.gy);
      return {
        model: net,
        async step() {
          const x = tf.tensor4d(xs, [batch, S, S, 1]);
          const oh = tf.tensor2d(onehot, [batch, L]);
          const tg = tf.tensor2d(targets, [batch, 2]);
          const loss = opt.minimize(() => softArgmaxLoss(net.apply(x, { training: true }) as tfjs.Tensor4D, oh, tg, gx, gy), true);
          const v = loss ? (await loss.data())[0] : NaN;
          loss?.dispose();
          x.dispose();
          oh.dispose();
          tg.dispose();
          return v;
        },
        dispose() {
          net.dispose();
          opt.dispose();
          gx.dispose();
          gy.dispose();
        },
      };
    },
  };
}

/** The deep heatmap stage's U-Net (stages/heatmap), with its spatial-softmax cross-entropy on Gaussian-like targets. */
function heatmapNet(size: [number, number], batch: number, channels = 8): Net {
  const L = 15;
  return {
    name: 'heatmap U-Net',
    input: `${size[0]}x${size[1]}, ${channels} channels`,
    batch,
    optimizer: 'Adam',
    build() {
      const net = buildHeatmapNet({ inputWidth: size[0], inputHeight: size[1], channels, landmarkCount: L }, 1);
      const opt = tf.train.adam(2e-3);
      const rnd = mulberry32(3);
      const cells = (size[0] / HEATMAP_STRIDE) * (size[1] / HEATMAP_STRIDE);
      const xs = Float32Array.from({ length: batch * size[0] * size[1] }, () => 2 * rnd() - 1);
      // one hot cell per map: the loss's cost does not depend on the targets' shape
      const targets = new Float32Array(batch * L * cells);
      for (let k = 0; k < batch * L; k++) targets[k * cells + Math.floor(rnd() * cells)] = 1;
      return {
        model: net,
        async step() {
          const x = tf.tensor4d(xs, [batch, size[1], size[0], 1]);
          const tg = tf.tensor3d(targets, [batch, L, cells]);
          const loss = opt.minimize(() => {
            const out = net.apply(x, { training: true }) as tfjs.Tensor4D;
            const logp = tf.logSoftmax(tf.transpose(tf.reshape(out, [batch, cells, L]), [0, 2, 1]));
            return tf.div(tf.neg(tf.sum(tf.mul(tg, logp))), batch * L) as tfjs.Scalar;
          }, true);
          const v = loss ? (await loss.data())[0] : NaN;
          loss?.dispose();
          x.dispose();
          tg.dispose();
          return v;
        },
        dispose() {
          net.dispose();
          opt.dispose();
        },
      };
    },
  };
}

/** Images/s over `steps` timed steps after `warmup` (shader compilation, allocation); stops early at `deadline`. */
async function measure(net: Net, warmup: number, steps: number, deadline: number): Promise<number> {
  const run = net.build();
  // A WebGPU step over the adapter's limits is skipped by the GPU, not failed: check and guard,
  // or the "throughput" of work never done is measured.
  const step = (): Promise<number> => guardWebGpu(`${net.name} ${net.input}`, () => run.step());
  try {
    assertFitsWebGpu(run.model, net.batch, `${net.name} ${net.input} at batch ${net.batch}`);
    for (let i = 0; i < warmup; i++) await step();
    const t0 = Date.now();
    let done = 0;
    while (done < steps && (done < 1 || Date.now() < deadline)) {
      const v = await step();
      if (!Number.isFinite(v)) throw new Error(`loss ${v}`);
      done++;
    }
    return (done * net.batch) / ((Date.now() - t0) / 1000);
  } finally {
    run.dispose();
  }
}

async function switchTo(name: 'webgpu' | 'wasm'): Promise<boolean> {
  const a = await tryBackend(name, false);
  if (!a.ok) say(`${name} does not start: ${a.why}`);
  return a.ok;
}

interface Training {
  preset: string;
  /** The backend that trained it (wasm when WebGPU hit a limit and the job fell back). */
  backend: BackendName;
  input: string;
  epochs: number;
  bestEpoch: number;
  cancelled: boolean;
  trainSeconds: number;
  testImages: number;
  meanPx: number;
  meanPxOriginal: number;
  medianPxOriginal: number;
}

async function fullTraining(dataDir: string, backend: BackendName, epochs: number, size: [number, number], deadline: number): Promise<Training> {
  const scale = (JSON.parse(fs.readFileSync(path.join(dataDir, 'scale.json'), 'utf8')) as { originalPxPerPx: Record<string, number> }).originalPxPerPx;
  const source = { data: path.join(dataDir, 'landmarks.tps'), images: path.join(dataDir, 'images') };
  const set = await loadSamples([source]);
  const samples = [...set.samples].sort((a, b) => a.name.localeCompare(b.name));
  const { test } = heldOutSplit(samples, (s) => path.basename(s.imagePath));
  const cancel = new CancelSource();
  const timer = setInterval(() => {
    if (Date.now() > deadline && !cancel.cancelled) {
      say('training: time share used up, cancelling (the best model so far is kept)');
      cancel.cancel();
    }
  }, 1000);
  let last = 0;
  const env: JobEnv = {
    tf,
    backend,
    cancel,
    log: (m) => {
      if (/^epoch|took|warning|fall/i.test(m)) say(`training: ${m}`);
    },
    progress: (p) => {
      if (Date.now() - last > 30000 && p.kind === 'train') {
        last = Date.now();
        say(`training: epoch ${p.epoch}/${p.epochs} batch ${p.batch}/${p.batches}`);
      }
    },
  };
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'landmarks-device-paper-'));
  const t0 = Date.now();
  try {
    const res = await runTrainJob(
      {
        sources: [source],
        out,
        preset: 'paper',
        exclude: test.map((s) => s.name),
        epochs,
        inputSize: size,
        batchSize: 64,
        seed: 1,
      },
      env,
    );
    const trainSeconds = (Date.now() - t0) / 1000;
    // cancelled by its time share before one epoch ended: no model to evaluate, and the table says so
    if (res.bestEpoch === 0) throw new Error(`no epoch finished within its time share (${trainSeconds.toFixed(0)} s): give the check a larger --budget`);
    const trainedOn = readMetadata(out).backend;
    const { predictor } = await openModel(tf, backend, out, () => undefined, set.landmarkCount);
    const errs: number[] = [];
    const errsOriginal: number[] = [];
    try {
      for (const s of test) {
        const p = await predictor.predict(s.imagePath);
        const k = scale[path.basename(s.imagePath)] ?? 1;
        s.landmarks.forEach((m, j) => {
          if (!m) return;
          const e = Math.hypot(p.landmarks[j][0] - m[0], p.landmarks[j][1] - m[1]);
          errs.push(e);
          errsOriginal.push(e * k);
        });
      }
    } finally {
      predictor.dispose();
    }
    const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
    const sorted = [...errsOriginal].sort((a, b) => a - b);
    return {
      preset: 'paper',
      backend: trainedOn,
      input: size.join('x'),
      epochs: res.epochs,
      bestEpoch: res.bestEpoch,
      cancelled: res.cancelled,
      trainSeconds,
      testImages: test.length,
      meanPx: mean(errs),
      meanPxOriginal: mean(errsOriginal),
      medianPxOriginal: sorted[Math.floor(sorted.length / 2)] ?? NaN,
    };
  } finally {
    clearInterval(timer);
    fs.rmSync(out, { recursive: true, force: true });
  }
}

const f1 = (v: number | undefined): string => (v !== undefined && Number.isFinite(v) ? v.toFixed(1) : '-');

function table(rows: Row[], adapter: WebGpuAdapterReport | undefined, cpu: string, training?: Training): string {
  const lines = [
    `Device check, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC: GPU ${adapter ? describeAdapter(adapter) : 'none'} via WebGPU (Dawn, Vulkan); CPU ${cpu} (wasm: one thread, SIMD).`,
    '',
    '| network | input | batch | optimizer | WebGPU images/s | wasm images/s | GPU / wasm |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const ratio = r.gpu && r.wasm ? `${(r.gpu / r.wasm).toFixed(1)}x` : '-';
    lines.push(`| ${r.net} | ${r.input} | ${r.batch} | ${r.optimizer} | ${f1(r.gpu)} | ${f1(r.wasm)} | ${ratio}${r.note ? ` (${r.note})` : ''} |`);
  }
  if (training) {
    lines.push(
      '',
      '| full training | input | epochs (best) | train time | held-out images | mean error, original px | median, original px |',
      '|---|---|---|---|---|---|---|',
      `| ${training.preset} preset on ${training.backend}, mollusk 120 train / 30 held out | ${training.input} | ${training.epochs}${training.cancelled ? ' (time cap)' : ''} (${training.bestEpoch}) | ${training.trainSeconds.toFixed(0)} s | ${training.testImages} | ${f1(training.meanPxOriginal)} | ${f1(training.medianPxOriginal)} |`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string' },
      budget: { type: 'string', default: '420' },
      epochs: { type: 'string', default: '40' },
      json: { type: 'string' },
      'skip-wasm': { type: 'boolean' },
      // for a smoke run of this script on a machine without a GPU (lavapipe binds 128 MiB at most)
      'train-size': { type: 'string', default: '256x192' },
    },
  });
  const budget = Number(values.budget);
  const end = started + budget * 1000;
  const cpu = `${os.cpus()[0]?.model ?? 'unknown'} x${os.cpus().length}`;
  say(`node ${process.version}, ${cpu}, budget ${budget} s`);
  const report = await initBackend('webgpu', (l) => say(l)).catch((e: unknown) => {
    say(`WebGPU did not start: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  });
  const adapter = report?.adapter;
  const nets: { net: Net; gpu: [number, number]; wasm: [number, number] }[] = [
    { net: patchNet(32), gpu: [5, 40], wasm: [2, 8] },
    { net: heatmapNet([128, 96], 8), gpu: [3, 20], wasm: [1, 3] },
    { net: heatmapNet([256, 192], 8, 16), gpu: [3, 15], wasm: [1, 2] },
    { net: paperNet([128, 96], 16, 'nesterov'), gpu: [3, 20], wasm: [1, 3] },
    // plain SGD: with momentum the 92 M-weight net at 256x192 does not fit wasm's 4 GB heap
    { net: paperNet([256, 192], 16, 'sgd'), gpu: [3, 15], wasm: [1, 2] },
    { net: paperNet([256, 192], 64, 'nesterov'), gpu: [3, 10], wasm: [0, 0] },
  ];
  const rows: Row[] = nets.map(({ net }) => ({ net: net.name, input: net.input, batch: net.batch, optimizer: net.optimizer }));
  // 1. GPU throughput (~20% of the budget)
  if (report?.name === 'webgpu') {
    const until = Date.now() + 0.2 * budget * 1000;
    for (const [i, n] of nets.entries()) {
      try {
        rows[i].gpu = await measure(n.net, n.gpu[0], n.gpu[1], until);
        say(`webgpu ${n.net.name} ${n.net.input} b${n.net.batch}: ${f1(rows[i].gpu)} images/s`);
      } catch (e) {
        rows[i].note = `webgpu: ${e instanceof Error ? e.message.slice(0, 80) : String(e)}`;
        say(`webgpu ${n.net.name} ${n.net.input}: ${rows[i].note}`);
      }
    }
  }
  // 2. full training on the GPU (up to ~55% of the budget, kept clear of the wasm part)
  let training: Training | undefined;
  if (report?.name === 'webgpu' && values.data) {
    const deadline = Math.min(end - 0.25 * budget * 1000, Date.now() + 0.55 * budget * 1000);
    try {
      const size = (values['train-size'] ?? '256x192').split('x').map(Number) as [number, number];
      training = await fullTraining(values.data, 'webgpu', Number(values.epochs), size, deadline);
      say(`training: ${training.epochs} epochs in ${training.trainSeconds.toFixed(0)} s, held-out mean ${f1(training.meanPxOriginal)} px (original photo pixels)`);
    } catch (e) {
      say(`training failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    }
  }
  // 3. the same networks on wasm, the machine's CPU (what is left)
  if (!values['skip-wasm'] && (await switchTo('wasm'))) {
    for (const [i, n] of nets.entries()) {
      if (n.wasm[1] === 0) {
        rows[i].note = rows[i].note ?? 'GPU only: does not fit wasm';
        continue;
      }
      if (Date.now() > end - 20_000) {
        rows[i].note = 'wasm skipped: time budget';
        continue;
      }
      try {
        rows[i].wasm = await measure(n.net, n.wasm[0], n.wasm[1], end - 15_000);
        say(`wasm ${n.net.name} ${n.net.input} b${n.net.batch}: ${f1(rows[i].wasm)} images/s`);
      } catch (e) {
        rows[i].note = `wasm: ${e instanceof Error ? e.message.slice(0, 80) : String(e)}`;
        say(`wasm ${n.net.name} ${n.net.input}: ${rows[i].note}`);
        break; // a wasm heap error leaves the backend unusable
      }
    }
  }
  const text = table(rows, adapter, cpu, training);
  console.log(`\n${text}\n`);
  if (values.json) fs.writeFileSync(values.json, JSON.stringify({ adapter, backend: report, cpu, rows, training, seconds: elapsed() }, null, 2));
  if (values.json) fs.writeFileSync(values.json.replace(/\.json$/, '') + '.md', text + '\n');
  say(`done in ${elapsed().toFixed(0)} s`);
  return report?.name === 'webgpu' ? 0 : 1;
}

// Dawn may keep the event loop alive: leave once the output is written.
main().then(
  (c) => process.stdout.write('', () => process.exit(c)),
  (e: unknown) => {
    console.error(e instanceof Error ? e.stack ?? e.message : String(e));
    process.exit(1);
  },
);
