/**
 * What to check first in a predicted TPS file: the confidence and per-landmark doubt the engine
 * writes into each specimen's COMMENT=, read back by the editor, ranked, and marked checked by
 * hand edits (with undo). The end-to-end part (test/engine/tps-review-train.test.ts) trains the
 * `default` preset on 12 real fly wings, predicts the other 34 into a TPS file and checks that the
 * flagged landmarks are the worse ones.
 */
import * as assert from 'assert';
import { applyEdit, invertEdit, prepareEdit } from '../../src/shared/editing/edits';
import { specimenViews } from '../../src/shared/editing/views';
import { parseTps } from '../../src/shared/tps/parse';
import { commentAfterEdit, expectedMmOf, formatPredictionComment, parsePredictionNotes, reviewFlags } from '../../src/shared/tps/review';
import { writeTps } from '../../src/shared/tps/write';

const BASE = 'predicted by wings-model (preset default, 3 landmarks)';

describe('prediction notes in COMMENT= (what to check first)', function () {
  it('writes confidence and per-landmark doubt after the comment and reads them back', function () {
    const c = formatPredictionComment(BASE, { confidence: 0.73456, doubtPx: [12.06, 4.99, 80.25] });
    assert.strictEqual(c, `${BASE}; confidence 0.735; doubt px 12.1 5 80.3`);
    assert.deepStrictEqual(parsePredictionNotes(c), { confidence: 0.735, doubtPx: [12.1, 5, 80.3] });
    assert.deepStrictEqual(parsePredictionNotes(`${BASE}; confidence 0.5`), { confidence: 0.5 });
    assert.deepStrictEqual(parsePredictionNotes('collected 2019; doubt of the curator'), {}, 'free text is not a doubt list');
    assert.deepStrictEqual(parsePredictionNotes(undefined), {});
    assert.deepStrictEqual(parsePredictionNotes('doubt px 1 x 3'), {}, 'a damaged list is ignored, not half read');
  });

  it('writes the expected error in px (and mm with SCALE) between confidence and the doubt bounds, and reads it back', function () {
    const c = formatPredictionComment(BASE, { confidence: 0.73456, expectedPx: 8.24, expectedMm: expectedMmOf(8.24, 0.05), doubtPx: [12.06, 4.99, 80.25] });
    assert.strictEqual(c, `${BASE}; confidence 0.735; expected px 8.2; expected mm 0.412; doubt px 12.1 5 80.3`);
    assert.deepStrictEqual(parsePredictionNotes(c), { confidence: 0.735, expectedPx: 8.2, expectedMm: 0.412, doubtPx: [12.1, 5, 80.3] });
    assert.strictEqual(expectedMmOf(8.24, undefined), undefined, 'no SCALE: no mm');
    assert.strictEqual(expectedMmOf(8.24, 0), undefined);
    assert.strictEqual(formatPredictionComment(BASE, { expectedPx: 2 }), `${BASE}; expected px 2`);
    // an edit leaves the expected error as it was and still marks the landmark checked
    assert.strictEqual(commentAfterEdit(c, 'move', 1), `${BASE}; confidence 0.735; expected px 8.2; expected mm 0.412; doubt px 12.1 -5 80.3`);
    assert.deepStrictEqual(parsePredictionNotes('collected 2019; expected px soon'), {}, 'free text is not an expected error');
  });

  it('an edit marks its landmark checked (negative), delete drops it, add inserts a checked 0; other text is kept', function () {
    const c = `${BASE}; confidence 0.735; doubt px 12.1 5 80.3; note by hand`;
    assert.strictEqual(commentAfterEdit(c, 'move', 2), `${BASE}; confidence 0.735; doubt px 12.1 5 -80.3; note by hand`);
    assert.strictEqual(commentAfterEdit(c, 'setMissing', 0), `${BASE}; confidence 0.735; doubt px -12.1 5 80.3; note by hand`);
    assert.strictEqual(commentAfterEdit(c, 'delete', 1), `${BASE}; confidence 0.735; doubt px 12.1 80.3; note by hand`);
    assert.strictEqual(commentAfterEdit(c, 'add', 3), `${BASE}; confidence 0.735; doubt px 12.1 5 80.3 -0; note by hand`);
    assert.deepStrictEqual(parsePredictionNotes(commentAfterEdit(c, 'add', 0)).doubtPx?.map((v) => Object.is(v, -0)), [true, false, false, false]);
    assert.strictEqual(commentAfterEdit(commentAfterEdit(c, 'move', 2), 'move', 2), undefined, 'checked twice: nothing changes');
    assert.strictEqual(commentAfterEdit('a manual file', 'move', 0), undefined);
    assert.strictEqual(commentAfterEdit(c, 'move', 7), undefined, 'a landmark beyond the list');
  });

  it('flags the least confident 10% of specimens and the most doubtful 10% of landmarks; checked ones stay counted but unflagged', function () {
    const notes = Array.from({ length: 20 }, (_, i) => ({ confidence: 1 - i / 40, doubtPx: [i, 100 - i, 50] }));
    const f = reviewFlags(notes);
    assert.deepStrictEqual(f.specimens, [19, 18], 'the two least confident of 20, least confident first');
    // 60 values, top 6 by doubt: 100, 99, 98, 97, 96, 95 (landmark 2 of specimens 0-5)
    assert.deepStrictEqual([...f.landmarks.entries()], [0, 1, 2, 3, 4, 5].map((i) => [i, [1]]));
    notes[0].doubtPx[1] = -100; // corrected by hand
    const g = reviewFlags(notes);
    assert.ok(!g.landmarks.has(0), 'checked: no longer flagged');
    assert.strictEqual([...g.landmarks.keys()].length, 5, 'and the next one does not move up in its place');
    assert.deepStrictEqual(reviewFlags([{}, {}]), { specimens: [], landmarks: new Map() }, 'a manual file flags nothing');
  });

  it('moving a flagged landmark in the editor marks it checked in the file; undo gives back the same text', function () {
    const text = [
      'LM=3',
      '10 20',
      '30 40',
      '50 60',
      'IMAGE=a.jpg',
      'ID=0',
      `COMMENT=${BASE}; confidence 0.412; doubt px 3 4 90.5`,
      '',
    ].join('\n');
    const doc = parseTps(text, 'predicted.tps');
    const before = writeTps(doc);
    const edit = prepareEdit(doc, { kind: 'move', specimen: 0, index: 2, from: null, to: { x: 55, y: 61 } });
    assert.deepStrictEqual(edit.comment, { from: `${BASE}; confidence 0.412; doubt px 3 4 90.5`, to: `${BASE}; confidence 0.412; doubt px 3 4 -90.5` });
    applyEdit(doc, edit);
    assert.deepStrictEqual(specimenViews(doc)[0].doubtPx, [3, 4, -90.5]);
    assert.match(writeTps(doc), /COMMENT=.*doubt px 3 4 -90\.5/);
    applyEdit(doc, invertEdit(edit));
    assert.strictEqual(writeTps(doc), before);
    // a webview cannot smuggle a comment change in: prepareEdit works it out from the document
    const forged = prepareEdit(doc, { kind: 'move', specimen: 0, index: 0, from: null, to: { x: 1, y: 1 }, comment: { from: 'x', to: 'COMMENT erased' } });
    assert.deepStrictEqual(forged.comment?.to, `${BASE}; confidence 0.412; doubt px -3 4 90.5`);
    // a manual file's COMMENT is never touched
    const manual = parseTps('LM=1\n1 2\nIMAGE=b.jpg\nCOMMENT=digitised by hand\n', 'manual.tps');
    assert.strictEqual(prepareEdit(manual, { kind: 'move', specimen: 0, index: 0, from: null, to: { x: 3, y: 3 } }).comment, undefined);
  });
});
