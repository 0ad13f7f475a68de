/**
 * Times one training step (batch 16, MSE) of the paper net at 96x128 and of a small
 * conv-BN-ReLU CNN on the wasm backend: with the engine's training kernels, and with the shipped
 * kernels (plus our Conv2DBackpropFilter, which wasm does not ship: without it nothing trains).
 * Prints wall and CPU ms per step and where the kernel time goes.
 *
 *   npx tsx scripts/bench-kernels.ts [--steps 3] [--nets paper,light] [--modes ours,shipped] [--batch 16]
 *
 * The machine may be shared: read the CPU column and the ratios rather than absolute wall times.
 */
import { initBackend } from '../src/engine/backend/init';
import * as tf from '../src/engine/backend/tf';
import { registerWasmTrainingKernels, unregisterWasmTrainingKernels } from '../src/engine/backend/wasm-kernels';
import { conv2DBackpropFilterConfig } from '../src/engine/backend/wasm-kernels/conv2d-backprop';
import { replaceKernel } from '../src/engine/backend/wasm-kernels/scratch';

type Mode = 'ours' | 'shipped';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const STEPS = Number(option('steps', '3'));
const BATCH = Number(option('batch', '16'));
const NETS = option('nets', 'paper,light').split(',');
const MODES = option('modes', 'ours,shipped').split(',') as Mode[];
const HEIGHT = 96;
const WIDTH = 128;
const LANDMARKS = 8;

/** The paper's network: 3 x [conv, maxpool 2, dropout], dense 1000, dropout, dense 1000, dense 2K. */
function paperNet(): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [HEIGHT, WIDTH, 1], filters: 32, kernelSize: 3, activation: 'relu' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.dropout({ rate: 0.1 }));
  m.add(tf.layers.conv2d({ filters: 64, kernelSize: 2, activation: 'relu' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.dropout({ rate: 0.2 }));
  m.add(tf.layers.conv2d({ filters: 128, kernelSize: 2, activation: 'relu' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.dropout({ rate: 0.3 }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 1000, activation: 'relu' }));
  m.add(tf.layers.dropout({ rate: 0.5 }));
  m.add(tf.layers.dense({ units: 1000, activation: 'relu' }));
  m.add(tf.layers.dense({ units: 2 * LANDMARKS }));
  m.compile({ optimizer: tf.train.momentum(0.03, 0.9, true), loss: 'meanSquaredError' });
  return m;
}

/** A light CNN: 5 x [conv 3x3 - BN - ReLU - maxpool 2], global average pool, dense 64, dense 2K. */
function lightNet(): tf.LayersModel {
  const m = tf.sequential();
  [16, 32, 64, 96, 128].forEach((filters, i) => {
    m.add(
      tf.layers.conv2d({
        ...(i === 0 ? { inputShape: [HEIGHT, WIDTH, 1] } : {}),
        filters,
        kernelSize: 3,
        padding: 'same',
        useBias: false,
      }),
    );
    m.add(tf.layers.batchNormalization());
    m.add(tf.layers.reLU());
    m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  });
  m.add(tf.layers.globalAveragePooling2d({}));
  m.add(tf.layers.dense({ units: 64, activation: 'relu' }));
  m.add(tf.layers.dense({ units: 2 * LANDMARKS }));
  m.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError' });
  return m;
}

function useKernels(mode: Mode): void {
  if (mode === 'ours') {
    registerWasmTrainingKernels();
  } else {
    unregisterWasmTrainingKernels();
    replaceKernel(conv2DBackpropFilterConfig);
  }
}

interface Timing {
  wallMs: number[];
  cpuMs: number[];
  kernels: Map<string, number>;
}

async function timeSteps(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor): Promise<Timing> {
  await model.trainOnBatch(x, y); // warm-up: XNNPACK operators, optimizer slots
  const wallMs: number[] = [];
  const cpuMs: number[] = [];
  for (let i = 0; i < STEPS; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await model.trainOnBatch(x, y);
    wallMs.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpuMs.push((c.user + c.system) / 1000);
  }
  // One more step under the profiler for the per-kernel split (no NaN checks: they download).
  tf.env().set('CHECK_COMPUTATION_FOR_ERRORS', false);
  const info = await tf.profile(async () => {
    await model.trainOnBatch(x, y);
    return [];
  });
  const kernels = new Map<string, number>();
  for (const k of info.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    kernels.set(k.name, (kernels.get(k.name) ?? 0) + ms);
  }
  return { wallMs, cpuMs, kernels };
}

const min = (v: number[]): number => Math.min(...v);
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

async function main(): Promise<void> {
  const report = await initBackend('wasm');
  console.log(`backend: ${report.name} (${report.reason}); tfjs ${tf.version.tfjs}; batch ${BATCH}; ${WIDTH}x${HEIGHT} grey`);
  const rows: string[] = [];
  const splits: string[] = [];
  for (const net of NETS) {
    const model = net === 'paper' ? paperNet() : lightNet();
    const x = tf.randomUniform([BATCH, HEIGHT, WIDTH, 1]);
    const y = tf.randomUniform([BATCH, 2 * LANDMARKS], -1, 1);
    const params = model.countParams();
    for (const mode of MODES) {
      useKernels(mode);
      process.stderr.write(`${net} / ${mode} ...\n`);
      try {
        const t = await timeSteps(model, x, y);
        rows.push(
          `| ${net} (${(params / 1e6).toFixed(2)} M params) | ${mode} | ${min(t.wallMs).toFixed(0)} / ${median(t.wallMs).toFixed(0)} | ${median(t.cpuMs).toFixed(0)} | ${((BATCH * 1000) / median(t.wallMs)).toFixed(1)} |`,
        );
        const top = [...t.kernels.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8);
        splits.push(`${net} / ${mode}: ` + top.map(([k, ms]) => `${k} ${ms.toFixed(0)}`).join(', '));
      } catch (e) {
        rows.push(`| ${net} | ${mode} | failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)} | | |`);
      }
    }
    tf.dispose([x, y]);
    model.dispose();
  }
  registerWasmTrainingKernels();
  console.log('\n| network | kernels | ms/step wall (min / median) | CPU ms/step | images/s |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) console.log(r);
  console.log('\nKernel time per step, ms (top 8, profiled step):');
  for (const s of splits) console.log(`- ${s}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
