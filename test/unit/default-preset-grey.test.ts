/**
 * The `default` preset's photo reader: its fast JPEG path (8-bit RGB from libvips, luma computed
 * in JS) gives exactly decodeFullGrey's 8-bit luma, and other formats fall back to it.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import { lumaOf, readGrey } from '../../src/engine/imaging/read-grey';

describe('default preset grey reader', function () {
  it('lumaOf is floor((299 R + 587 G + 114 B) / 1000) at the extremes', function () {
    const rgb = Uint8Array.from([0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]);
    assert.deepStrictEqual(Array.from(lumaOf(rgb, 6)), [0, 255, 76, 149, 29, 18]);
  });

  it('falls back to decodeFullGrey for a grey PNG and names the file of an unreadable JPEG', async function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'default-grey-'));
    try {
      const png = path.join(dir, 'g.png');
      await sharp(Buffer.from(Uint8Array.from({ length: 12 }, (_, i) => i * 20)), { raw: { width: 4, height: 3, channels: 1 } }).png().toFile(png);
      const g = await readGrey(png);
      assert.deepStrictEqual([g.width, g.height], [4, 3]);
      assert.deepStrictEqual(Array.from(g.data), Array.from({ length: 12 }, (_, i) => i * 20));
      const bad = path.join(dir, 'bad.jpg');
      fs.writeFileSync(bad, 'not a jpeg');
      await assert.rejects(readGrey(bad), (e: Error) => e.message.includes(bad));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
