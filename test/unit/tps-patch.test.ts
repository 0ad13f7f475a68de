/**
 * Saving an edited TPS file rewrites only what was edited (src/shared/editing/patch.ts through
 * the editor's text model, src/shared/editing/text-model.ts): examples on real files, each
 * compared byte for byte and line by line.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import { requireData } from '../helpers/data';
import { TpsTextModel } from '../../src/shared/editing/text-model';
import { specimenViews, problemLines } from '../../src/shared/editing/views';
import { parseTps } from '../../src/shared/tps/parse';
import { getField } from '../../src/shared/tps/model';
import { splitSource, joinSource } from '../../src/shared/tps/source';
import { detectNumberStyle, formatCoordinate } from '../../src/shared/tps/style';
import { decodeTpsBytes, encodeTpsText } from '../../src/shared/tps/encoding';
import type { LandmarkEdit } from '../../src/shared/editing/edits';

function readReal(ctx: Mocha.Context, ...parts: string[]): string {
  return fs.readFileSync(requireData(ctx, ...parts), 'utf8');
}

/** Lines with their breaks, so a changed line ending counts as a changed line. */
function linesOf(text: string): string[] {
  return splitSource(text).lines.map((l) => l.text + l.eol);
}

/** 0-based indices of lines that differ, for texts with the same number of lines. */
function changedLines(before: string, after: string): number[] {
  const a = linesOf(before);
  const b = linesOf(after);
  assert.strictEqual(b.length, a.length, 'the number of lines changed');
  return a.map((l, i) => (l === b[i] ? -1 : i)).filter((i) => i >= 0);
}

function apply(model: TpsTextModel, edit: LandmarkEdit, precision: 'file' | 'subpixel' = 'file'): LandmarkEdit {
  const written = model.apply(edit, { precision });
  assert.ok(written, `the edit changed nothing: ${JSON.stringify(edit)}`);
  return written;
}

/** The mollusk file (CRLF, integers) with landmark 3 of specimen 1 broken as in the bug report. */
function brokenMollusk(ctx: Mocha.Context): { original: string; broken: string } {
  const original = readReal(ctx, 'mollusk', 'landmarks.tps');
  const lines = original.split('\r\n');
  assert.strictEqual(lines[0], 'LM=15');
  lines[3] = '952 abc';
  return { original, broken: lines.join('\r\n') };
}

