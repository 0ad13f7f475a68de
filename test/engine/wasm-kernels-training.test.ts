/**
 * A few optimiser steps of small tf.layers CNNs give the same losses on wasm (with our kernels)
 * as on the reference cpu backend: a miniature of the paper net (conv/maxpool blocks, dense
 * layers, Nesterov SGD) and a conv-BN-ReLU net (strided conv, global pooling, Adam).
 */
import * as assert from 'assert';
import { initBackend } from '../../src/engine/backend/init';
import * as tf from '../../src/engine/backend/tf';
import { seeded } from '../helpers/seeded';


function paperMini(): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [24, 32, 1], filters: 6, kernelSize: 3, activation: 'relu' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.conv2d({ filters: 8, kernelSize: 2, activation: 'relu' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.conv2d({ filters: 8, kernelSize: 2, activation: 'relu' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 40, activation: 'relu' }));
  m.add(tf.layers.dense({ units: 40, activation: 'relu' }));
  m.add(tf.layers.dense({ units: 6 }));
  m.compile({ optimizer: tf.train.momentum(0.03, 0.9, true), loss: 'meanSquaredError' });
  return m;
}

function convBnRelu(): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [24, 32, 1], filters: 8, kernelSize: 3, padding: 'same', useBias: false }));
  m.add(tf.layers.batchNormalization());
  m.add(tf.layers.reLU());
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.conv2d({ filters: 12, kernelSize: 3, strides: 2, padding: 'same', useBias: false }));
  m.add(tf.layers.batchNormalization());
  m.add(tf.layers.reLU());
  m.add(tf.layers.globalAveragePooling2d({}));
  m.add(tf.layers.dense({ units: 6 }));
  m.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
  return m;
}

interface Run {
  losses: number[];
  /** Per weight tensor: final minus initial values. */
  updates: { name: string; delta: Float32Array }[];
}

/** `steps` training steps on fixed data, on `backend`, from fixed initial weights. */
async function train(backend: string, build: () => tf.LayersModel, steps: number): Promise<Run> {
  await tf.setBackend(backend);
  const model = build();
  const initial = model.getWeights().map((w, i) => seeded(w.size, 100 + i).map((v) => v * 0.4));
  model.setWeights(model.getWeights().map((w, i) => tf.tensor(initial[i], w.shape)));
  const x = tf.tensor(seeded(4 * 24 * 32, 1).map((v) => (v + 1) / 2), [4, 24, 32, 1]);
  const y = tf.tensor(seeded(4 * 6, 2), [4, 6]);
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    const loss = await model.trainOnBatch(x, y);
    losses.push(Array.isArray(loss) ? loss[0] : loss);
  }
  const updates = model.weights.map((w, i) => {
    const v = w.read().dataSync();
    return { name: w.name, delta: Float32Array.from(v, (a, j) => a - initial[i][j]) };
  });
  tf.dispose([x, y]);
  model.dispose();
  return { losses, updates };
}

function relDiff(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / (scale || 1);
}

describe('training on wasm matches cpu', function () {
  let previous: string | null = null;
  before(async function () {
    previous = tf.engine().backendName; // without initialising one
    await initBackend('wasm');
  });
  after(async function () {
    if (previous) await tf.setBackend(previous);
  });

  for (const [label, build] of [
    ['paper-like CNN (conv/maxpool blocks, dense, Nesterov SGD)', paperMini],
    ['conv-BN-ReLU net (strided conv, global pooling, Adam)', convBnRelu],
  ] as const) {
    it(`${label}: 4 steps, same losses`, async function () {
      const wasm = await train('wasm', build, 4);
      const cpu = await train('cpu', build, 4);
      await tf.setBackend('wasm');
      // The losses must move (else the comparison says nothing) and agree step by step.
      assert.ok(Math.abs(cpu.losses[3] - cpu.losses[0]) > 1e-3 * cpu.losses[0], `loss did not change: ${cpu.losses}`);
      wasm.losses.forEach((l, i) => {
        const rel = Math.abs(l - cpu.losses[i]) / Math.abs(cpu.losses[i]);
        assert.ok(rel < 1e-4, `step ${i + 1}: wasm loss ${l} vs cpu ${cpu.losses[i]} (relative ${rel.toExponential(2)})`);
      });
      // Every weight moved the same way: a wrong gradient anywhere shows here.
      wasm.updates.forEach((u, i) => {
        const rel = relDiff(u.delta, cpu.updates[i].delta);
        assert.ok(rel < 1e-3, `${u.name}: wasm update differs from cpu by ${rel.toExponential(2)} (relative)`);
      });
    });
  }
});
