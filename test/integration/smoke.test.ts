/** The extension loads in a real VS Code: activation, commands, the TPS language, a screenshot. */
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { requireData } from '../helpers/data';
import { contributedCommands, getApi, getExtension, screenshot, screenshotsAvailable, waitFor } from './helpers';

describe('smoke', function () {
  it('activates and exports its API', async function () {
    const api = await getApi();
    assert.ok(getExtension().isActive, 'extension is not active after activate()');
    assert.ok(api.editor !== undefined, 'LandmarksApi.editor is missing');
    assert.ok(api.workbench !== undefined, 'LandmarksApi.workbench is missing');
  });

  it('registers every command it contributes', async function () {
    await getApi();
    const contributed = contributedCommands();
    assert.ok(contributed.length >= 7, `package.json contributes only ${contributed.length} commands`);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((c) => !registered.has(c));
    assert.deepStrictEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  });

  it('knows the tps language and gives a real .TPS file that language', async function () {
    const file = requireData(this, 'tps-corpus', 'beetle_cnn_p_001.TPS');
    assert.ok((await vscode.languages.getLanguages()).includes('tps'), 'language "tps" is not registered');
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    assert.strictEqual(doc.languageId, 'tps');
    assert.match(doc.getText(), /LM\s*=\s*8/);
  });

  it('takes a screenshot of the workbench', async function () {
    if (!screenshotsAvailable()) this.skip();
    const file = requireData(this, 'tps-corpus', 'beetle_cnn_p_001.TPS');
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    await vscode.window.showTextDocument(doc);
    await waitFor('the TPS file to be the active text editor', () => vscode.window.activeTextEditor?.document === doc);
    const png = await screenshot('smoke-workbench');
    const bytes = fs.readFileSync(png);
    assert.ok(bytes.length > 10_000, `screenshot ${png} is only ${bytes.length} bytes`);
    assert.strictEqual(bytes.subarray(1, 4).toString('latin1'), 'PNG', `${png} is not a PNG`);
  });
});
