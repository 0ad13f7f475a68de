/**
 * Photo sizes from headers without a native module (src/shared/imaging/photo-header.ts): every
 * real photo in ../shared/data gives what sharp's metadata() gives, and so do TIFF, BMP, GIF,
 * WebP and EXIF-rotated files written here; damaged files are refused with a reason.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import { requireData } from '../helpers/data';
import { bufferReader, readPhotoHeader, uprightSize, type PhotoHeader } from '../../src/shared/imaging/photo-header';
import { readPhotoHeaderOfFile } from '../../src/shared/node/photo-file';

function photosUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...photosUnder(p));
    else if (/\.(jpe?g|png|tiff?|bmp|gif|webp)$/i.test(e.name)) out.push(p);
  }
  return out;
}

async function sharpHeader(file: string | Buffer): Promise<PhotoHeader> {
  const m = await sharp(file).metadata();
  return { format: m.format === 'jpeg' ? 'jpeg' : (m.format as PhotoHeader['format']), width: m.width ?? 0, height: m.height ?? 0, orientation: m.orientation ?? 1 };
}

describe('photo headers without sharp', function () {
  this.timeout(120000);
  let tmp = '';
  before(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-photo-header-'))));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("gives sharp's format, size and orientation for every photo in ../shared/data", async function () {
    const photos = photosUnder(requireData(this));
    assert.ok(photos.length >= 200, `only ${photos.length} photos found`);
    // which formats the data holds depends on the datasets present (mouse-reaching's frames are PNG)
    const formatOfName = (file: string) => (/\.jpe?g$/i.test(file) ? 'jpeg' : path.extname(file).slice(1).toLowerCase());
    const formats = new Set<string>();
    for (const file of photos) {
      const mine = await readPhotoHeaderOfFile(file);
      assert.deepStrictEqual(mine, await sharpHeader(file), file);
      assert.strictEqual(mine.format, formatOfName(file), `${file}: the header says ${mine.format}`);
      formats.add(mine.format);
    }
    assert.ok(formats.has('jpeg'), `no JPEG among ${photos.length} photos`);
  });

  it('reads TIFF (both byte orders, tiled, 16-bit), GIF, WebP (lossy, lossless) and BMP', async function () {
    const jpg = requireData(this, 'drosophila-wings', 'images', '63001.jpg');
    const base = sharp(jpg).resize(123, 77);
    const files: Record<string, Buffer> = {
      'lzw.tif': await base.clone().tiff({ compression: 'lzw' }).toBuffer(),
      'tiled.tif': await base.clone().tiff({ tile: true, tileWidth: 16, tileHeight: 16, compression: 'deflate' }).toBuffer(),
      'grey16.tif': await base.clone().greyscale().toColourspace('grey16').tiff().toBuffer(),
      'pic.gif': await base.clone().gif().toBuffer(),
      'lossy.webp': await base.clone().webp({ quality: 70 }).toBuffer(),
      'lossless.webp': await base.clone().webp({ lossless: true }).toBuffer(),
      'alpha.webp': await base.clone().ensureAlpha(0.5).webp().toBuffer(),
      'pic.png': await base.clone().png().toBuffer(),
    };
    for (const [name, bytes] of Object.entries(files)) {
      const mine = await readPhotoHeader(bufferReader(bytes));
      assert.deepStrictEqual(mine, await sharpHeader(bytes), name);
      assert.deepStrictEqual([mine.width, mine.height], [123, 77], name);
    }
    // A big-endian TIFF, by hand (sharp writes little-endian): 5x3, orientation 6.
    const be = Buffer.alloc(8 + 2 + 3 * 12 + 4);
    be.write('MM', 0, 'latin1');
    be.writeUInt16BE(42, 2);
    be.writeUInt32BE(8, 4);
    be.writeUInt16BE(3, 8);
    const entry = (k: number, tag: number, type: number, value: number) => {
      const at = 10 + k * 12;
      be.writeUInt16BE(tag, at);
      be.writeUInt16BE(type, at + 2);
      be.writeUInt32BE(1, at + 4);
      if (type === 3) be.writeUInt16BE(value, at + 8);
      else be.writeUInt32BE(value, at + 8);
    };
    entry(0, 256, 4, 5);
    entry(1, 257, 3, 3);
    entry(2, 274, 3, 6);
    assert.deepStrictEqual(await readPhotoHeader(bufferReader(be)), { format: 'tiff', width: 5, height: 3, orientation: 6 });
    // BMP (sharp cannot write one): bottom-up and top-down rows, and the old 12-byte header.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const bmpJs = require('bmp-js') as { encode(d: { data: Buffer; width: number; height: number }): { data: Buffer } };
    const bmp = bmpJs.encode({ data: Buffer.alloc(31 * 17 * 4), width: 31, height: 17 }).data;
    assert.deepStrictEqual(await readPhotoHeader(bufferReader(bmp)), { format: 'bmp', width: 31, height: 17, orientation: 1 });
    const topDown = Buffer.from(bmp);
    topDown.writeInt32LE(-17, 22);
    assert.deepStrictEqual(await readPhotoHeader(bufferReader(topDown)), { format: 'bmp', width: 31, height: 17, orientation: 1 });
    const core = Buffer.alloc(26);
    core.write('BM', 0, 'latin1');
    core.writeUInt32LE(12, 14);
    core.writeUInt16LE(640, 18);
    core.writeUInt16LE(480, 20);
    assert.deepStrictEqual(await readPhotoHeader(bufferReader(core)), { format: 'bmp', width: 640, height: 480, orientation: 1 });
  });

  it('reads the EXIF orientation of JPEG, PNG, WebP and TIFF files, and the upright size', async function () {
    const jpg = requireData(this, 'drosophila-wings', 'images', '63001.jpg');
    for (const orientation of [1, 3, 6, 8]) {
      for (const format of ['jpeg', 'png', 'webp', 'tiff'] as const) {
        const bytes = await sharp(jpg).resize(64, 40).withMetadata({ orientation }).toFormat(format).toBuffer();
        const theirs = await sharpHeader(bytes);
        const mine = await readPhotoHeader(bufferReader(bytes));
        assert.deepStrictEqual(mine, theirs, `${format}, orientation ${orientation}`);
        assert.strictEqual(mine.orientation, orientation, `${format}: sharp wrote orientation ${theirs.orientation}`);
        assert.deepStrictEqual(uprightSize(mine), orientation >= 5 ? { width: 40, height: 64 } : { width: 64, height: 40 });
      }
    }
  });

  it('reads a JPEG whose frame header comes after large APP segments, from a file', async function () {
    const jpg = fs.readFileSync(requireData(this, 'drosophila-wings', 'images', '63001.jpg'));
    // 5 APP2 segments of 65533 bytes each between SOI and the rest.
    const app = Buffer.alloc(65535 + 2, 0x41);
    app[0] = 0xff;
    app[1] = 0xe2;
    app.writeUInt16BE(65535, 2);
    const big = Buffer.concat([jpg.subarray(0, 2), app, app, app, app, app, jpg.subarray(2)]);
    const file = path.join(tmp, 'big-app.jpg');
    fs.writeFileSync(file, big);
    assert.deepStrictEqual(await readPhotoHeaderOfFile(file), await sharpHeader(file));
  });

  it('refuses what is not a photo or is cut short, saying why', async () => {
    const cases: [string, Buffer, RegExp][] = [
      ['text', Buffer.from('not a jpeg at all, just words'), /not a JPEG, PNG, BMP, TIFF, GIF or WebP/],
      ['empty', Buffer.alloc(0), /not a JPEG/],
      ['cut JPEG', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a]), /truncated JPEG/],
      ['JPEG without a frame', Buffer.from([0xff, 0xd8, 0xff, 0xd9]), /no frame header/],
      ['zero-size PNG', Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(16)]), /no image size in the PNG/],
    ];
    for (const [what, bytes, re] of cases) await assert.rejects(readPhotoHeader(bufferReader(bytes)), re, what);
    await assert.rejects(readPhotoHeaderOfFile(path.join(tmp, 'nope.jpg')), /ENOENT/);
  });
});
