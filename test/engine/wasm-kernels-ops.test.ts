/**
 * Our wasm training kernels against the reference `cpu` backend, on seeded random inputs:
 * Conv2D gradients (strides 1-3, same / valid / explicit padding, odd sizes, batch > 1),
 * BatchMatMul with transposes, Tile as broadcast, and the shipped pooling gradients.
 */
import * as assert from 'assert';
import { initBackend } from '../../src/engine/backend/init';
import * as tf from '../../src/engine/backend/tf';
import { WASM_TRAINING_KERNELS } from '../../src/engine/backend/wasm-kernels';
import { tileSegments } from '../../src/engine/backend/wasm-kernels/tile';
import { seeded } from '../helpers/seeded';

const TOLERANCE = 1e-4;


function rand(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(seeded(shape.reduce((a, b) => a * b, 1), seed), shape);
}

/** Runs `f` on wasm and on cpu; returns each output's values and shape. */
async function onBoth(f: () => tf.Tensor[]): Promise<{ wasm: tf.Tensor[]; cpu: tf.Tensor[] }> {
  const run = async (backend: string): Promise<tf.Tensor[]> => {
    await tf.setBackend(backend);
    const outs = tf.tidy(f);
    // Move the results to plain values so switching backends cannot affect them.
    const copies = await Promise.all(outs.map(async (t) => tf.tensor(await t.data(), t.shape, t.dtype)));
    tf.dispose(outs);
    return copies;
  };
  const wasm = await run('wasm');
  const cpu = await run('cpu');
  await tf.setBackend('wasm');
  return { wasm, cpu };
}

/** max |a-b| / max |b|. */
function relDiff(a: tf.Tensor, b: tf.Tensor): number {
  assert.deepStrictEqual(a.shape, b.shape, 'shapes differ');
  const av = a.dataSync();
  const bv = b.dataSync();
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < av.length; i++) {
    diff = Math.max(diff, Math.abs(av[i] - bv[i]));
    scale = Math.max(scale, Math.abs(bv[i]));
  }
  return diff / (scale || 1);
}

async function assertSame(label: string, f: () => tf.Tensor[]): Promise<void> {
  const { wasm, cpu } = await onBoth(f);
  assert.strictEqual(wasm.length, cpu.length);
  wasm.forEach((w, i) => {
    const d = relDiff(w, cpu[i]);
    assert.ok(d < TOLERANCE, `${label}, output ${i}: wasm differs from cpu by ${d.toExponential(2)} (relative)`);
  });
  tf.dispose([...wasm, ...cpu]);
}

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

/** Gradients of sum(conv2d(x, w) * dy) with respect to x and w, for a fixed random dy. */
function convGrads(xShape: number[], wShape: number[], strides: number | [number, number], pad: Pad): () => tf.Tensor[] {
  return () => {
    const x = rand(xShape, 1);
    const w = rand(wShape, 2);
    const outShape = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, strides, pad).shape;
    const dy = rand(outShape, 3);
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides, pad), dy)));
    return g([x, w]);
  };
}

