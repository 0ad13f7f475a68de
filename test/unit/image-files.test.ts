/**
 * The one list of photo extensions (src/shared/image-files.ts) against the decoders: a small
 * picture saved under every extension of the list is found by the dataset loader, decoded by the
 * engine and shown by the editor, so the list never promises a photo that cannot be opened.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import * as bmp from 'bmp-js';
import { IMAGE_EXTENSIONS, isImageFile } from '../../src/shared/image-files';
import { listImageFiles } from '../../src/shared/dataset/images';
import { listInputImages } from '../../src/engine/predict';
import { decodeImage } from '../../src/engine/data/image';
import { ImageCache } from '../../src/extension/editor/images';
import { displayPng } from '../../src/engine/imaging/display-png';

const W = 24;
const H = 16;

/** The picture encoded in the format the extension names (by content, as the decoders read it). */
async function encode(ext: string, rgb: Buffer): Promise<Buffer> {
  const raw = sharp(rgb, { raw: { width: W, height: H, channels: 3 } });
  switch (ext) {
    case '.jpg':
    case '.jpeg':
    case '.jpe':
    case '.jfif':
      return raw.jpeg({ quality: 100 }).toBuffer();
    case '.png':
      return raw.png().toBuffer();
    case '.tif':
    case '.tiff':
      return raw.tiff().toBuffer();
    case '.webp':
      return raw.webp({ lossless: true }).toBuffer();
    case '.gif':
      return raw.gif().toBuffer();
    case '.bmp': {
      const abgr = Buffer.alloc(W * H * 4);
      for (let i = 0; i < W * H; i++) {
        abgr[i * 4 + 1] = rgb[i * 3 + 2];
        abgr[i * 4 + 2] = rgb[i * 3 + 1];
        abgr[i * 4 + 3] = rgb[i * 3];
      }
      return bmp.encode({ data: abgr, width: W, height: H }).data;
    }
    default:
      throw new Error(`no encoder in this test for ${ext}: add one, or take ${ext} off the list`);
  }
}

describe('image files: the one extension list and the decoders', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-image-files-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a photo under every listed extension (any case) is listed, decoded by the engine and shown by the editor', async () => {
    const rgb = Buffer.alloc(W * H * 3);
    for (let i = 0; i < W * H; i++) rgb.fill((i * 7) % 256, i * 3, i * 3 + 3);
    const photos = path.join(dir, 'photos');
    fs.mkdirSync(photos);
    const written: string[] = [];
    for (const [i, ext] of IMAGE_EXTENSIONS.entries()) {
      const file = path.join(photos, `specimen_${i}${i % 2 ? ext.toUpperCase() : ext}`);
      fs.writeFileSync(file, await encode(ext, rgb));
      written.push(file);
    }
    fs.writeFileSync(path.join(photos, 'landmarks.tps'), 'LM=0\n');
    fs.writeFileSync(path.join(photos, 'drawing.svg'), `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"/>`);

    assert.deepStrictEqual(await listImageFiles(photos), [...written].sort(), 'the loader lists the photos, not the TPS or the drawing');
    assert.deepStrictEqual((await listInputImages(photos)).sort(), [...written].sort(), 'predict takes the same photos');
    // The editor's conversion in this process (the extension forks dist/image-convert.js for it).
    const cache = new ImageCache(path.join(dir, 'cache'), async (input, output) => fs.promises.writeFile(output, await displayPng(input)));
    for (const file of written) {
      const img = await decodeImage(file, { width: W, height: H });
      assert.deepStrictEqual([img.originalWidth, img.originalHeight], [W, H], file);
      const shown = await cache.prepare(file);
      assert.deepStrictEqual([shown.width, shown.height], [W, H], file);
    }
  });

  it('takes the extension after the last dot of the file name only', () => {
    assert.ok(isImageFile('C:\\photos\\Md 007.JPG') && isImageFile('a/b.c/img.Tiff'));
    assert.ok(!isImageFile('photos.jpg/landmarks') && !isImageFile('notes.jpg.txt') && !isImageFile('a.jpgx'));
  });
});
