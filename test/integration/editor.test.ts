/**
 * The visual TPS editor inside a real VS Code: opens real TPS files (copied with their photos
 * into a scratch folder) in the custom editor, checks what the webview drew, edits through the
 * webview's own message path, undo/redo/save/revert, and re-reads the file from disk.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { requireData } from '../helpers/data';
import { parseTps } from '../../src/shared/tps/parse';
import { TpsEditorDocument } from '../../src/extension/editor/document';
import { artifactsDir, closeAllEditors, copyData, getApi, scratchDir, screenshot, screenshotsAvailable, sleep, waitFor, openInEditor } from './helpers';
import { assertLandmarksDrawn } from './helpers/pixels';



function activeTab(): vscode.Tab | undefined {
  return vscode.window.tabGroups.activeTabGroup.activeTab;
}

/** Timings go to .test-artifacts/editor-timings.txt (console output stays in VS Code's log). */
function note(line: string): void {
  console.log(line);
  fs.mkdirSync(artifactsDir(), { recursive: true });
  fs.appendFileSync(path.join(artifactsDir(), 'editor-timings.txt'), `${new Date().toISOString()} ${line}\n`);
}

/** Screenshot, then check that what the user sees holds the specimen's landmarks (and photo). */
async function shoot(name: string, expected: { landmarks: number; photo: boolean }): Promise<void> {
  if (!screenshotsAvailable()) return;
  await sleep(500); // let the webview paint the last frame
  const png = await screenshot(name);
  const seen = await assertLandmarksDrawn(png, expected);
  note(`${name}: ${seen.blobs.blobs} landmark marks, most common colour ${(100 * seen.flat).toFixed(1)}% of their box`);
}