describe('wasm training kernels vs cpu', function () {
  let previous: string | null = null;
  before(async function () {
    previous = tf.engine().backendName; // without initialising one
    await initBackend('wasm');
    await tf.ready();
    await tf.setBackend('cpu'); // make sure the reference backend starts too
    await tf.setBackend('wasm');
  });
  after(async function () {
    if (previous) await tf.setBackend(previous);
  });

  it('registers our kernels for wasm', function () {
    for (const config of WASM_TRAINING_KERNELS) {
      assert.strictEqual(tf.getKernel(config.kernelName, 'wasm')?.kernelFunc, config.kernelFunc, config.kernelName);
    }
  });

  const convCases: [string, number[], number[], number | [number, number], Pad][] = [
    ['3x3 stride 1 same', [2, 9, 7, 3], [3, 3, 3, 4], 1, 'same'],
    ['3x3 stride 2 same, odd sizes', [2, 9, 7, 3], [3, 3, 3, 4], 2, 'same'],
    ['3x3 stride 2 valid, batch 3', [3, 10, 8, 2], [3, 3, 2, 5], 2, 'valid'],
    ['2x2 stride 1 valid, 1 channel (paper blocks 2-3)', [2, 11, 9, 1], [2, 2, 1, 6], 1, 'valid'],
    ['5x5 stride 3 same', [1, 10, 12, 4], [5, 5, 4, 3], 3, 'same'],
    ['1x1 stride 2 valid', [2, 8, 8, 3], [1, 1, 3, 4], 2, 'valid'],
    ['3x2 filter, strides [2,1] same', [2, 9, 7, 3], [3, 2, 3, 4], [2, 1], 'same'],
    ['4x4 stride 2 same (even filter)', [1, 6, 7, 2], [4, 4, 2, 2], 2, 'same'],
    ['explicit padding, stride 2', [2, 9, 8, 2], [3, 3, 2, 3], 2, [[0, 0], [1, 2], [0, 1], [0, 0]]],
    ['3x3 stride 1 same, 8 -> 16 channels, 16x24', [2, 16, 24, 8], [3, 3, 8, 16], 1, 'same'],
  ];
  for (const [label, xShape, wShape, strides, pad] of convCases) {
    it(`Conv2D gradients (input and filter): ${label}`, async function () {
      await assertSame(label, convGrads(xShape, wShape, strides, pad));
    });
  }

  it('Conv2D gradients reject NCHW data with a clear error', async function () {
    const dy = tf.zeros([1, 2, 3, 3]);
    assert.throws(
      () =>
        tf.engine().runKernel(
          tf.Conv2DBackpropFilter,
          { x: tf.zeros([1, 2, 3, 3]), dy } as unknown as tf.NamedTensorMap,
          { strides: 1, pad: 'same', dataFormat: 'NCHW', filterShape: [1, 1, 2, 3] } as unknown as tf.NamedAttrMap,
        ),
      /NHWC/,
    );
  });

  const matMulCases: [string, number[], number[], boolean, boolean][] = [
    ['plain', [3, 5, 7], [3, 7, 4], false, false],
    ['transposeA', [3, 7, 5], [3, 7, 4], true, false],
    ['transposeB', [3, 5, 7], [3, 4, 7], false, true],
    ['both', [3, 7, 5], [3, 4, 7], true, true],
    ['transposeA, broadcast batch', [1, 7, 5], [3, 7, 4], true, false],
    ['transposeB of a large B (dense input gradient)', [4, 6], [50, 6], false, true],
    ['transposeA of x (dense weight gradient)', [6, 40], [6, 3], true, false],
  ];
  for (const [label, aShape, bShape, ta, tb] of matMulCases) {
    it(`BatchMatMul ${label}`, async function () {
      await assertSame(label, () => [tf.matMul(rand(aShape, 4), rand(bShape, 5), ta, tb)]);
    });
  }

  it('splits a tile into kept and broadcast segments', function () {
    assert.deepStrictEqual(tileSegments([1, 1, 1, 32], [16, 96, 128, 1]), [
      { size: 16 * 96 * 128, broadcast: true },
      { size: 32, broadcast: false },
    ]);
    assert.deepStrictEqual(tileSegments([2, 3], [3, 1]), [
      { size: 3, broadcast: true },
      { size: 6, broadcast: false },
    ]);
  });

  const tileCases: [string, number[], number[]][] = [
    ['vector over batch and space (batch-norm gradient)', [1, 1, 1, 16], [4, 8, 9, 1]],
    ['interleaved broadcast', [1, 6, 1, 8], [4, 1, 24, 1]],
    ['true tiling of sizes > 1', [2, 3, 5], [3, 40, 2]],
    ['small (shipped path)', [2, 3], [2, 2]],
  ];
  for (const [label, shape, reps] of tileCases) {
    it(`Tile ${label}`, async function () {
      await assertSame(label, () => [tf.tile(rand(shape, 6), reps)]);
    });
  }

  it('Tile of int32 keeps exact integers', async function () {
    await assertSame('int32 tile', () => [tf.tile(tf.tensor([[1, 2], [3, 4]], [2, 2], 'int32'), [40, 60])]);
  });

  const poolCases: [string, 'max' | 'avg', number, number, 'same' | 'valid'][] = [
    ['max 2x2 stride 2 valid', 'max', 2, 2, 'valid'],
    ['max 2x2 stride 2 same', 'max', 2, 2, 'same'],
    ['avg 3x3 stride 2 same', 'avg', 3, 2, 'same'],
    ['avg 2x2 stride 2 valid', 'avg', 2, 2, 'valid'],
    ['max 3x3 stride 1 same (overlapping windows)', 'max', 3, 1, 'same'],
  ];
  it('max pooling gradient with ties (ReLU zeros) goes to the first maximum, per channel, like cpu', async function () {
    await assertSame('maxPool ties', () => {
      const x = tf.relu(rand([2, 8, 6, 5], 9)); // about half zeros: many tied windows
      const dy = rand([2, 4, 3, 5], 10);
      return [tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid'), dy)))(x)];
    });
  });

  it('max pooling gradient picks 0 over negatives (the shipped wasm kernel picks -1 in [-1, 0, -2, -3])', async function () {
    await tf.setBackend('wasm');
    const x = tf.tensor([-1, 2, 0, -5, -2, 1, -3, 2], [1, 2, 2, 2]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid')))(x);
    // Channel 0 holds [-1, 0, -2, -3]; channel 1 holds [2, -5, 1, 2] (tie: first wins).
    assert.deepStrictEqual(Array.from(await g.data()), [0, 1, 1, 0, 0, 0, 0, 0]);
    tf.dispose([x, g]);
  });

  for (const [label, kind, size, stride, pad] of poolCases) {
    it(`pooling and its gradient: ${label}`, async function () {
      await assertSame(label, () => {
        const x = rand([2, 9, 7, 3], 7);
        const pool = (t: tf.Tensor): tf.Tensor =>
          kind === 'max' ? tf.maxPool(t as tf.Tensor4D, size, stride, pad) : tf.avgPool(t as tf.Tensor4D, size, stride, pad);
        const y = pool(x);
        const dy = rand(y.shape, 8);
        return [y, tf.grad((t: tf.Tensor) => tf.sum(tf.mul(pool(t), dy)))(x)];
      });
    });
  }
});
