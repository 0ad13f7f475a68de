/**
 * The integration tests' PNG decoder (test/integration/helpers/png.ts, zlib only, since sharp
 * must not load in the extension host) gives sharp's pixels for RGB and RGBA PNGs of a real photo
 * (libpng's adaptive filters use every filter type on such content), and refuses what it cannot read.
 */
import * as assert from 'assert';
import sharp from 'sharp';
import { requireData } from '../helpers/data';
import { decodePng } from '../integration/helpers/png';

describe('screenshot PNG decoder', function () {
  it("gives sharp's RGBA pixels for RGB and RGBA PNGs of a real photo", async function () {
    const jpg = requireData(this, 'drosophila-wings', 'images', '63001.jpg');
    const base = sharp(jpg).resize(211, 157);
    for (const [name, png] of [
      ['rgb', await base.clone().removeAlpha().png().toBuffer()],
      ['rgba', await base.clone().ensureAlpha(0.6).png().toBuffer()],
      ['rgb, no compression filter choice', await base.clone().removeAlpha().png({ adaptiveFiltering: true, compressionLevel: 9 }).toBuffer()],
    ] as const) {
      const mine = decodePng(png, name);
      const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
      assert.deepStrictEqual([mine.width, mine.height], [info.width, info.height], name);
      assert.ok(mine.data.equals(data), `${name}: pixels differ from sharp's`);
    }
  });

  it('refuses a grey PNG and a file that is not a PNG, saying why', async function () {
    // sharp writes RGB even from one channel: mark its IHDR grey (colour type 0) by hand
    const grey = Buffer.from(await sharp(Buffer.alloc(12, 128), { raw: { width: 4, height: 3, channels: 1 } }).png().toBuffer());
    grey[25] = 0;
    assert.throws(() => decodePng(grey, 'grey.png'), /grey\.png: only 8-bit RGB\/RGBA/);
    assert.throws(() => decodePng(Buffer.from('hello world'), 'x.png'), /x\.png: not a PNG/);
  });
});
