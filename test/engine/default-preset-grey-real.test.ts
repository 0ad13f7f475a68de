/** The `default` preset's photo reader on real JPEGs (full photos decoded twice); the rest: test/unit/default-preset-grey.test.ts. */
import * as assert from 'assert';
import * as path from 'path';
import { decodeFullGrey } from '../../src/engine/data/image';
import { readGrey } from '../../src/engine/imaging/read-grey';
import { requireData } from '../helpers/data';

function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return -2;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

describe('default preset grey reader', function () {
  it('reads real JPEGs (a mollusk photo, a wing) exactly as decodeFullGrey does', async function () {
    const files = [
      path.join(requireData(this, 'mollusk', 'images'), '1.jpg'),
      path.join(requireData(this, 'drosophila-wings', 'images'), '63001.jpg'),
    ];
    for (const f of files) {
      const a = await readGrey(f);
      const b = await decodeFullGrey(f);
      assert.deepStrictEqual([a.width, a.height], [b.width, b.height], f);
      assert.strictEqual(firstDifference(a.data, b.data), -1, `${f}: grey values differ`);
    }
  });
});
