/**
 * A TPS file with a broken landmark row in a real VS Code (issue 10): the Landmark Editor opens
 * it without dirtying it, shows the broken landmark as unreadable in its place (the landmarks
 * after it keep their numbers), a save without edits leaves the file alone, and a save after one
 * move changes exactly that landmark's line, byte for byte.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { dataPath, requireData } from '../helpers/data';
import { parseTps } from '../../src/shared/tps/parse';
import { getField } from '../../src/shared/tps/model';
import { specimenViews } from '../../src/shared/editing/views';
import { resolveImagePath } from '../../src/shared/dataset/images';
import { closeAllEditors, copyData, getApi, scratchDir, sleep, waitFor } from './helpers';

function activeTab(): vscode.Tab | undefined {
  return vscode.window.tabGroups.activeTabGroup.activeTab;
}

/** The file's lines with their CRLF, so a changed line ending counts as a changed line. */
function crlfLines(bytes: Buffer): string[] {
  return bytes.toString('latin1').split(/(?<=\r\n)/);
}

describe('broken-file', function () {
  this.timeout(180_000);
  afterEach(async () => closeAllEditors());

  it('opens a file whose landmark 3 is "952 abc" clean, shows it unreadable in its place, and a save changes only the moved line', async function () {
    const rel = 'mollusk/landmarks.tps';
    requireData(this, rel);
    const original = parseTps(fs.readFileSync(dataPath(rel), 'utf8')).specimens[0];
    const photo = await resolveImagePath(dataPath(rel), getField(original, 'IMAGE') ?? '');
    assert.ok(photo, `the photo of specimen 1 (IMAGE=${getField(original, 'IMAGE')}) is in ../shared/data`);
    const dir = await scratchDir('broken-file');
    const [tps] = await copyData(dir, [rel, path.relative(dataPath(), photo)]);

    // Break landmark 3 of specimen 1, as in the report (the file is CRLF).
    const lines = crlfLines(fs.readFileSync(tps));
    assert.strictEqual(lines[0], 'LM=15\r\n');
    assert.strictEqual(lines[3], '1032 1682\r\n');
    lines[3] = '952 abc\r\n';
    const broken = Buffer.from(lines.join(''), 'latin1');
    fs.writeFileSync(tps, broken);
    const mtime = fs.statSync(tps).mtimeMs;

    const api = (await getApi()).editor;
    const uri = vscode.Uri.file(tps);
    await vscode.commands.executeCommand('vscode.openWith', uri, api.viewType);
    await waitFor('the Landmark Editor to be ready', () => api.state(uri)?.ready, { timeoutMs: 60_000 });
    const report = await api.waitForRender(uri, (r) => r.specimen === 0 && r.imageLoaded, 60_000);

    // Opening never dirties: not at once, not after the webview settled.
    await sleep(1500);
    assert.strictEqual(api.state(uri)?.dirty, false, 'the document is dirty after opening');
    assert.strictEqual(activeTab()?.isDirty, false, 'the tab is dirty after opening');
    assert.strictEqual(api.state(uri)?.text, broken.toString('utf8'), 'the document text is not the file');

    // The slot is unreadable, in its place; landmarks 4.. keep their numbers.
    const view = specimenViews(parseTps(api.state(uri)!.text))[0];
    assert.deepStrictEqual(view.unreadable, [2], 'the specimen view sent to the webview');
    assert.strictEqual(report.landmarks, 15);
    assert.deepStrictEqual(report.unreadable, [2], 'the webview reports landmark 3 unreadable');
    assert.strictEqual(report.drawn, 14);
    assert.strictEqual(report.positions[2], null);
    const h = report.imageHeight;
    for (let i = 0; i < 15; i++) {
      if (i === 2) continue;
      const p = original.landmarks[i]!;
      assert.deepStrictEqual(api.state(uri)!.landmarks[0][i], p, `landmark ${i + 1} in the document`);
      assert.deepStrictEqual(report.positions[i], { x: p.x, y: h - p.y }, `landmark ${i + 1} drawn where it is`);
    }

    // Ctrl+S without an edit (VS Code saves a custom document even when clean) leaves the file alone.
    await vscode.commands.executeCommand('workbench.action.files.save');
    await sleep(500);
    assert.deepStrictEqual(fs.readFileSync(tps), broken, 'a save without edits rewrote the file');
    assert.strictEqual(fs.statSync(tps).mtimeMs, mtime, 'a save without edits touched the file');

    // Move landmark 6 through the webview's drag path to image pixel (1000, 1000).
    const moved = await api.testAction({ kind: 'move', specimen: 0, landmark: 5, x: 1000, y: 1000 }, uri);
    assert.deepStrictEqual(moved.positions[5], { x: 1000, y: 1000 });
    await waitFor('the tab to be dirty after the move', () => activeTab()?.isDirty);
    await vscode.commands.executeCommand('workbench.action.files.save');
    await waitFor('the file on disk to change after save', () => !fs.readFileSync(tps).equals(broken));
    await waitFor('the tab to be clean after save', () => activeTab()?.isDirty === false);

    const saved = crlfLines(fs.readFileSync(tps));
    const before = crlfLines(broken);
    assert.strictEqual(saved.length, before.length, 'lines were added or removed');
    const changed = before.map((l, i) => (l === saved[i] ? -1 : i)).filter((i) => i >= 0);
    assert.deepStrictEqual(changed, [6], 'exactly the line of landmark 6 changed');
    assert.strictEqual(saved[6], `1000 ${h - 1000}\r\n`, 'written in the file\'s integer style with its CRLF');
    assert.strictEqual(saved[3], '952 abc\r\n', 'the unreadable line is kept as written');
    assert.deepStrictEqual(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'a temporary file was left behind');
  });
});
