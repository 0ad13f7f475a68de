import * as assert from 'assert';
import { parseTps } from '../../src/shared/tps/parse';
import { getField, type TpsDocument, type TpsLandmark } from '../../src/shared/tps/model';

const pts = (doc: TpsDocument, i = 0): TpsLandmark[] => doc.specimens[i].landmarks;
const errors = (doc: TpsDocument) => doc.diagnostics.filter((d) => d.severity === 'error');
const warnings = (doc: TpsDocument) => doc.diagnostics.filter((d) => d.severity === 'warning');

describe('parseTps: pitfalls', () => {
  it('reads LF, CRLF, CR and CR CR LF alike, with the right line numbers', () => {
    const body = ['LM=2', '1 2', '3 4', 'IMAGE=a.jpg', 'LM=2', '5 6', '7 8', 'IMAGE=b.jpg'];
    for (const eol of ['\n', '\r\n', '\r', '\r\r\n']) {
      const doc = parseTps(body.join(eol) + eol);
      assert.strictEqual(doc.specimens.length, 2, JSON.stringify(eol));
      assert.deepStrictEqual(pts(doc, 1), [{ x: 5, y: 6 }, { x: 7, y: 8 }]);
      assert.strictEqual(doc.specimens[1].line, 5, 'CR CR LF must not double lines');
      assert.strictEqual(doc.specimens[1].fields[0].line, 8);
      assert.deepStrictEqual(doc.diagnostics, []);
      assert.strictEqual(doc.finalNewline, true);
    }
    assert.strictEqual(parseTps('LM=1\r\r\n1 2\r\r\n').lineEnding, 'CRCRLF');
    assert.strictEqual(parseTps('LM=1\r\r\n1 2\r\r\n').eol, '\r\n');
    assert.strictEqual(parseTps('LM=1\r\n1 2\r\n').eol, '\r\n');
    assert.strictEqual(parseTps('LM=1\n1 2\n').eol, '\n');
  });

  it('reads a file without final newline, and concatenated files glued as IMAGE=Prono_001LM=8', () => {
    const a = 'LM=2\n1 2\n3 4\nIMAGE=Prono_001';
    const doc = parseTps(a + a.replace('Prono_001', 'Prono_002'));
    assert.strictEqual(doc.finalNewline, false);
    assert.strictEqual(doc.specimens.length, 2);
    assert.strictEqual(getField(doc.specimens[0], 'IMAGE'), 'Prono_001');
    assert.strictEqual(getField(doc.specimens[1], 'IMAGE'), 'Prono_002');
    assert.deepStrictEqual(pts(doc, 1), [{ x: 1, y: 2 }, { x: 3, y: 4 }]);
    assert.strictEqual(errors(doc).length, 0);
  });

  it('splits a landmark row glued to the next LM= line (concatenated files ending in a row)', () => {
    const doc = parseTps('LM=1\n128 134LM=1\n5 6\n');
    assert.deepStrictEqual(doc.specimens.map((s) => s.landmarks), [[{ x: 128, y: 134 }], [{ x: 5, y: 6 }]]);
    assert.deepStrictEqual(doc.diagnostics, []);
  });

  it('skips a BOM, leading and separating blank lines, trailing spaces and tabs', () => {
    const doc = parseTps('\uFEFF\n\n  \nLM=2  \n1\t2\t\n 3   4 \n\nID=x \n\n\nLM=2\n5 6\n7 8\n');
    assert.strictEqual(doc.specimens.length, 2);
    assert.deepStrictEqual(pts(doc), [{ x: 1, y: 2 }, { x: 3, y: 4 }]);
    assert.strictEqual(getField(doc.specimens[0], 'ID'), 'x');
    assert.strictEqual(doc.specimens[0].line, 4);
    assert.deepStrictEqual(doc.diagnostics, []);
  });

  it('keeps # comment lines: before the first specimen in the header, inside a specimen verbatim', () => {
    const doc = parseTps('# made by hand\n# 2 specimens\nLM=1\n1 2\n# checked\nID=a\n');
    assert.deepStrictEqual(doc.header, ['# made by hand', '# 2 specimens']);
    assert.deepStrictEqual(doc.specimens[0].extraLines, ['# checked']);
    assert.strictEqual(getField(doc.specimens[0], 'ID'), 'a');
    assert.deepStrictEqual(doc.diagnostics, []);
  });

  it('reads LM = 18 with spaces, lower-case keys and LM=0', () => {
    const doc = parseTps('LM = 2\n1 2\n3 4\nimage = a.jpg\nlm=0\nIMAGE=b.jpg\n');
    assert.strictEqual(doc.specimens.length, 2);
    assert.strictEqual(pts(doc).length, 2);
    assert.strictEqual(getField(doc.specimens[0], 'IMAGE'), 'a.jpg');
    assert.strictEqual(pts(doc, 1).length, 0);
    assert.strictEqual(errors(doc).length, 0);
    assert.ok(warnings(doc).some((w) => w.specimen === 1 && /LM=0/.test(w.message)));
  });

  it('reads 290., 1886.00000, 15-digit floats, 3.13E-001 and negatives', () => {
    const doc = parseTps('LM=5\n290. 108.\n1886.00000 -2.5\n115.309633027523 253.237473535639\n3.13E-001 -4.2e+2\n.5 -0.25\n');
    assert.deepStrictEqual(pts(doc), [
      { x: 290, y: 108 },
      { x: 1886, y: -2.5 },
      { x: 115.309633027523, y: 253.237473535639 },
      { x: 0.313, y: -420 },
      { x: 0.5, y: -0.25 },
    ]);
    assert.strictEqual(errors(doc).length, 0);
  });

  it('keeps nested = in VARIABLES and unknown fields in order', () => {
    const doc = parseTps('LM=1\n1 2\nIMAGE=G3_6.JPG\nID=56 \nVARIABLES=OrigNum=57\nSCALE=0.020072\nCOLLECTOR=Ann=B\n');
    const s = doc.specimens[0];
    assert.deepStrictEqual(
      s.fields.map((f) => [f.key, f.value]),
      [
        ['IMAGE', 'G3_6.JPG'],
        ['ID', '56'],
        ['VARIABLES', 'OrigNum=57'],
        ['SCALE', '0.020072'],
        ['COLLECTOR', 'Ann=B'],
      ],
    );
  });

  it('reads CURVES/POINTS and OUTLINES blocks after the landmarks', () => {
    const doc = parseTps('LM=1\n1 2\nCURVES=2\nPOINTS=2\n3 4\n5 6\nPOINTS=1\n7 8\nIMAGE=a.jpg\nLM=0\nOUTLINES=1\nPOINTS=3\n1 1\n2 2\n3 3\nIMAGE=b.jpg\n');
    assert.strictEqual(doc.specimens.length, 2);
    assert.deepStrictEqual(pts(doc), [{ x: 1, y: 2 }]);
    assert.deepStrictEqual(doc.specimens[0].curves, [
      { key: 'CURVES', curves: [[{ x: 3, y: 4 }, { x: 5, y: 6 }], [{ x: 7, y: 8 }]] },
    ]);
    assert.strictEqual(getField(doc.specimens[0], 'IMAGE'), 'a.jpg');
    assert.strictEqual(doc.specimens[1].curves[0].key, 'OUTLINES');
    assert.strictEqual(doc.specimens[1].curves[0].curves[0].length, 3);
    assert.deepStrictEqual(doc.diagnostics, [], 'LM=0 with an outline is not "undigitized"');
  });

  it('handles IMAGE missing, empty, repeated, with Windows paths and spaces', () => {
    const doc = parseTps(
      'LM=1\n1 2\nIMAGE=C:\\Users\\Me\\Desktop\\wing 1.jpg\nLM=1\n1 2\nID=2\nLM=1\n1 2\nIMAGE=a.jpg\nIMAGE=b.jpg\nLM=1\n1 2\nIMAGE=\n',
    );
    assert.strictEqual(doc.specimens.length, 4);
    assert.strictEqual(getField(doc.specimens[0], 'IMAGE'), 'C:\\Users\\Me\\Desktop\\wing 1.jpg');
    const w = warnings(doc);
    assert.ok(w.some((d) => d.specimen === 1 && /no IMAGE=/.test(d.message)));
    assert.ok(w.some((d) => d.specimen === 2 && d.line === 10 && /repeated/.test(d.message)));
    assert.strictEqual(getField(doc.specimens[2], 'IMAGE'), 'a.jpg', 'the first IMAGE= wins');
    assert.ok(w.some((d) => d.specimen === 3 && /empty/.test(d.message)));
    assert.strictEqual(errors(doc).length, 0);
  });

  it('warns about the same image named twice', () => {
    const doc = parseTps('LM=1\n1 2\nIMAGE=P-25.tif\nLM=1\n1 2\nIMAGE=p-25.TIF\n');
    assert.ok(warnings(doc).some((d) => d.specimen === 1 && d.line === 6 && /also the image of specimen 1/.test(d.message)));
  });

  it('reads a KEY=value line wrapped in double quotes', () => {
    const doc = parseTps('LM=1\n1 2\n"IMAGE=test\\FMNH_101110 (1).jpg"\nID=4\n');
    assert.strictEqual(getField(doc.specimens[0], 'IMAGE'), 'test\\FMNH_101110 (1).jpg');
    assert.deepStrictEqual(doc.diagnostics, []);
  });

  it('warns when landmark counts differ within a file, and about 0 0 placeholders', () => {
    const doc = parseTps('LM=2\n1 2\n3 4\nLM=2\n1 2\n3 4\nLM=3\n1 2\n3 4\n5 6\nLM=2\n0 0\n0 0\nSCALE=0\n');
    const w = warnings(doc);
    assert.ok(w.some((d) => d.specimen === 2 && d.line === 7 && /3 landmarks, while 3 other specimen\(s\) in this file have 2/.test(d.message)));
    assert.ok(w.some((d) => d.specimen === 3 && /placeholder/.test(d.message)));
    assert.deepStrictEqual(pts(doc, 3), [{ x: 0, y: 0 }, { x: 0, y: 0 }], '0 0 rows stay coordinates');
  });
});

