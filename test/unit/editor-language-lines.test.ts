/** Parser lines -> editor lines: CR CR LF is one break for the parser, two for VS Code. */
import * as assert from 'assert';
import * as fs from 'fs';
import { requireData } from '../helpers/data';
import { logicalLineStarts } from '../../src/extension/language/lines';
import { parseTps } from '../../src/shared/tps/parse';

describe('TPS language line mapping', function () {
  it('finds the start of every logical line for LF, CRLF and CR CR LF', function () {
    assert.deepStrictEqual(logicalLineStarts('LM=1\n1 2\nID=3'), [0, 5, 9]);
    assert.deepStrictEqual(logicalLineStarts('LM=1\r\n1 2\r\n'), [0, 6, 11]);
    assert.deepStrictEqual(logicalLineStarts('LM=1\r\r\n1 2\r\r\n'), [0, 7, 13]);
  });

  it('puts every specimen of the real CR CR LF file at its LM= text', function () {
    const file = requireData(this, 'tps-corpus', 'traitfest_mlmorph_test_CRCRLF.tps');
    const text = fs.readFileSync(file, 'latin1');
    const starts = logicalLineStarts(text);
    const doc = parseTps(text, file);
    assert.ok(doc.specimens.length > 0);
    for (const s of doc.specimens) assert.match(text.slice(starts[s.line - 1], starts[s.line - 1] + 4), /^LM\s*=/i, `specimen at line ${s.line}`);
  });
});