describe('editor', function () {
  this.timeout(180_000);
  afterEach(async () => closeAllEditors());

  it('is the default editor for .tps and draws the beetle pronotum photo with its 8 landmarks', async function () {
    requireData(this, 'beetles', 'pronotum', 'landmarks.tps');
    const dir = await scratchDir('pronotum');
    const [tps] = await copyData(dir, ['beetles/pronotum/landmarks.tps', 'beetles/pronotum/images']);
    const api = (await getApi()).editor;
    const started = Date.now();
    const { uri, report } = await openInEditor(api, tps, (r) => r.specimen === 0 && r.imageLoaded);
    note(`opened a 3264x2448 photo with its landmarks in ${Date.now() - started} ms (panel to webview ready ${api.state(uri)?.timing.readyMs} ms, to first render ${api.state(uri)?.timing.firstRenderMs} ms; webview script to render ${report.timing?.sinceStartMs} ms, photo load ${report.timing?.imageLoadMs} ms)`);
    const tab = activeTab();
    assert.ok(tab?.input instanceof vscode.TabInputCustom, 'the active tab is not a custom editor');
    assert.strictEqual((tab.input as vscode.TabInputCustom).viewType, 'landmarks.tpsEditor');
    assert.strictEqual(report.landmarks, 8);
    assert.strictEqual(report.drawn, 8);
    assert.deepStrictEqual([report.imageWidth, report.imageHeight], [3264, 2448]);
    const lms = parseTps(fs.readFileSync(tps, 'utf8')).specimens[0].landmarks;
    report.positions.forEach((p, i) => assert.deepStrictEqual(p, { x: lms[i]!.x, y: 2448 - lms[i]!.y }, `landmark ${i + 1}`));
    assert.strictEqual(api.state(uri)?.specimens, 4);
    await shoot('editor-beetle-pronotum', { landmarks: 8, photo: true });

    // Keyboard: PageDown shows the next specimen (its photo was prefetched).
    const t0 = Date.now();
    // The reply is the report of specimen 2 once its photo is drawn.
    const next = await api.testAction({ kind: 'key', key: 'PageDown' }, uri);
    assert.deepStrictEqual([next.specimen, next.imageLoaded], [1, true]);
    note(`next 3264x2448 specimen drawn ${Date.now() - t0} ms after PageDown (photo load ${next.timing?.imageLoadMs} ms)`);
    assert.strictEqual(next.drawn, 8);
    assert.strictEqual(api.state(uri)?.selected, 1);

    // The marker size setting applies at once.
    const config = vscode.workspace.getConfiguration('landmarks.editor');
    await config.update('landmarkSize', 12, vscode.ConfigurationTarget.Global);
    try {
      const big = await api.waitForRender(uri, (r) => r.markerRadius === 12);
      assert.strictEqual(big.drawn, 8);
    } finally {
      await config.update('landmarkSize', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('flags by the review tolerance setting (px, then mm through SCALE=) and says how many specimens are above it', async function () {
    requireData(this, 'drosophila-wings', 'landmarks.tps');
    const dir = await scratchDir('wings-tolerance');
    const [tps] = await copyData(dir, ['drosophila-wings/landmarks.tps', 'drosophila-wings/images/63001.jpg']);
    // A predicted file: specimen i's landmark 3 has a doubt bound of i/2 px; SCALE 0.01 on the first 30.
    const blocks = fs.readFileSync(tps, 'utf8').split(/(?=^LM=)/m).filter((b) => b.trim());
    const doubt = (i: number) => Array.from({ length: 12 }, (_, j) => (j === 2 ? i / 2 : 1.5));
    fs.writeFileSync(
      tps,
      blocks.map((b, i) => `${b.trimEnd()}\n${i < 30 ? 'SCALE=0.01\n' : ''}COMMENT=predicted by wings-model; confidence ${(1 - i / 100).toFixed(3)}; doubt px ${doubt(i).join(' ')}\n`).join(''),
    );
    const config = vscode.workspace.getConfiguration('landmarks.review');
    await config.update('tolerance', 5, vscode.ConfigurationTarget.Global);
    try {
      const api = (await getApi()).editor;
      const { uri } = await openInEditor(api, tps, (r) => r.specimen === 0);
      const px = await api.waitForRender(uri, (r) => r.review?.tolerance === 5);
      assert.strictEqual(px.review?.text, '35 of 46 specimens above 5 px');
      await config.update('toleranceUnit', 'mm', vscode.ConfigurationTarget.Global);
      await config.update('tolerance', 0.1, vscode.ConfigurationTarget.Global);
      const mm = await api.waitForRender(uri, (r) => r.review?.unit === 'mm' && r.review.tolerance === 0.1);
      // 0.1 mm = 10 px at SCALE 0.01: specimens 21..29 of the 30 with SCALE.
      assert.strictEqual(mm.review?.text, '9 of 30 specimens above 0.1 mm (16 without SCALE not compared)');
      await config.update('tolerance', undefined, vscode.ConfigurationTarget.Global);
      const off = await api.waitForRender(uri, (r) => r.review === undefined);
      assert.ok(off, 'tolerance 0: the 10% rule again');
    } finally {
      await config.update('tolerance', undefined, vscode.ConfigurationTarget.Global);
      await config.update('toleranceUnit', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('moves a landmark through the webview, undoes, redoes, saves, and the file on disk has the new value', async function () {
    requireData(this, 'drosophila-wings', 'landmarks.tps');
    const dir = await scratchDir('wings-edit');
    const [tps] = await copyData(dir, ['drosophila-wings/landmarks.tps', 'drosophila-wings/images/63001.jpg', 'drosophila-wings/images/63002.jpg']);
    const original = fs.readFileSync(tps, 'utf8');
    const api = (await getApi()).editor;
    const { uri, report } = await openInEditor(api, tps, (r) => r.specimen === 0 && r.imageLoaded);
    assert.strictEqual(report.drawn, 12);
    assert.deepStrictEqual([report.imageWidth, report.imageHeight], [632, 480]);
    const before = api.state(uri)!.landmarks[0][2]!;

    // Landmark 3 of specimen 1 to image pixel (200, 100) = TPS (200, 480 - 100).
    const moved = await api.testAction({ kind: 'move', specimen: 0, landmark: 2, x: 200, y: 100 }, uri);
    assert.deepStrictEqual(moved.positions[2], { x: 200, y: 100 });
    assert.strictEqual(moved.drawn, 12);
    assert.deepStrictEqual(api.state(uri)!.landmarks[0][2], { x: 200, y: 380 });
    await waitFor('the tab to be dirty', () => activeTab()?.isDirty);

    await vscode.commands.executeCommand('undo');
    await waitFor('undo to restore landmark 3', () => api.state(uri)!.landmarks[0][2]?.x === before.x);
    assert.deepStrictEqual(api.state(uri)!.landmarks[0][2], before);
    await api.waitForRender(uri, (r) => r.positions[2]?.x === before.x && r.positions[2]?.y === 480 - before.y);
    await waitFor('the tab to be clean after undo', () => activeTab()?.isDirty === false);

    await vscode.commands.executeCommand('redo');
    await waitFor('redo to move landmark 3 again', () => api.state(uri)!.landmarks[0][2]?.x === 200);
    assert.ok(activeTab()?.isDirty, 'the tab is not dirty after redo');

    await vscode.commands.executeCommand('workbench.action.files.save');
    await waitFor(`the file on disk to change after save (tab dirty: ${activeTab()?.isDirty}, label ${activeTab()?.label})`, () => fs.readFileSync(tps, 'utf8') !== original);
    await waitFor('the tab to be clean after save', () => activeTab()?.isDirty === false).catch((e: Error) => {
      const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).map((t) => `${t.label}${t.isActive ? '*' : ''} dirty=${t.isDirty}`);
      throw new Error(`${e.message}; editor says dirty=${api.state(uri)?.dirty}; tabs: ${tabs.join(', ')}`);
    });
    const saved = fs.readFileSync(tps, 'utf8');
    const doc = parseTps(saved, tps);
    const orig = parseTps(original, tps);
    assert.deepStrictEqual(doc.diagnostics.filter((d) => d.severity === 'error'), []);
    assert.strictEqual(doc.specimens.length, orig.specimens.length);
    assert.deepStrictEqual(doc.specimens[0].landmarks[2], { x: 200, y: 380 });
    // Everything else is unchanged: other landmarks, other specimens, IMAGE= and ID= fields.
    doc.specimens.forEach((s, i) => {
      s.landmarks.forEach((p, j) => {
        if (i === 0 && j === 2) return;
        assert.deepStrictEqual(p, orig.specimens[i].landmarks[j], `specimen ${i + 1} landmark ${j + 1}`);
      });
      assert.deepStrictEqual(s.fields.map((f) => [f.key, f.value]), orig.specimens[i].fields.map((f) => [f.key, f.value]));
    });
    assert.deepStrictEqual(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'a temporary file was left behind');
  });

  it('reverts unsaved edits, and "Open as text" / "Open in Landmark Editor" switch editors', async function () {
    requireData(this, 'drosophila-wings', 'landmarks.tps');
    const dir = await scratchDir('wings-revert');
    const [tps] = await copyData(dir, ['drosophila-wings/landmarks.tps', 'drosophila-wings/images/63001.jpg']);
    const original = fs.readFileSync(tps, 'utf8');
    const api = (await getApi()).editor;
    const { uri } = await openInEditor(api, tps, (r) => r.specimen === 0 && r.imageLoaded);
    await api.testAction({ kind: 'move', specimen: 0, landmark: 0, x: 10, y: 10 }, uri);
    assert.strictEqual(api.state(uri)!.landmarks[0][0]?.x, 10, 'the move did not reach the document');
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await waitFor('revert to restore landmark 1', () => api.state(uri)!.landmarks[0][0]?.x === 290);
    await waitFor('the tab to be clean', () => activeTab()?.isDirty === false);
    assert.strictEqual(fs.readFileSync(tps, 'utf8'), original, 'revert wrote to disk');

    // Add a landmark through the webview (a 13th where all have 12: yes to the question); undo removes it again.
    assert.ok((await api.testAction({ kind: 'add', specimen: 0, x: 300, y: 240 }, uri)).confirm, 'a 13th landmark was added without asking');
    const added = await api.testAction({ kind: 'key', key: 'Enter' }, uri);
    assert.strictEqual(added.landmarks, 13);
    assert.deepStrictEqual(added.positions[12], { x: 300, y: 240 });
    assert.deepStrictEqual(api.state(uri)!.landmarks[0][12], { x: 300, y: 240 });
    await vscode.commands.executeCommand('undo');
    await api.waitForRender(uri, (r) => r.landmarks === 12);
    await waitFor('the tab to be clean after undo', () => activeTab()?.isDirty === false);

    // A change on disk while there are no unsaved edits is picked up.
    const changed = original.replace(/^LM=12\r?\n290\. 108\./m, 'LM=12\n291. 108.');
    assert.notStrictEqual(changed, original);
    fs.writeFileSync(tps, changed);
    await waitFor('the editor to reload the file changed on disk', () => api.state(uri)!.landmarks[0][0]?.x === 291, { timeoutMs: 30_000 });
    await api.waitForRender(uri, (r) => r.positions[0]?.x === 291);

    await vscode.commands.executeCommand('landmarks.openAsText', uri);
    await waitFor('a text editor on the file', () => vscode.window.activeTextEditor?.document.uri.fsPath === uri.fsPath);
    assert.strictEqual(vscode.window.activeTextEditor!.document.languageId, 'tps');
    await vscode.commands.executeCommand('landmarks.openInEditor');
    await waitFor('the custom editor to be active again', () => {
      const input = activeTab()?.input;
      return input instanceof vscode.TabInputCustom && input.uri.fsPath === uri.fsPath;
    });
  });

  it('hot exit: the document backs up unsaved edits, and reopened from the backup it has them and is dirty, the file untouched', async function () {
    // What VS Code's hot exit calls (backupCustomDocument, then openCustomDocument with the
    // backup's id), driven here directly: the web workbench under code-server never asked for a
    // backup in 30 s, even with files.hotExit = onExit, so its scheduling is not what is tested.
    requireData(this, 'drosophila-wings', 'landmarks.tps');
    const dir = await scratchDir('wings-hot-exit');
    const [tps] = await copyData(dir, ['drosophila-wings/landmarks.tps', 'drosophila-wings/images/63001.jpg']);
    const original = fs.readFileSync(tps, 'utf8');
    const uri = vscode.Uri.file(tps);
    const doc = await TpsEditorDocument.open(uri, undefined);
    const destination = vscode.Uri.file(path.join(dir, 'backups', 'landmarks.tps.backup'));
    let restored: TpsEditorDocument | undefined;
    try {
      doc.makeEdit({ kind: 'move', specimen: 0, index: 1, from: null, to: { x: 123, y: 435 } });
      assert.ok(doc.isDirty);
      const edited = doc.getText();
      const backup = await doc.backup(destination);
      assert.strictEqual(backup.id, destination.toString());
      assert.strictEqual(fs.readFileSync(destination.fsPath, 'utf8'), edited, 'the backup holds the unsaved text');
      assert.strictEqual(fs.readFileSync(tps, 'utf8'), original, 'the backup did not write the file');
      assert.deepStrictEqual(fs.readdirSync(path.dirname(destination.fsPath)), ['landmarks.tps.backup'], 'no temporary file left');

      restored = await TpsEditorDocument.open(uri, backup.id);
      assert.strictEqual(restored.getText(), edited);
      assert.ok(restored.isDirty, 'a restored document is unsaved until saved or reverted');
      assert.deepStrictEqual(restored.tps.specimens[0].landmarks[1], { x: 123, y: 435 });
      await restored.revert();
      assert.ok(!restored.isDirty);
      assert.deepStrictEqual(restored.tps.specimens[0].landmarks[1], parseTps(original, tps).specimens[0].landmarks[1]);
      await backup.delete();
      assert.ok(!fs.existsSync(destination.fsPath), 'the backup is deleted when VS Code no longer needs it');
      await backup.delete(); // twice: already gone, no error

      // a backup that has gone missing is reported, not silently replaced by the file on disk
      await assert.rejects(TpsEditorDocument.open(uri, destination.toString()));
    } finally {
      doc.dispose();
      restored?.dispose();
    }
  });

  it('shows the landmarks of a specimen whose photo is missing on a blank canvas, and says so', async function () {
    requireData(this, 'drosophila-wings', 'landmarks.tps');
    const dir = await scratchDir('wings-missing');
    const [tps] = await copyData(dir, ['drosophila-wings/landmarks.tps']);
    const api = (await getApi()).editor;
    const { report } = await openInEditor(api, tps, (r) => r.specimen === 0);
    assert.strictEqual(report.imageLoaded, false);
    assert.strictEqual(report.drawn, 12);
    assert.match(report.problem ?? '', /Image not found: IMAGE=63001\.jpg/);
    await shoot('editor-missing-photo', { landmarks: 12, photo: false });
  });

  it('draws a mollusk shell and a fly wing with their landmarks (screenshots)', async function () {
    requireData(this, 'mollusk', 'landmarks.tps');
    requireData(this, 'drosophila-wings', 'landmarks.tps');
    const api = (await getApi()).editor;
    // Read-only: opened in place, nothing is edited.
    const mollusk = await openInEditor(api, path.join(requireData(this, 'mollusk'), 'landmarks.tps'), (r) => r.specimen === 0 && r.imageLoaded);
    assert.strictEqual(mollusk.report.drawn, 15);
    assert.strictEqual(mollusk.report.imageWidth, 2000);
    await shoot('editor-mollusk', { landmarks: 15, photo: true });
    // Another view asks for a specimen by image name (case and extension ignored).
    await vscode.commands.executeCommand('landmarks.editor.showSpecimen', mollusk.uri, 'MOLLUSK_12');
    const twelfth = await api.waitForRender(mollusk.uri, (r) => r.specimen === 3 && r.imageLoaded, 60_000);
    assert.strictEqual(twelfth.drawn, 15);
    assert.strictEqual(api.state(mollusk.uri)?.selected, 3);
    await closeAllEditors();
    const wing = await openInEditor(api, path.join(requireData(this, 'drosophila-wings'), 'landmarks.tps'), (r) => r.specimen === 0 && r.imageLoaded);
    assert.strictEqual(wing.report.drawn, 12);
    await shoot('editor-wing', { landmarks: 12, photo: true });
  });
});
