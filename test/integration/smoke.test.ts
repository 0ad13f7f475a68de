/** The extension loads in a real VS Code: activation, commands, the TPS language, a screenshot. */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { requireData } from '../helpers/data';
import { contributedCommands, getApi, getExtension, screenshot, screenshotsAvailable, waitFor } from './helpers';

describe('smoke', function () {
  it('activates and exports its API (in ExtensionMode.Test, the only mode that gets it)', async function () {
    // activate() returns the API only when VS Code runs it in ExtensionMode.Test: getting it
    // here shows that this driver (extensionDevelopmentPath + extensionTestsPath) gives Test mode.
    const api = await getApi();
    assert.ok(getExtension().isActive, 'extension is not active after activate()');
    assert.ok(api.editor !== undefined, 'LandmarksApi.editor is missing');
    assert.ok(api.workbench !== undefined, 'LandmarksApi.workbench is missing');
  });

  it('ships every file its manifest points to', function () {
    const ext = getExtension();
    const pkg = ext.packageJSON as {
      main?: string;
      contributes?: { languages?: { configuration?: string }[]; grammars?: { path?: string }[] };
    };
    const referenced = [
      pkg.main,
      ...(pkg.contributes?.languages ?? []).map((l) => l.configuration),
      ...(pkg.contributes?.grammars ?? []).map((g) => g.path),
    ].filter((p): p is string => !!p);
    assert.ok(referenced.length >= 3, `manifest references only ${referenced.join(', ')}`);
    const missing = referenced.filter((rel) => !fs.existsSync(path.join(ext.extensionPath, rel)));
    assert.deepStrictEqual(missing, [], `missing from ${ext.extensionPath}: ${missing.join(', ')}`);
  });

  it('ships sharp with its native module and the tfjs wasm binaries', async function () {
    const root = getExtension().extensionPath;
    const modules = path.join(root, 'node_modules');
    const wasm = path.join(modules, '@tensorflow', 'tfjs-backend-wasm', 'dist', 'tfjs-backend-wasm.wasm');
    assert.ok(fs.existsSync(wasm), `${wasm} is missing`);
    const img = path.join(modules, '@img');
    const natives = fs.existsSync(img)
      ? fs.readdirSync(img).filter((d) => d.startsWith('sharp-') && !d.startsWith('sharp-libvips'))
      : [];
    assert.ok(natives.length > 0, `no native sharp package (@img/sharp-<platform>) in ${img}`);
    // Loads in this extension host's Node, from the installed copy, and decodes a real photo.
    const photo = requireData(this, 'drosophila-wings', 'images', '63001.jpg');
    const sharp = require(path.join(modules, 'sharp')) as typeof import('sharp');
    const meta = await sharp(photo).metadata();
    assert.deepStrictEqual([meta.width, meta.height, meta.format], [632, 480, 'jpeg']);
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