describe('parseTps: missing landmarks', () => {
  it('reads tpsDig -1 -1 codes as missing in a pixel-coordinate file', () => {
    const doc = parseTps('LM=4\n2854.00000 2968.00000\n-1.00000 -1.00000\n-99 -99\n2400 2854\nIMAGE=ANT_30.jpg\n');
    assert.deepStrictEqual(pts(doc), [{ x: 2854, y: 2968 }, null, null, { x: 2400, y: 2854 }]);
  });

  it('reads NA as missing', () => {
    const doc = parseTps('LM=2\nNA NA\n3 4\n');
    assert.deepStrictEqual(pts(doc), [null, { x: 3, y: 4 }]);
  });

  it('keeps negative values of Procrustes-aligned data as coordinates', () => {
    const doc = parseTps('LM=3\n-0.53 -0.28\n-0.17 1.10\n0.85 1.06\nLM=3\n-1 -1\n0.2 -0.3\n0.8 1.3\n');
    assert.deepStrictEqual(pts(doc, 1)[0], { x: -1, y: -1 }, 'mixed signs in the file: -1 -1 is a coordinate');
    assert.deepStrictEqual(pts(doc)[0], { x: -0.53, y: -0.28 });
    assert.ok(pts(doc).every((p) => p !== null));
  });

  it('keeps a wholly negated specimen as coordinates, with a warning', () => {
    const doc = parseTps('LM=2\n10 20\n-1 -1\nLM=2\n-522 -429\n-500 -500\n');
    assert.deepStrictEqual(pts(doc, 0), [{ x: 10, y: 20 }, null]);
    assert.deepStrictEqual(pts(doc, 1), [{ x: -522, y: -429 }, { x: -500, y: -500 }]);
    assert.ok(warnings(doc).some((d) => d.specimen === 1 && /negative/.test(d.message)));
  });

  it('still reads -1 -1 as missing when another landmark lies just outside the image', () => {
    const doc = parseTps('LM=3\n-2.5 100\n-1 -1\n300 -0.5\n');
    assert.deepStrictEqual(pts(doc), [{ x: -2.5, y: 100 }, null, { x: 300, y: -0.5 }]);
  });

  it('keeps -3 -7 (different values) as a coordinate', () => {
    const doc = parseTps('LM=2\n10 20\n-3 -7\n');
    assert.deepStrictEqual(pts(doc)[1], { x: -3, y: -7 });
  });
});

