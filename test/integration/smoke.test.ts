/** The extension loads in a real VS Code: activation, commands, the TPS language, a screenshot. */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { requireData } from '../helpers/data';
import { contributedCommands, getApi, getExtension, screenshot, screenshotsAvailable, waitFor } from './helpers';
import { colourBlobs, readPicture, type Rgb } from './helpers/pixels';

/** Light Modern's constant.numeric (the theme a fresh code-server profile starts with). */
const NUMBER_COLOUR: Rgb = [0x09, 0x86, 0x58];

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

  it('ships the engine bundles, the wasm binaries and sharp with its native module, and no tfjs package', function () {
    const root = getExtension().extensionPath;
    const modules = path.join(root, 'node_modules');
    const dist = path.join(root, 'dist');
    for (const f of ['engine.js', 'cli.js', 'tfjs.js', 'tfjs-wasm.js', 'image-convert.js', 'wasm/tfjs-backend-wasm-simd.wasm', 'wasm/tfjs-backend-wasm-threaded-simd.wasm']) {
      assert.ok(fs.existsSync(path.join(dist, f)), `dist/${f} is missing from ${root}`);
    }
    // tfjs is bundled into dist/: node_modules holds native packages only (unless the optional
    // tfjs-node was installed where the package was made, which brings its own tfjs).
    // (Checked on an installed .vsix, which has no src/; --dev runs from the checkout.)
    const installed = !fs.existsSync(path.join(root, 'src'));
    const tfjs = fs.existsSync(path.join(modules, '@tensorflow')) ? fs.readdirSync(path.join(modules, '@tensorflow')) : [];
    if (installed && !tfjs.some((d) => d.startsWith('tfjs-node'))) assert.deepStrictEqual(tfjs, [], `tfjs packages in ${modules}`);
    const img = path.join(modules, '@img');
    const natives = fs.existsSync(img)
      ? fs.readdirSync(img).filter((d) => d.startsWith('sharp-') && !d.startsWith('sharp-libvips'))
      : [];
    assert.ok(natives.length > 0, `no native sharp package (@img/sharp-<platform>) in ${img}`);
  });

  it("converts a photo with the shipped converter (sharp in a child, never in this host)", async function () {
    const root = getExtension().extensionPath;
    const photo = requireData(this, 'drosophila-wings', 'images', '63001.jpg');
    const out = path.join(os.tmpdir(), `landmarks-smoke-${process.pid}.png`);
    const { fork } = await import('child_process');
    const child = fork(path.join(root, 'dist', 'image-convert.js'), [photo, out], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, stdio: 'pipe' });
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.strictEqual(code, 0, stderr);
    const png = fs.readFileSync(out);
    fs.rmSync(out, { force: true });
    assert.strictEqual(png.subarray(1, 4).toString('latin1'), 'PNG');
    assert.deepStrictEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [632, 480]);
    const loaded = Object.keys(require.cache).filter((k) => /[\\/]node_modules[\\/]sharp[\\/]/.test(k));
    assert.deepStrictEqual(loaded, [], 'sharp was loaded in the extension host');
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
    // The TPS grammar colours the 16 coordinates as numbers (the default light theme's
    // constant.numeric): each digit run is a mark of that colour; an uncoloured file has none.
    const numbers = colourBlobs(await readPicture(png), NUMBER_COLOUR, 40, 3);
    assert.ok(numbers.blobs >= 16, `${png}: ${numbers.blobs} marks in the number colour, not the 8 rows of 2 coordinates`);
  });
});
