/** The editor's pure edit model (undo = apply(invert(edit))) and geometry, on a real TPS file. */
import * as assert from 'assert';
import * as fs from 'fs';
import { requireData } from '../helpers/data';
import { parseTps } from '../../src/shared/tps/parse';
import { writeTps } from '../../src/shared/tps/write';
import { applyEdit, describeEdit, EditError, invertEdit, prepareEdit, type LandmarkEdit } from '../../src/shared/editing/edits';
import { specimenName, specimenViews } from '../../src/shared/editing/views';
import { blankFrame, fitView, imageToScreen, photoFrame, roundCoord, screenToImage, toImage, toTps, zoomAt } from '../../src/webview/editor/geometry';
import type { TpsDocument } from '../../src/shared/tps/model';

function load(ctx: Mocha.Context): { doc: TpsDocument; text: string } {
  const file = requireData(ctx, 'beetles', 'pronotum', 'landmarks.tps');
  const text = fs.readFileSync(file, 'utf8');
  return { doc: parseTps(text, file), text };
}

describe('editor edit model', function () {
  const edits: LandmarkEdit[] = [
    { kind: 'move', specimen: 1, index: 3, from: null, to: { x: 12.5, y: 99 } },
    { kind: 'add', specimen: 0, index: 8, point: { x: 1, y: 2 } },
    { kind: 'delete', specimen: 2, index: 0, previous: null },
    { kind: 'setMissing', specimen: 3, index: 7, previous: null },
  ];

  for (const e of edits) {
    it(`${e.kind}: apply then undo gives back the same file text`, function () {
      const { doc } = load(this);
      const before = writeTps(doc);
      const p = prepareEdit(doc, e);
      applyEdit(doc, p);
      assert.notStrictEqual(writeTps(doc), before, 'the edit changed nothing');
      applyEdit(doc, invertEdit(p));
      assert.strictEqual(writeTps(doc), before);
      applyEdit(doc, p); // redo
      assert.notStrictEqual(writeTps(doc), before);
      assert.match(describeEdit(p), new RegExp(`specimen ${e.specimen + 1}`));
    });
  }

  it('fills "previous" values from the document, so a stale webview cannot corrupt undo', function () {
    const { doc } = load(this);
    const p = prepareEdit(doc, { kind: 'move', specimen: 0, index: 0, from: { x: -5, y: -5 }, to: { x: 1, y: 1 } });
    assert.deepStrictEqual(p.kind === 'move' && p.from, { x: 2129.25, y: 1734 });
  });

  it('marks a landmark missing, writes a missing code, reads back as missing', function () {
    const { doc } = load(this);
    applyEdit(doc, prepareEdit(doc, { kind: 'setMissing', specimen: 0, index: 4, previous: null }));
    const again = parseTps(writeTps(doc));
    assert.strictEqual(again.specimens[0].landmarks[4], null);
    assert.strictEqual(again.specimens[0].landmarks.length, 8);
    assert.deepStrictEqual(again.specimens[1].landmarks, doc.specimens[1].landmarks);
    // Undo of "missing" restores the exact point.
    const back = invertEdit(prepareEdit(parseTps(writeTps(load(this).doc)), { kind: 'setMissing', specimen: 0, index: 4, previous: null }));
    assert.deepStrictEqual(back.kind === 'move' && back.to, { x: 2231.25, y: 267.75 });
  });

  it('rejects edits naming a specimen or landmark that does not exist, or non-finite numbers', function () {
    const { doc } = load(this);
    assert.throws(() => prepareEdit(doc, { kind: 'move', specimen: 9, index: 0, from: null, to: { x: 1, y: 1 } }), /specimen 10 does not exist/);
    assert.throws(() => prepareEdit(doc, { kind: 'delete', specimen: 0, index: 8, previous: null }), /specimen 1, landmark 9: no such landmark/);
    assert.throws(() => prepareEdit(doc, { kind: 'move', specimen: 0, index: 0, from: null, to: { x: NaN, y: 1 } }), EditError);
  });

  it('keeps unreadable slots on their landmarks through edits, and shows them to the editor', function () {
    const doc = parseTps('LM=4\n1 2\n952 abc\n5 6\n7 8\nIMAGE=a.jpg\n');
    assert.deepStrictEqual(specimenViews(doc)[0].unreadable, [1]);
    assert.deepStrictEqual(specimenViews(doc)[0].landmarks, [{ x: 1, y: 2 }, null, { x: 5, y: 6 }, { x: 7, y: 8 }]);
    const add = prepareEdit(doc, { kind: 'add', specimen: 0, index: 0, point: { x: 0, y: 0 } });
    applyEdit(doc, add);
    assert.deepStrictEqual(doc.specimens[0].unreadable, [2], 'an add before it renumbers it');
    applyEdit(doc, invertEdit(add));
    assert.deepStrictEqual(doc.specimens[0].unreadable, [1]);
    applyEdit(doc, prepareEdit(doc, { kind: 'delete', specimen: 0, index: 3, previous: null }));
    assert.deepStrictEqual(doc.specimens[0].unreadable, [1], 'a delete after it leaves it');
    applyEdit(doc, prepareEdit(doc, { kind: 'move', specimen: 0, index: 1, from: null, to: { x: 3, y: 4 } }));
    assert.strictEqual(doc.specimens[0].unreadable, undefined, 'placed: readable now');
    assert.strictEqual(specimenViews(doc)[0].unreadable, undefined);
    assert.strictEqual(specimenViews(parseTps('LM=1\n1 2\n'))[0].unreadable, undefined, 'absent when every row reads');
  });

  it('names specimens from IMAGE=, else ID=, else their number', function () {
    const { doc } = load(this);
    assert.deepStrictEqual(specimenViews(doc).map((v) => v.name), ['Prono_001.JPG', 'Prono_003.JPG', 'Prono_007.JPG', 'Prono_009.JPG']);
    const s = parseTps('LM=1\n1 2\nID=7\n').specimens[0];
    assert.strictEqual(specimenName(s, 0), 'ID 7');
    assert.strictEqual(specimenName(parseTps('LM=1\n1 2\n').specimens[0], 4), 'Specimen 5');
    assert.strictEqual(specimenName(parseTps('LM=1\n1 2\nIMAGE=C:\\Users\\me\\img 3.jpg\n').specimens[0], 0), 'img 3.jpg');
  });
});

