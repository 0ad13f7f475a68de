/** The paper preset: Table 1 architecture, schedules, defaults per backend. */
import * as assert from 'assert';
import { initBackend } from '../../src/engine/backend/init';
import * as tf from '../../src/engine/backend/tf';
import { buildPaperModel } from '../../src/engine/presets/paper/model';
import { learningRateAt, momentumAt } from '../../src/engine/presets/paper/schedule';
import { paperPreset } from '../../src/engine/presets/paper';

describe('paper preset', () => {
  before(async () => {
    await initBackend('wasm');
  });

  it('builds Table 1: conv 32@3x3, 64@2x2, 128@2x2, each pool 2 + dropout 0.1/0.2/0.3, dense 1000, dropout 0.5, dense 1000, dense 2K', () => {
    const m = buildPaperModel(tf, [128, 96], 8, 1);
    try {
      const layers = m.layers.map((l) => {
        const c = l.getConfig() as Record<string, unknown>;
        return `${l.getClassName()}${c.filters ? `:${String(c.filters)}@${(c.kernelSize as number[]).join('x')}` : ''}${c.rate !== undefined ? `:${String(c.rate)}` : ''}${c.units ? `:${String(c.units)}` : ''}`;
      });
      assert.deepStrictEqual(layers, [
        'Conv2D:32@3x3', 'MaxPooling2D', 'Dropout:0.1',
        'Conv2D:64@2x2', 'MaxPooling2D', 'Dropout:0.2',
        'Conv2D:128@2x2', 'MaxPooling2D', 'Dropout:0.3',
        'Flatten', 'Dense:1000', 'Dropout:0.5', 'Dense:1000', 'Dense:16',
      ]);
      assert.deepStrictEqual(m.inputs[0].shape, [null, 96, 128, 1]);
      // 128x96 -> 126x94 -> 63x47 -> 62x46 -> 31x23 -> 30x22 -> 15x11, x128 channels.
      assert.deepStrictEqual(m.getLayer('flatten').outputShape, [null, 15 * 11 * 128]);
    } finally {
      m.dispose();
    }
  });

  it('schedules learning rate 0.03 -> 1e-5 and momentum 0.9 -> 0.9999 linearly, as the paper\'s AdjustVariable (linspace per epoch)', () => {
    assert.ok(Math.abs(learningRateAt(1, 100) - 0.03) < 1e-12);
    assert.ok(Math.abs(learningRateAt(100, 100) - 1e-5) < 1e-12);
    assert.ok(Math.abs(momentumAt(1, 100) - 0.9) < 1e-12);
    assert.ok(Math.abs(momentumAt(100, 100) - 0.9999) < 1e-12);
    // Linear: the midpoint is the arithmetic mean.
    assert.ok(Math.abs(learningRateAt(51, 101) - (0.03 + 1e-5) / 2) < 1e-12);
    assert.ok(Math.abs(momentumAt(51, 101) - (0.9 + 0.9999) / 2) < 1e-12);
    for (let e = 2; e <= 100; e++) {
      assert.ok(learningRateAt(e, 100) < learningRateAt(e - 1, 100));
      assert.ok(momentumAt(e, 100) > momentumAt(e - 1, 100));
      // The effective step lr / (1 - momentum) stays bounded: no late divergence.
      assert.ok(learningRateAt(e, 100) / (1 - momentumAt(e, 100)) <= 0.3 + 1e-9);
    }
    assert.strictEqual(learningRateAt(1, 1), 0.03);
    // A custom start keeps the end/start ratio.
    assert.ok(Math.abs(learningRateAt(10, 10, 0.01) - 0.01 / 3000) < 1e-12);
  });

  it('uses 256x192 on native backends and WebGPU and states a smaller 128x96 on wasm; 60/40 split', () => {
    assert.deepStrictEqual(paperPreset.defaults('tensorflow').inputSize, [256, 192]);
    assert.deepStrictEqual(paperPreset.defaults('webgpu').inputSize, [256, 192]);
    assert.deepStrictEqual(paperPreset.defaults('tensorflow-gpu').inputSize, [256, 192]);
    assert.deepStrictEqual(paperPreset.defaults('wasm').inputSize, [128, 96]);
    assert.strictEqual(paperPreset.defaults('wasm').validationSplit, 0.4);
    assert.strictEqual(paperPreset.defaults('wasm').learningRate, 0.03);
  });
});
