import * as assert from 'assert';
import { parseTps } from '../../src/shared/tps/parse';
import { emptyDocument, formatNumber, writeTps } from '../../src/shared/tps/write';
import { setField, type TpsDocument } from '../../src/shared/tps/model';

describe('writeTps', () => {
  it('writes tpsDig style: LM=n, x y rows, curves, then the fields in order', () => {
    const doc: TpsDocument = {
      ...emptyDocument(),
      specimens: [
        {
          landmarks: [{ x: 290, y: 108.5 }, null, { x: -0.25, y: 1e-7 }],
          curves: [{ key: 'CURVES', curves: [[{ x: 1, y: 2 }]] }],
          fields: [
            { key: 'IMAGE', value: 'Md 007.JPG', line: 0 },
            { key: 'ID', value: '7', line: 0 },
            { key: 'VARIABLES', value: 'OrigNum=57', line: 0 },
          ],
          line: 0,
        },
      ],
    };
    assert.strictEqual(
      writeTps(doc),
      'LM=3\n290 108.5\n-1 -1\n-0.25 1e-7\nCURVES=1\nPOINTS=1\n1 2\nIMAGE=Md 007.JPG\nID=7\nVARIABLES=OrigNum=57\n',
    );
    const back = parseTps(writeTps(doc));
    assert.deepStrictEqual(back.specimens[0].landmarks, doc.specimens[0].landmarks, 'missing written as -1 -1 reads back as missing');
  });

  it('writes NA NA for a missing landmark where -1 -1 would read back as a coordinate', () => {
    const procrustes = parseTps('LM=2\n-0.5 0.25\n0.5 -0.25\n');
    procrustes.specimens[0].landmarks[1] = null;
    assert.strictEqual(writeTps(procrustes), 'LM=2\n-0.5 0.25\nNA NA\n');
    assert.deepStrictEqual(parseTps(writeTps(procrustes)).specimens[0].landmarks, [{ x: -0.5, y: 0.25 }, null]);
    const negated = parseTps('LM=2\n10 20\n30 40\nLM=2\n-522 -429\n-600 -400\n');
    negated.specimens[1].landmarks[0] = null;
    assert.match(writeTps(negated), /LM=2\n10 20\n30 40\nLM=2\nNA NA\n-600 -400\n$/);
    assert.deepStrictEqual(parseTps(writeTps(negated)).specimens[1].landmarks, [null, { x: -600, y: -400 }]);
  });

  it('reuses the source line endings, final newline and header', () => {
    const src = '# made by borealis\r\nLM=1\r\n1.50000 2\r\nID=a\r\nLM=1\r\n3 4\r\nID=b';
    const doc = parseTps(src);
    assert.strictEqual(writeTps(doc), '# made by borealis\r\nLM=1\r\n1.5 2\r\nID=a\r\nLM=1\r\n3 4\r\nID=b');
    assert.strictEqual(writeTps(doc, { eol: '\n', finalNewline: true }), '# made by borealis\nLM=1\n1.5 2\nID=a\nLM=1\n3 4\nID=b\n');
    assert.strictEqual(writeTps(parseTps('LM=1\r\r\n1 2\r\r\n')), 'LM=1\r\n1 2\r\n', 'CR CR LF is normalised to CRLF');
  });

  it('keeps edited fields and values (setField)', () => {
    const doc = parseTps('LM=1\n1 2\nIMAGE=a.jpg\nSCALE=0.1\n');
    setField(doc.specimens[0], 'ID', 'x1');
    setField(doc.specimens[0], 'image', 'b.jpg');
    doc.specimens[0].landmarks[0] = { x: 10.125, y: 20 };
    assert.strictEqual(writeTps(doc), 'LM=1\n10.125 20\nIMAGE=b.jpg\nSCALE=0.1\nID=x1\n');
  });

  it('formats numbers so they parse back to the same double', () => {
    for (const v of [0, 1, -1, 290, 0.1, 0.313, 1 / 3, -0.5310460885835604, 115.309633027523, 1e-7, 123456789.123, 2 ** 53]) {
      const back = parseTps(`LM=1\n${formatNumber(v)} ${formatNumber(-v)}\n`).specimens[0].landmarks[0];
      assert.ok(back !== null);
      assert.strictEqual(back.x, v);
      assert.strictEqual(back.y, -v === 0 ? 0 : -v);
    }
    assert.strictEqual(formatNumber(-0), '0');
    assert.throws(() => formatNumber(NaN), /cannot write NaN/);
  });

  it('writes an empty document as an empty string', () => {
    assert.strictEqual(writeTps(emptyDocument()), '');
  });
});