describe('editor geometry', function () {
  it('flips TPS y with the photo height and back', function () {
    const f = photoFrame(3264, 2448);
    assert.deepStrictEqual(toImage({ x: 2129.25, y: 1734 }, f), { x: 2129.25, y: 714 });
    assert.deepStrictEqual(toTps(toImage({ x: 5, y: 7 }, f), f), { x: 5, y: 7 });
  });

  it('fits a photo centred in the viewport and zooms about the cursor', function () {
    const f = photoFrame(3264, 2448);
    const v = fitView(f, 1000, 800, 0);
    assert.ok(Math.abs(v.scale - 1000 / 3264) < 1e-12);
    const centre = imageToScreen({ x: 1632, y: 1224 }, v);
    assert.ok(Math.abs(centre.x - 500) < 1e-9 && Math.abs(centre.y - 400) < 1e-9);
    const under = screenToImage({ x: 300, y: 200 }, v);
    const z = zoomAt(v, 4, 300, 200, v.scale);
    const after = imageToScreen(under, z);
    assert.ok(Math.abs(after.x - 300) < 1e-9 && Math.abs(after.y - 200) < 1e-9);
    assert.ok(zoomAt(v, 1e-6, 0, 0, v.scale).scale >= v.scale * 0.25, 'zoom out is clamped');
  });

  it('builds a blank canvas around the landmarks when the photo is missing, also for tiny Procrustes coordinates', function () {
    const f = blankFrame([{ x: 100, y: 50 }, null, { x: 300, y: 250 }]);
    for (const p of [{ x: 100, y: 50 }, { x: 300, y: 250 }]) {
      const i = toImage(p, f);
      assert.ok(i.x > f.x0 && i.x < f.x0 + f.width && i.y > f.y0 && i.y < f.y0 + f.height, JSON.stringify(i));
    }
    const tiny = blankFrame([{ x: -0.1, y: -0.05 }, { x: 0.12, y: 0.07 }]);
    assert.ok(tiny.width < 1 && tiny.width > 0.22);
    assert.strictEqual(roundCoord(0.1234567, tiny), 0.123457);
    assert.strictEqual(roundCoord(2129.256, photoFrame(3264, 2448)), 2129.26);
  });
});
