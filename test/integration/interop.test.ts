/**
 * Export and import in a real VS Code: the fly wings exported to DeepLabCut's CollectedData CSV
 * (y from the top, heights read from the photos) and imported back into a new TPS beside it,
 * which opens in the Landmark Editor on the photo with every landmark where it was (screenshot);
 * MorphoJ export applies no flip; nothing is written over an existing file.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { requireData } from '../helpers/data';
import { closeAllEditors, copyData, getApi, scratchDir, screenshot, screenshotsAvailable, waitFor } from './helpers';
import { parseTps } from '../../src/shared/tps/parse';

describe('import and export', function () {
  this.timeout(180_000);
  afterEach(async () => closeAllEditors());

  it('wings -> DeepLabCut CSV -> new TPS opened on the photos, landmarks unchanged; MorphoJ too; no overwrite', async function () {
    requireData(this, 'drosophila-wings', 'landmarks.tps');
    const dir = await scratchDir('interop');
    const photos = ['63001.jpg', '63002.jpg', '63004.jpg'];
    const [tps] = await copyData(dir, ['drosophila-wings/landmarks.tps', ...photos.map((p) => `drosophila-wings/images/${p}`)]);
    const api = await getApi();
    const dlc = path.join(path.dirname(tps), 'CollectedData_wings.csv');
    const out = await api.interop.exportTo(vscode.Uri.file(tps), 'dlc', vscode.Uri.file(dlc));
    // Only the three photos copied have a known height: the other 43 wings are left out, named.
    assert.strictEqual(out.written, 3);
    assert.strictEqual(out.problems.length, 43);
    assert.match(fs.readFileSync(dlc, 'utf8').split('\r\n')[3], /^labeled-data,video,63001\.jpg,290,372,/);
    await assert.rejects(api.interop.exportTo(vscode.Uri.file(tps), 'dlc', vscode.Uri.file(dlc)), /already exists/);

    const back = await api.interop.importFrom(vscode.Uri.file(dlc));
    assert.strictEqual(path.dirname(back.output), path.dirname(tps));
    assert.deepStrictEqual(back.problems, []);
    const original = parseTps(fs.readFileSync(tps, 'utf8')).specimens.slice(0, 3);
    const imported = parseTps(fs.readFileSync(back.output, 'utf8')).specimens;
    assert.deepStrictEqual(imported.map((s) => s.landmarks), original.map((s) => s.landmarks));
    const uri = vscode.Uri.file(back.output);
    await waitFor('the imported file in the Landmark Editor', () => api.editor.state(uri)?.ready, { timeoutMs: 60_000 });
    const r = await api.editor.waitForRender(uri, (x) => x.specimen === 0 && x.imageLoaded, 60_000);
    assert.strictEqual(r.drawn, 12);
    if (screenshotsAvailable()) await screenshot('interop-imported-dlc');

    const mj = path.join(dir, 'wings-morphoj.txt');
    const m = await api.interop.exportTo(vscode.Uri.file(tps), 'morphoj', vscode.Uri.file(mj));
    assert.strictEqual(m.written, 46);
    assert.strictEqual(fs.readFileSync(mj, 'utf8').split('\n')[1].split('\t').slice(0, 3).join(' '), '63001.jpg 290 108');
  });

  // The last suite: by now the editor has shown photos and the
  // workbench has trained and predicted. None of it may have loaded a native module here.
  it('never loaded a native module (sharp, Dawn, tfjs) in the extension host', () => {
    const loaded = Object.keys(require.cache).filter((k) => /[\\/]node_modules[\\/](sharp|@img|webgpu|@tensorflow)[\\/]/.test(k));
    assert.deepStrictEqual(loaded, [], 'loaded in the extension host');
  });
});