describe('parseTps: malformed input', () => {
  it('never throws and reports file, line and specimen', () => {
    const doc = parseTps('LM=3\n1 2\n3 4\nIMAGE=a.jpg\nLM=2\n1 2\n3 4\n', 'bad.tps');
    assert.strictEqual(doc.specimens.length, 2);
    const e = errors(doc);
    assert.strictEqual(e.length, 1);
    assert.deepStrictEqual({ ...e[0], message: '' }, { severity: 'error', message: '', line: 1, specimen: 0, file: 'bad.tps' });
    assert.match(e[0].message, /LM=3 but only 2 landmark row/);
    assert.deepStrictEqual(pts(doc), [{ x: 1, y: 2 }, { x: 3, y: 4 }, null], 'the short specimen is padded with missing landmarks');
    assert.deepStrictEqual(pts(doc, 1), [{ x: 1, y: 2 }, { x: 3, y: 4 }]);
  });

  it('recovers from a non-numeric LM count and bad number rows', () => {
    const doc = parseTps('LM=x\n1 2\n3 4\nID=a\nLM=2\n1 2\nfoo bar\n5 6\nID=b\nLM=1\n1 2\n');
    assert.strictEqual(doc.specimens.length, 3);
    assert.deepStrictEqual(pts(doc), [{ x: 1, y: 2 }, { x: 3, y: 4 }]);
    assert.ok(errors(doc).some((d) => d.line === 1 && d.specimen === 0 && /not a whole number/.test(d.message)));
    // "foo bar" stands where landmark 2 is due: it is landmark 2 (unreadable), never skipped, so
    // "5 6" is one row too many (reported, kept as landmark 3) instead of silently becoming landmark 2.
    assert.deepStrictEqual(pts(doc, 1), [{ x: 1, y: 2 }, null, { x: 5, y: 6 }]);
    assert.deepStrictEqual(doc.specimens[1].unreadable, [1]);
    assert.ok(errors(doc).some((d) => d.line === 7 && d.specimen === 1 && /landmark 2: "foo bar"/.test(d.message)));
    assert.ok(errors(doc).some((d) => d.line === 8 && d.specimen === 1 && /another landmark row/.test(d.message)));
    assert.strictEqual(getField(doc.specimens[1], 'ID'), 'b');
    assert.deepStrictEqual(pts(doc, 2), [{ x: 1, y: 2 }]);
  });

  it('keeps a garbled landmark row in its place as unreadable: later landmarks keep their numbers', () => {
    const rows = Array.from({ length: 15 }, (_, i) => `${100 + i} ${200 + i}`);
    rows[2] = '952 abc';
    const doc = parseTps(`LM=15\r\n${rows.join('\r\n')}\r\nIMAGE=a.jpg\r\nLM=2\r\n1 2\r\n3 4\r\nIMAGE=b.jpg\r\n`, 'broken.tps');
    const lms = pts(doc);
    assert.strictEqual(lms.length, 15);
    assert.strictEqual(lms[2], null);
    lms.forEach((p, i) => {
      if (i !== 2) assert.deepStrictEqual(p, { x: 100 + i, y: 200 + i }, `landmark ${i + 1} keeps its number`);
    });
    assert.deepStrictEqual(doc.specimens[0].unreadable, [2]);
    assert.strictEqual(doc.specimens[0].extraLines, undefined, 'the bad line is the slot, not a stray line');
    const e = errors(doc);
    assert.strictEqual(e.length, 1, JSON.stringify(e));
    assert.deepStrictEqual([e[0].line, e[0].specimen, e[0].file], [4, 0, 'broken.tps']);
    assert.match(e[0].message, /landmark 3: "952 abc".*unreadable \(not missing\)/);
    assert.strictEqual(doc.specimens[1].unreadable, undefined);
    assert.deepStrictEqual(pts(doc, 1), [{ x: 1, y: 2 }, { x: 3, y: 4 }]);
  });

  it('reads 1e309, Infinity and a lone number as unreadable, NA as missing', () => {
    const doc = parseTps('LM=5\n1e309 5\n6 -Infinity\n7\nNA NA\n8 9\n');
    assert.deepStrictEqual(pts(doc), [null, null, null, null, { x: 8, y: 9 }]);
    assert.deepStrictEqual(doc.specimens[0].unreadable, [0, 1, 2]);
    assert.deepStrictEqual(errors(doc).map((d) => d.line), [2, 3, 4]);
    assert.match(errors(doc)[0].message, /landmark 1: "1e309 5" holds a number too large/);
  });

  it('keeps a text line after the last landmark row as a verbatim line, not a landmark', () => {
    const doc = parseTps('LM=2\n1 2\n3 4\nTotal difference: 872.825\nID=a\n');
    assert.deepStrictEqual(pts(doc), [{ x: 1, y: 2 }, { x: 3, y: 4 }]);
    assert.strictEqual(doc.specimens[0].unreadable, undefined);
    assert.deepStrictEqual(doc.specimens[0].extraLines, ['Total difference: 872.825']);
    assert.strictEqual(errors(doc).length, 0);
  });

  it('reports an extra landmark row, keeping it', () => {
    const doc = parseTps('LM=1\n1 2\n3 4\nID=a\n');
    assert.deepStrictEqual(pts(doc), [{ x: 1, y: 2 }, { x: 3, y: 4 }]);
    assert.ok(errors(doc).some((d) => d.line === 3 && /another landmark row/.test(d.message)));
  });

  it('reports rows before any LM= and text with no specimen', () => {
    const doc = parseTps('1 2\nLM=1\n3 4\n');
    assert.strictEqual(doc.specimens.length, 1);
    assert.ok(errors(doc).some((d) => d.line === 1 && d.specimen === undefined));
    const none = parseTps('hello\nworld\n', 'x.tps');
    assert.strictEqual(none.specimens.length, 0);
    assert.ok(errors(none).some((d) => /no specimen/.test(d.message) && d.file === 'x.tps'));
    assert.strictEqual(errors(parseTps('')).length, 0);
  });

  it('keeps extra columns out of the coordinates and unknown lines verbatim', () => {
    const doc = parseTps('LM=2\n1755 1985\t12.3\n1659 1342\t51.5\n12.3\t51.5\t7.25\t\nTotal difference: 872.825\nIMAGE=r.jpg\n');
    assert.deepStrictEqual(pts(doc), [{ x: 1755, y: 1985 }, { x: 1659, y: 1342 }]);
    assert.deepStrictEqual(doc.specimens[0].extraLines, ['12.3\t51.5\t7.25', 'Total difference: 872.825']);
    assert.strictEqual(getField(doc.specimens[0], 'IMAGE'), 'r.jpg');
    assert.strictEqual(errors(doc).length, 0);
  });

  it('says 3D (LM3=) is not supported, reading x and y', () => {
    const doc = parseTps('LM3=2\n1 2 3\n4 5 6\nID=a\n');
    assert.deepStrictEqual(pts(doc), [{ x: 1, y: 2 }, { x: 4, y: 5 }]);
    assert.ok(errors(doc).some((d) => d.line === 1 && /LM3/.test(d.message)));
  });

  it('reports a short POINTS= block', () => {
    const doc = parseTps('LM=0\nCURVES=1\nPOINTS=3\n1 2\nIMAGE=a.jpg\n');
    assert.ok(errors(doc).some((d) => d.line === 3 && /POINTS=3 but only 1/.test(d.message)));
    assert.strictEqual(getField(doc.specimens[0], 'IMAGE'), 'a.jpg');
  });
});

describe('parseTps: line starts for editors', () => {
  it('gives the offset of each logical line, whatever the line endings (BOM included)', () => {
    for (const eol of ['\n', '\r\n', '\r', '\r\r\n']) {
      const text = '\uFEFF' + ['LM=1', '1 2', 'ID=a'].join(eol);
      const doc = parseTps(text);
      assert.deepStrictEqual(doc.lineStarts, [1, 1 + 4 + eol.length, 1 + 4 + 3 + 2 * eol.length], JSON.stringify(eol));
      const line3 = doc.lineStarts?.[2] ?? -1;
      assert.strictEqual(text.slice(line3), 'ID=a');
    }
  });
});
