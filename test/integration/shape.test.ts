/**
 * The shape view inside a real VS Code: "Show shape analysis" on the fly wings with one wing's
 * landmarks 1 and 7 swapped (a numbering slip) flags that wing as the worst outlier, and a click
 * on it opens that specimen in the Landmark Editor (screenshot).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { requireData } from '../helpers/data';
import { closeAllEditors, copyData, getApi, scratchDir, screenshot, screenshotsAvailable, waitFor } from './helpers';
import { parseTps } from '../../src/shared/tps/parse';
import { writeTps } from '../../src/shared/tps/write';

describe('shape view', function () {
  this.timeout(180_000);
  afterEach(async () => closeAllEditors());

  it('flags a wing with swapped landmarks as the worst outlier and opens it in the Landmark Editor on click', async function () {
    requireData(this, 'drosophila-wings', 'landmarks.tps');
    const dir = await scratchDir('shape');
    const [tps] = await copyData(dir, ['drosophila-wings/landmarks.tps']);
    const doc = parseTps(fs.readFileSync(tps, 'utf8'));
    const lms = doc.specimens[4].landmarks;
    [lms[0], lms[6]] = [lms[6], lms[0]];
    fs.writeFileSync(tps, writeTps(doc));
    const uri = vscode.Uri.file(tps);
    const api = await getApi();
    await vscode.commands.executeCommand('landmarks.shapeView', uri);
    const panel = await waitFor('the shape view', () => api.shape.current(), { timeoutMs: 30_000 });
    const r = await panel.waitForRender(() => true, 60_000);
    assert.strictEqual(r.specimens, 46);
    assert.strictEqual(r.outliers[0], 4, `outliers ${JSON.stringify(r.outliers)}`);
    assert.strictEqual(panel.model.specimens[0].index, 4);
    if (screenshotsAvailable()) await screenshot('shape-view-wings');
    // The click path of a row: the panel's handler opens the TPS at that specimen.
    await panel.openSpecimen(4);
    await waitFor('the Landmark Editor at specimen 5', () => api.editor.state(uri)?.ready && api.editor.state(uri)?.selected === 4, { timeoutMs: 60_000 });
  });
});
