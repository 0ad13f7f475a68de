/**
 * The Train wizard says what will run: the `paper` preset's input size and epochs come from the
 * engine that will train (its `ready` message), so on wasm it says 128x96, not the 256x192 the
 * preset's description once promised.
 */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as path from 'path';
import { EngineClient } from '../../src/extension/engine-client';
import { epochsPrompt, inputSizePrompt, isSizedPreset, presetPickItems } from '../../src/extension/workbench/train-wizard';
import { repoRoot } from '../helpers/data';

describe('workbench train wizard texts', function () {
  this.timeout(180_000);
  let client: EngineClient | undefined;
  after(async () => {
    await client?.shutdown(3000);
  });

  it('on the real engine (wasm): paper is described as running at 128x96 for 60 epochs, and nothing says 256x192', async () => {
    execFileSync(process.execPath, ['esbuild.js', 'engine'], { cwd: repoRoot, stdio: 'pipe' });
    client = new EngineClient({ enginePath: path.join(repoRoot, 'dist', 'engine.js'), backend: 'wasm', readyTimeoutMs: 120_000 });
    const backend = (await client.start()).name;
    assert.strictEqual(backend, 'wasm');
    const presets = client.presets;
    assert.ok(presets, 'the engine sent its presets in ready');
    const items = presetPickItems(presets, backend, 'paper');
    assert.deepStrictEqual(items.map((i) => i.label), ['paper', 'default', 'pose'], 'the preferred preset first');
    const paper = items[0];
    assert.strictEqual(paper.detail, 'Runs here on WebAssembly (wasm): 128x96 input, 60 epochs, batch 16 (the next steps can change them)');
    assert.match(paper.description, /3 conv blocks, dense 1000\/1000/);
    assert.strictEqual(items[1].detail, undefined, 'default: its input size is nominal, so no figure is shown');
    const info = presets.find((p) => p.name === 'paper');
    assert.strictEqual(inputSizePrompt(info, backend), 'Model input WIDTHxHEIGHT (empty = 128x96, what paper runs on WebAssembly (wasm))');
    assert.strictEqual(epochsPrompt(info, backend), 'Epochs to train (0 = the preset default: 60 on WebAssembly (wasm))');
    const all = JSON.stringify([items, inputSizePrompt(info, backend), epochsPrompt(info, backend)]);
    assert.doesNotMatch(all, /256x192/);
    // what the wizard asks follows the engine's declarations: paper trains in epochs, default in passes over the photos
    assert.ok(isSizedPreset('paper', presets) && !isSizedPreset('default', presets));
    const def = presets.find((p) => p.name === 'default');
    assert.deepStrictEqual(def?.uses, []);
    assert.ok(def?.options?.some((o) => o.name === 'sdm.ridge' && o.doc.length > 10), 'default declares its stage options');
    assert.strictEqual(def?.description, items[1].description, 'one description, the engine\'s');
    // pose trains its net in steps it declares as its own option, so the wizard asks no epochs either
    const pose = presets.find((p) => p.name === 'pose');
    assert.ok(!isSizedPreset('pose', presets) && pose?.options?.some((o) => o.name === 'heatmap.steps'));
    assert.strictEqual(items[2].description, pose?.description);
  });
});
