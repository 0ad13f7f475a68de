/**
 * What clicks and keys do in the Landmark Editor inside a real VS Code: a missing landmark is
 * placed only in placing mode and only on the photo, adding beyond the file's common landmark
 * count asks first, and the "Image not found" notice stays off the drawing area (screenshot).
 * Clicks go through the webview's own click handler (test action `click`, image pixels); each
 * action's reply is the report drawn once it settled.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { requireData } from '../helpers/data';
import type { ScreenBox } from '../../src/shared/protocol/editor-test';
import { closeAllEditors, copyData, getApi, scratchDir, screenshot, screenshotsAvailable, sleep, openInEditor } from './helpers';
import { assertLandmarksDrawn } from './helpers/pixels';



function intersects(a: ScreenBox, b: ScreenBox): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

describe('editor input', function () {
  this.timeout(180_000);
  afterEach(async () => closeAllEditors());

  it('places a missing landmark only in placing mode and only on the photo; a plain click or one outside the photo does not edit', async function () {
    requireData(this, 'drosophila-wings', 'landmarks.tps');
    const dir = await scratchDir('input-place');
    const [tps] = await copyData(dir, ['drosophila-wings/landmarks.tps', 'drosophila-wings/images/63001.jpg']);
    const api = (await getApi()).editor;
    const { uri } = await openInEditor(api, tps, (r) => r.specimen === 0 && r.imageLoaded);
    await vscode.commands.executeCommand('landmarks.editor.showSpecimen', uri, 0, 0);
    // Asked after the command's select message, so the reply has that selection in it.
    const shown = await api.report(uri);
    assert.deepStrictEqual([shown.specimen, shown.selectedLandmark], [0, 0]);
    // Each test action replies with the report drawn once it settled (its edit applied, if any).
    const marked = await api.testAction({ kind: 'key', key: 'm' }, uri);
    assert.strictEqual(api.state(uri)!.landmarks[0][0], null, 'M did not mark landmark 1 missing');
    assert.deepStrictEqual([marked.missing, marked.selectedLandmark], [1, 0]);

    // A plain click on the photo (the reported bug: it placed the landmark) only says how.
    const told = await api.testAction({ kind: 'click', x: 300, y: 200 }, uri);
    assert.match(told.status, /Not placed: press P/);
    assert.strictEqual(told.placing, null);
    assert.strictEqual(api.state(uri)!.landmarks[0][0], null, 'a plain click placed the missing landmark');

    // P: placing mode, announced in the status line.
    const placing = await api.testAction({ kind: 'key', key: 'p' }, uri);
    assert.strictEqual(placing.placing, 0);
    assert.match(placing.status, /Placing landmark 1/);
    // A click outside the photo (the y = -57.5 of the report) is ignored, with a message.
    const outside = await api.testAction({ kind: 'click', x: 300, y: -57.5 }, uri);
    assert.match(outside.status, /Outside the photo/);
    assert.strictEqual(outside.placing, 0, 'placing mode ended on a click outside the photo');
    assert.strictEqual(api.state(uri)!.landmarks[0][0], null, 'a click outside the photo placed the landmark');

    // A click on the photo places it there: image (300, 200) = TPS (300, 480 - 200).
    const placed = await api.testAction({ kind: 'click', x: 300, y: 200 }, uri);
    assert.deepStrictEqual(api.state(uri)!.landmarks[0][0], { x: 300, y: 280 });
    assert.strictEqual(placed.missing, 0);
    assert.strictEqual(placed.placing, null);
    assert.deepStrictEqual(placed.positions[0], { x: 300, y: 200 });
  });

  it("asks before adding a 13th landmark when every specimen has 12, and adds it only on yes", async function () {
    requireData(this, 'drosophila-wings', 'landmarks.tps');
    const dir = await scratchDir('input-add');
    const [tps] = await copyData(dir, ['drosophila-wings/landmarks.tps', 'drosophila-wings/images/63001.jpg']);
    const original = fs.readFileSync(tps, 'utf8');
    const api = (await getApi()).editor;
    const { uri, report } = await openInEditor(api, tps, (r) => r.specimen === 0 && r.imageLoaded);
    assert.strictEqual(report.landmarks, 12);
    assert.ok(api.state(uri)!.landmarks.every((l) => l.length === 12), 'the file does not have 12 landmarks everywhere');

    // An add (what a click in add mode asks for): a question, no edit.
    const asking = await api.testAction({ kind: 'add', specimen: 0, x: 300, y: 240 }, uri);
    assert.match(asking.confirm ?? '', /13 landmarks/);
    assert.match(asking.confirm!, /have 12/);
    assert.match(asking.status, /Enter: add landmark 13/);
    assert.strictEqual(api.state(uri)!.landmarks[0].length, 12, 'the 13th landmark was added without asking');
    assert.strictEqual(api.state(uri)!.dirty, false);

    // Escape: not added.
    const declined = await api.testAction({ kind: 'key', key: 'Escape' }, uri);
    assert.ok(!declined.confirm, 'the question is still shown after Escape');
    assert.match(declined.status, /Not added/);
    assert.strictEqual(api.state(uri)!.landmarks[0].length, 12);

    // Add mode and a click on the photo: asked again; Enter: landmark 13 is added where
    // clicked, and the status line warns.
    assert.strictEqual((await api.testAction({ kind: 'key', key: 'a' }, uri)).adding, true, 'A did not enter add mode');
    assert.ok((await api.testAction({ kind: 'click', x: 300, y: 240 }, uri)).confirm, 'a click in add mode did not ask');
    const added = await api.testAction({ kind: 'key', key: 'Enter' }, uri);
    assert.strictEqual(api.state(uri)!.landmarks[0].length, 13);
    assert.deepStrictEqual(api.state(uri)!.landmarks[0][12], { x: 300, y: 240 });
    assert.strictEqual(added.landmarks, 13);
    assert.match(added.status, /the other specimens have 12/);
    assert.strictEqual(fs.readFileSync(tps, 'utf8'), original, 'nothing is written before a save');
  });

  it("keeps the 'Image not found' notice above the drawing area, off a landmark near the top (screenshot)", async function () {
    requireData(this, 'drosophila-wings', 'landmarks.tps');
    const dir = await scratchDir('input-notice');
    const [tps] = await copyData(dir, ['drosophila-wings/landmarks.tps']); // no photos: every specimen drawn on a blank canvas
    // The first wing with x and y swapped: a tall canvas, fitted to the viewport's height, so its
    // top landmark is a few pixels under the top of the drawing area.
    const text = fs.readFileSync(tps, 'utf8');
    const first = /^LM=12\r?\n((?:.*\r?\n){12})IMAGE=63001\.jpg/m.exec(text);
    assert.ok(first, 'the first wing specimen is not where expected');
    const swapped = first[1].trim().split(/\r?\n/).map((l) => l.trim().split(/\s+/).reverse().join(' ')).join('\n');
    fs.writeFileSync(tps, text.replace(first[0], `LM=12\n${swapped}\nIMAGE=63001.jpg`));
    const api = (await getApi()).editor;
    const { report } = await openInEditor(api, tps, (r) => r.specimen === 0 && !!r.problem && r.drawn === 12);
    if (screenshotsAvailable()) {
      await sleep(500); // let the webview paint the last frame
      const png = await screenshot('editor-input-missing-photo-notice');
      // no photo: the 12 landmarks alone on the blank canvas, under the notice
      await assertLandmarksDrawn(png, { landmarks: 12, photo: false });
    }
    assert.match(report.problem ?? '', /Image not found: IMAGE=63001\.jpg/);
    assert.ok(report.layout, 'the render report has no layout');
    const { viewport, notice, markers } = report.layout;
    assert.ok(notice, 'no notice is shown for the missing photo');
    assert.ok(notice.y + notice.height <= viewport.y + 0.5, `the notice ${JSON.stringify(notice)} overlays the drawing area ${JSON.stringify(viewport)}`);
    const top = report.positions.reduce((best, p, i) => (p && p.y < report.positions[best]!.y ? i : best), 0);
    const marker = markers[top];
    assert.ok(marker, `landmark ${top + 1} has no marker`);
    assert.ok(marker.y >= viewport.y && marker.y + marker.height <= viewport.y + viewport.height, `landmark ${top + 1} ${JSON.stringify(marker)} is outside the viewport ${JSON.stringify(viewport)}`);
    markers.forEach((m, i) => assert.ok(m && !intersects(m, notice), `landmark ${i + 1} ${JSON.stringify(m)} is under the notice ${JSON.stringify(notice)}`));
    console.log(`      top landmark ${top + 1} ${Math.round(marker.y - viewport.y)} px below the drawing area's top; notice ${Math.round(notice.height)} px high above it`);
  });
});