describe('saving edits by patching lines', function () {
  it('the reported bug: a broken landmark 3 keeps its place, landmarks 4-15 their numbers, a save its bytes', function () {
    const { original, broken } = brokenMollusk(this);
    const truth = parseTps(original).specimens[0].landmarks;
    const model = new TpsTextModel(broken, 'landmarks.tps');
    assert.strictEqual(model.text, broken, 'opening changes nothing');
    const view = specimenViews(model.doc)[0];
    assert.deepStrictEqual(view.unreadable, [2]);
    assert.strictEqual(view.landmarks.length, 15);
    assert.strictEqual(view.landmarks[2], null);
    for (let i = 3; i < 15; i++) assert.deepStrictEqual(view.landmarks[i], truth[i], `landmark ${i + 1}`);
    assert.ok(problemLines(model.doc).some((p) => /^line 4 \(specimen 1\): landmark 3: "952 abc"/.test(p)), problemLines(model.doc).join('\n'));

    // Move landmark 5: that line only, in the file's integer style; the bad line stays as written.
    const moved = apply(model, { kind: 'move', specimen: 0, index: 4, from: null, to: { x: 1200.37, y: 1170.62 } });
    assert.deepStrictEqual(moved.kind === 'move' && moved.to, { x: 1200, y: 1171 });
    assert.deepStrictEqual(changedLines(broken, model.text), [5]);
    assert.strictEqual(linesOf(model.text)[5], '1200 1171\r\n');
    assert.deepStrictEqual(model.doc.specimens[0].landmarks[4], { x: 1200, y: 1171 });
    assert.deepStrictEqual(model.doc.specimens[0].unreadable, [2]);

    // Placing the unreadable landmark writes a row over the bad line, nothing else.
    const placed = apply(model, { kind: 'move', specimen: 0, index: 2, from: null, to: { x: 1032, y: 1682 } });
    assert.deepStrictEqual(changedLines(broken, model.text), [3, 5]);
    assert.strictEqual(linesOf(model.text)[3], '1032 1682\r\n');
    assert.strictEqual(model.doc.specimens[0].unreadable, undefined);

    model.undo(placed);
    model.undo(moved);
    assert.strictEqual(model.text, broken, 'undo gives back the original bytes');
    model.redo(moved);
    model.redo(placed);
    assert.deepStrictEqual(changedLines(broken, model.text), [3, 5]);
  });

  it('writes a moved landmark in the file\'s number style, or sub-pixel when asked', function () {
    const cases: Array<[string[], string, string]> = [
      [['tps-corpus', 'ambystoma_compiled.TPS'], '100.37000 200.00000', '100.37000 200.00000'],
      [['drosophila-wings', 'landmarks.tps'], '100. 200.', '100.37 200.'],
      [['mollusk', 'landmarks.tps'], '100 200', '100.37 200'],
      [['beetles', 'pronotum', 'landmarks.tps'], '100.37 200.00', '100.37 200.00'],
      [['tps-corpus', 'traitfest_mlmorph_test_CRCRLF.tps'], '100.4 200.0', '100.37 200.0'],
      [['tps-corpus', 'qpal_geomorph_digitize2d_test.tps'], '100.37 200', '100.37 200'],
    ];
    for (const [parts, fileStyle, subpixel] of cases) {
      const text = readReal(this, ...parts);
      for (const [precision, want] of [['file', fileStyle], ['subpixel', subpixel]] as const) {
        const model = new TpsTextModel(text);
        apply(model, { kind: 'move', specimen: 0, index: 1, from: null, to: { x: 100.37, y: 200 } }, precision);
        const i = model.parsed.source[0].rows[1] - 1;
        assert.deepStrictEqual(changedLines(text, model.text), [i], parts.join('/'));
        assert.strictEqual(splitSource(model.text).lines[i].text, want, `${parts.join('/')} (${precision})`);
        assert.strictEqual(splitSource(model.text).lines[i].eol, splitSource(text).lines[i].eol, 'the line keeps its break');
      }
    }
  });

  it('keeps the other columns and tabs of a row it moves, and unknown lines after the landmarks', function () {
    const text = readReal(this, 'tps-corpus', 'beetle_maelab_Md_028_GHT_auto.TPS');
    const model = new TpsTextModel(text);
    apply(model, { kind: 'move', specimen: 0, index: 0, from: null, to: { x: 1750, y: 1980 } });
    assert.deepStrictEqual(changedLines(text, model.text), [1]);
    assert.strictEqual(splitSource(model.text).lines[1].text, '1750 1980\t12.3693');
    assert.deepStrictEqual(model.doc.specimens[0].extraLines, parseTps(text).specimens[0].extraLines);
  });

  it('marks a landmark missing with the file\'s own code, NA where -1 -1 would be a coordinate', function () {
    const geo = readReal(this, 'tps-corpus', 'geomorph_issue26_negative_missing_example.tps');
    const g = new TpsTextModel(geo);
    apply(g, { kind: 'setMissing', specimen: 0, index: 0, previous: null });
    assert.deepStrictEqual(changedLines(geo, g.text), [1]);
    assert.strictEqual(splitSource(g.text).lines[1].text, '-1.00000 -1.00000');
    assert.strictEqual(g.doc.specimens[0].landmarks[0], null);

    const wings = readReal(this, 'drosophila-wings', 'landmarks.tps');
    const w = new TpsTextModel(wings);
    apply(w, { kind: 'setMissing', specimen: 0, index: 0, previous: null });
    assert.strictEqual(splitSource(w.text).lines[1].text, '-1. -1.', 'tpsDig code in the file\'s 290. style');
    assert.strictEqual(w.doc.specimens[0].landmarks[0], null);

    const tri = readReal(this, 'tps-corpus', 'ktch_landmarks_triangle.tps');
    const t = new TpsTextModel(tri);
    apply(t, { kind: 'setMissing', specimen: 3, index: 2, previous: null });
    const i = t.parsed.source[3].rows[2] - 1;
    assert.deepStrictEqual(changedLines(tri, t.text), [i]);
    assert.strictEqual(splitSource(t.text).lines[i].text, 'NA NA', 'Procrustes data: -1 -1 is a coordinate');
    assert.strictEqual(t.doc.specimens[3].landmarks[2], null);
  });

  it('adds and deletes one row and rewrites the LM= count, keeping every other landmark', function () {
    const text = readReal(this, 'tps-corpus', 'borealis_create_tps_with_comments.tps');
    const before = parseTps(text).specimens;
    const model = new TpsTextModel(text);
    const added = apply(model, { kind: 'add', specimen: 1, index: 1, point: { x: 310, y: 495 } });
    const a = linesOf(text);
    const b = linesOf(model.text);
    assert.strictEqual(b.length, a.length + 1);
    const lm = model.parsed.source[1].lmLine - 1;
    assert.strictEqual(b[lm], 'LM=4\n');
    assert.strictEqual(b[lm + 2], '310 495\n');
    assert.deepStrictEqual([...b.slice(0, lm), ...b.slice(lm + 1, lm + 2), ...b.slice(lm + 3)], [...a.slice(0, lm), ...a.slice(lm + 1)]);
    assert.deepStrictEqual(model.doc.specimens[1].landmarks, [before[1].landmarks[0], { x: 310, y: 495 }, ...before[1].landmarks.slice(1)]);
    assert.deepStrictEqual(model.doc.specimens[0], before[0]);

    const deleted = apply(model, { kind: 'delete', specimen: 0, index: 0, previous: null });
    assert.deepStrictEqual(model.doc.specimens[0].landmarks, before[0].landmarks.slice(1));
    assert.strictEqual(linesOf(model.text)[model.parsed.source[0].lmLine - 1], 'LM=2\n');
    model.undo(deleted);
    model.undo(added);
    assert.strictEqual(model.text, text);
  });

  it('keeps the LM = 18 spacing, a missing final newline and a file glued to the next LM=', function () {
    const one = readReal(this, 'tps-corpus', 'beetle_cnn_p_001.TPS');
    assert.ok(!/\n$/.test(one));
    const glued = one + one.replace('Prono_001', 'Prono_002'); // ...128 134\nIMAGE=Prono_001LM=8\n167 136...
    const model = new TpsTextModel(glued);
    assert.strictEqual(model.doc.specimens.length, 2);
    // The last row of specimen 2 is the file's last line, without a newline.
    const moved = apply(model, { kind: 'move', specimen: 1, index: 7, from: null, to: { x: 130, y: 135 } });
    assert.ok(model.text.endsWith('130 135\nIMAGE=Prono_002'), model.text.slice(-40));
    // Adding to specimen 1 rewrites its LM= and leaves the glued IMAGE=...LM=8 line of specimen 2's start alone.
    const added = apply(model, { kind: 'add', specimen: 1, index: 8, point: { x: 1, y: 2 } });
    assert.ok(model.text.endsWith('130 135\n1 2\nIMAGE=Prono_002'));
    assert.ok(model.text.includes('IMAGE=Prono_001LM=9\n'), 'the count of specimen 2 is on the glued line');
    assert.strictEqual(model.doc.specimens[1].landmarks.length, 9);
    assert.strictEqual(getField(model.doc.specimens[0], 'IMAGE'), 'Prono_001');
    const deleted = apply(model, { kind: 'delete', specimen: 0, index: 0, previous: null });
    assert.ok(model.text.startsWith('LM=7\n200 138\n'));
    model.undo(deleted);
    model.undo(added);
    model.undo(moved);
    assert.strictEqual(model.text, glued);

    const tail = new TpsTextModel('LM = 2\n1 2\n3 4');
    apply(tail, { kind: 'delete', specimen: 0, index: 1, previous: null });
    assert.strictEqual(tail.text, 'LM = 1\n1 2', 'no final newline stays so');
    apply(tail, { kind: 'add', specimen: 0, index: 1, point: { x: 5, y: 6 } });
    assert.strictEqual(tail.text, 'LM = 2\n1 2\n5 6');
  });

  it('gives rows that a short specimen lacks (LM= says more) only where a landmark is placed', function () {
    const text = 'LM=4\r\n10 20\r\n30 40\r\nIMAGE=a.jpg\r\n';
    const model = new TpsTextModel(text);
    assert.deepStrictEqual(model.doc.specimens[0].landmarks, [{ x: 10, y: 20 }, { x: 30, y: 40 }, null, null]);
    assert.strictEqual(model.apply({ kind: 'setMissing', specimen: 0, index: 3, previous: null }), undefined, 'missing already: nothing to write');
    apply(model, { kind: 'move', specimen: 0, index: 3, from: null, to: { x: 50, y: 60 } });
    assert.strictEqual(model.text, 'LM=4\r\n10 20\r\n30 40\r\n-1 -1\r\n50 60\r\nIMAGE=a.jpg\r\n');
    assert.deepStrictEqual(model.doc.specimens[0].landmarks, [{ x: 10, y: 20 }, { x: 30, y: 40 }, null, { x: 50, y: 60 }]);
  });

  it('rewrites only the COMMENT= line\'s doubt list when a predicted landmark is corrected', function () {
    const text = 'LM=2\r\n100.5 200.25\r\n300.75 400\r\nIMAGE=a.jpg\r\nCOMMENT=predicted by m1; confidence 0.700; doubt px 12.1 30  \r\n';
    const model = new TpsTextModel(text);
    const e = apply(model, { kind: 'move', specimen: 0, index: 1, from: null, to: { x: 301, y: 401 } });
    assert.ok(e.comment, 'the edit carries the comment change');
    assert.deepStrictEqual(changedLines(text, model.text), [2, 4]);
    assert.strictEqual(splitSource(model.text).lines[4].text, 'COMMENT=predicted by m1; confidence 0.700; doubt px 12.1 -30  ');
    model.undo(e);
    assert.strictEqual(model.text, text);
  });

  it('keeps mixed line endings, a BOM and the bytes of a file that is not UTF-8', function () {
    const text = '\uFEFFLM=2\n1 2\r\n3 4\rIMAGE=a.jpg\r\r\nLM=1\n5 6';
    const model = new TpsTextModel(text);
    assert.strictEqual(joinSource(splitSource(text)), text);
    apply(model, { kind: 'add', specimen: 0, index: 1, point: { x: 7, y: 8 } });
    assert.strictEqual(model.text, '\uFEFFLM=3\n1 2\r\n7 8\r3 4\rIMAGE=a.jpg\r\r\nLM=1\n5 6', 'a new row takes the break of the row it goes before');
    apply(model, { kind: 'add', specimen: 1, index: 1, point: { x: 9, y: 10 } });
    assert.ok(model.text.endsWith('LM=2\n5 6\n9 10'), JSON.stringify(model.text.slice(-20)));

    const latin1 = Uint8Array.from([...Buffer.from('LM=1\n1 2\nCOMMENT=caf'), 0xe9, 0x0a]);
    const decoded = decodeTpsBytes(latin1);
    assert.strictEqual(decoded.encoding, 'latin1');
    assert.deepStrictEqual(Buffer.from(encodeTpsText(decoded.text, decoded.encoding)), Buffer.from(latin1));
    const bom = Uint8Array.from([0xef, 0xbb, 0xbf, ...Buffer.from('LM=1\n1 2\n')]);
    const d2 = decodeTpsBytes(bom);
    assert.strictEqual(d2.encoding, 'utf-8');
    assert.deepStrictEqual(Buffer.from(encodeTpsText(d2.text, d2.encoding)), Buffer.from(bom), 'the BOM survives');
  });

  it('reports no change for a landmark dropped where it was, and undoes by meaning after a revert', function () {
    const text = readReal(this, 'drosophila-wings', 'landmarks.tps');
    const model = new TpsTextModel(text);
    assert.strictEqual(model.apply({ kind: 'move', specimen: 0, index: 0, from: null, to: { x: 290.3, y: 107.8 } }), undefined, 'rounds to 290. 108.: the same bytes');
    const e = apply(model, { kind: 'move', specimen: 0, index: 0, from: null, to: { x: 10, y: 10 } });
    model.reset(text.replace(/^LM=12\n290\. 108\./, 'LM=12\n10. 10.'));
    model.undo(e);
    assert.deepStrictEqual(model.doc.specimens[0].landmarks[0], { x: 290, y: 108 }, 'the landmark is back where it was');
    assert.ok(model.text.startsWith('LM=12\n290. 108.\n'));
  });

  it('detects number styles', function () {
    assert.deepStrictEqual(detectNumberStyle(['1886.00000', '2.50000']), { kind: 'fixed', decimals: 5, trailingDot: false });
    assert.deepStrictEqual(detectNumberStyle(['290.', '108.']), { kind: 'fixed', decimals: 0, trailingDot: true });
    assert.deepStrictEqual(detectNumberStyle(['290', '-108']), { kind: 'fixed', decimals: 0, trailingDot: false });
    assert.deepStrictEqual(detectNumberStyle(['115.309633027523', '253.23747353564', '1.5']), { kind: 'free' });
    assert.deepStrictEqual(detectNumberStyle(['3.13E-001', '4.2e+2']), { kind: 'free' });
    assert.strictEqual(formatCoordinate(-0.001, { kind: 'fixed', decimals: 2, trailingDot: false }), '0.00');
    assert.strictEqual(formatCoordinate(12.5, { kind: 'fixed', decimals: 0, trailingDot: true }), '13.');
    assert.throws(() => formatCoordinate(Infinity, { kind: 'free' }), RangeError);
  });
});
