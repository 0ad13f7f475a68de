/**
 * Curves in the Landmark Editor inside a real VS Code: a file with CURVES=/POINTS= blocks (ktch's
 * sample, one landmark and a 50-point curve) is drawn whole, and moving its landmark then saving
 * changes that one line only: every curve line is written back as it was (screenshot).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { requireData } from '../helpers/data';
import { closeAllEditors, copyData, getApi, scratchDir, screenshot, screenshotsAvailable, waitFor } from './helpers';

describe('curves', function () {
  this.timeout(180_000);
  afterEach(async () => closeAllEditors());

  it('draws a CURVES= block over a canvas that fits it, and a save after a landmark move keeps every curve line', async function () {
    requireData(this, 'tps-corpus', 'ktch_sample_curve_data.tps');
    const dir = await scratchDir('curves');
    const [tps] = await copyData(dir, ['tps-corpus/ktch_sample_curve_data.tps']);
    const before = fs.readFileSync(tps, 'utf8');
    const uri = vscode.Uri.file(tps);
    const api = (await getApi()).editor;
    await vscode.commands.executeCommand('vscode.open', uri);
    await waitFor('the Landmark Editor to be ready', () => api.state(uri)?.ready, { timeoutMs: 60_000 });
    const r = await api.waitForRender(uri, (x) => x.specimen === 0 && x.curves === 1, 60_000);
    assert.strictEqual(r.curvePoints, 50);
    assert.ok(r.zoom < 3, `zoom ${r.zoom}: fitted to the landmark, not the curve`);
    assert.match(r.status, /1 curve \(50 points\)/);
    if (screenshotsAvailable()) await screenshot('editor-curve');
    // Move the landmark (image pixels; the canvas is blank, no photo) and save.
    const p = r.positions[0]!;
    await api.testAction({ kind: 'move', specimen: 0, landmark: 0, x: p.x + 10, y: p.y }, uri);
    await waitFor('the move to arrive', () => api.state(uri)?.dirty);
    await vscode.commands.executeCommand('workbench.action.files.save');
    await waitFor('the save', () => !api.state(uri)?.dirty && fs.readFileSync(tps, 'utf8') !== before, { timeoutMs: 30_000 });
    const a = before.split('\n');
    const b = fs.readFileSync(tps, 'utf8').split('\n');
    assert.strictEqual(b.length, a.length);
    const changed = a.map((l, i) => (l === b[i] ? -1 : i)).filter((i) => i >= 0);
    assert.deepStrictEqual(changed, [1], `changed lines ${changed.map((i) => i + 1)}`);
    assert.match(b[1], /^160(\.0)? 250(\.0)?$/);
  });
});
