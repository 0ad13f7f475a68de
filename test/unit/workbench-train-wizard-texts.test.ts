/**
 * The Train wizard's texts from the presets an engine declared (or none): pure, no engine. On
 * the real engine: test/engine/workbench-train-wizard.test.ts.
 */
import * as assert from 'assert';
import { inputSizePrompt, isSizedPreset, presetPickItems } from '../../src/extension/workbench/train-wizard';
import type { PresetInfo } from '../../src/shared/protocol/engine';

describe('workbench train wizard texts', function () {
  it('the figures are the engine’s: a native engine’s defaults are shown as they are; without an engine no figure at all', () => {
    const native: PresetInfo[] = [
      { name: 'default', description: 'cascade', uses: [], defaults: { inputSize: [128, 128], epochs: 1, batchSize: 1, validationSplit: 0.1 } },
      { name: 'paper', description: 'the paper', uses: ['epochs', 'inputSize'], defaults: { inputSize: [256, 192], epochs: 300, batchSize: 64, validationSplit: 0.4 } },
    ];
    const items = presetPickItems(native, 'tensorflow', 'default');
    assert.strictEqual(items[0].label, 'default');
    assert.strictEqual(items[1].detail, 'Runs here on native CPU (tfjs-node): 256x192 input, 300 epochs, batch 64 (the next steps can change them)');
    assert.strictEqual(inputSizePrompt(native[1], 'tensorflow-gpu'), 'Model input WIDTHxHEIGHT (empty = 256x192, what paper runs on the GPU (tfjs-node-gpu))');
    // The engine could not start: the wizard still works and claims no size.
    const blind = presetPickItems(undefined, undefined, 'paper');
    assert.deepStrictEqual(blind.map((i) => [i.label, i.detail]), [['paper', undefined], ['default', undefined], ['pose', undefined]]);
    assert.doesNotMatch(JSON.stringify(blind), /\d+x\d+/);
    assert.strictEqual(inputSizePrompt(undefined, undefined), 'Model input WIDTHxHEIGHT, e.g. 256x192 (empty = the preset default)');
    // a preset the engine declares as using epochs is asked for them, whatever its name
    assert.ok(isSizedPreset('default', [{ ...native[0], uses: ['epochs'] }]));
  });
});
