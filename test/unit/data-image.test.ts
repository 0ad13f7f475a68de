import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import * as bmp from 'bmp-js';
import { decodeImage, decodeRegion, decodeFullGrey, imageSize, ImageDecodeError, originalToModel } from '../../src/engine/data/image';
import { samplePatch } from '../../src/shared/augment/warp';
import { requireData } from '../helpers/data';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'landmarks-data-test-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** An RGB photo (w x h) with white 7x7 squares centred on the given pixels, on dark grey. */
function dotsRgb(w: number, h: number, points: { x: number; y: number }[]): Buffer {
  const buf = Buffer.alloc(w * h * 3, 40);
  for (const p of points) {
    for (let y = p.y - 3; y <= p.y + 3; y++) {
      for (let x = p.x - 3; x <= p.x + 3; x++) {
        if (x < 0 || y < 0 || x >= w || y >= h) continue;
        buf.fill(255, (y * w + x) * 3, (y * w + x) * 3 + 3);
      }
    }
  }
  return buf;
}

/** Centroid of (grey - background) in a (2r+1)^2 window around (cx, cy): the dot's centre. */
function centroid(grey: Float32Array, w: number, h: number, cx: number, cy: number, r = 5): { x: number; y: number } {
  const base = 40 / 255;
  let sx = 0;
  let sy = 0;
  let s = 0;
  for (let y = Math.max(0, Math.round(cy) - r); y <= Math.min(h - 1, Math.round(cy) + r); y++)
    for (let x = Math.max(0, Math.round(cx) - r); x <= Math.min(w - 1, Math.round(cx) + r); x++) {
      if (grey[y * w + x] === 0) continue; // letterbox margin or outside the photo
      const v = grey[y * w + x] - base;
      sx += v * x;
      sy += v * y;
      s += v;
    }
  return { x: sx / s, y: sy / s };
}

const W0 = 640;
const H0 = 300;
const dots = [
  { x: 100, y: 60 },
  { x: 500, y: 80 },
  { x: 320, y: 240 },
  { x: 20, y: 280 },
];

describe('data: decodeImage maps pixels and landmarks consistently', () => {
  let pngPath = '';
  before(async () => {
    pngPath = path.join(tmp, 'dots.png');
    await sharp(dotsRgb(W0, H0, dots), { raw: { width: W0, height: H0, channels: 3 } }).png().toFile(pngPath);
  });

  for (const fit of ['stretch', 'letterbox'] as const) {
    it(`${fit}: each dot appears where originalToModel puts its landmark (within 0.15 px)`, async () => {
      const img = await decodeImage(pngPath, { width: 128, height: 96 }, { fit });
      assert.equal(img.originalWidth, W0);
      assert.equal(img.originalHeight, H0);
      assert.equal(img.grey.length, 128 * 96);
      assert.equal(img.rgb.length, 128 * 96 * 3);
      for (const d of dots) {
        const m = originalToModel(img.frame, d);
        const c = centroid(img.grey, 128, 96, m.x, m.y);
        assert.ok(Math.hypot(c.x - m.x, c.y - m.y) < 0.15, `${fit} dot ${JSON.stringify(d)}: image ${c.x.toFixed(2)},${c.y.toFixed(2)} vs landmark ${m.x.toFixed(2)},${m.y.toFixed(2)}`);
      }
      if (fit === 'letterbox') {
        assert.ok(img.frame.offsetY > 0, 'a wide photo gets margins above and below');
        assert.equal(img.grey[0], 0, 'the margin is black');
      }
    });
  }

  it('decodeRegion crops at full resolution; the region frame maps landmarks exactly, outside is black', async () => {
    const box = { left: 440, top: 20, width: 240, height: 120 }; // runs past the right edge
    const r = await decodeRegion(pngPath, box, { width: 96, height: 48 });
    const m = originalToModel(r.frame, dots[1]);
    const c = centroid(r.grey, 96, 48, m.x, m.y);
    assert.ok(Math.hypot(c.x - m.x, c.y - m.y) < 0.15, `${JSON.stringify(c)} vs ${JSON.stringify(m)}`);
    assert.equal(r.grey[47 * 96 + 95], 0, 'past the photo edge is black');
  });

  it('decodeFullGrey gives the whole photo, and patches cut from it centre on landmarks', async () => {
    const full = await decodeFullGrey(pngPath);
    assert.equal(full.width, W0);
    assert.equal(full.data.length, W0 * H0);
    assert.equal(full.data[60 * W0 + 100], 255);
    assert.equal(full.data[0], 40);
    const patch = samplePatch(full, dots[2], 21, 21, 1, { valueScale: 1 / 255 });
    assert.ok(Math.abs(patch.data[10 * 21 + 10] - 1) < 1e-6);
    assert.ok(Math.abs(patch.data[0] - 40 / 255) < 1e-6);
    // at half resolution, through the frame
    const half = await decodeFullGrey(pngPath, { scale: 0.5 });
    assert.equal(half.width, W0 / 2);
    for (const d of dots) {
      const m = originalToModel(half.frame, d);
      const c = centroid(Float32Array.from(half.data, (v) => v / 255), half.width, half.height, m.x, m.y);
      assert.ok(Math.hypot(c.x - m.x, c.y - m.y) < 0.15, `half-resolution dot ${JSON.stringify(d)}`);
    }
  });

  it('reads BMP (through bmp-js), TIFF, 16-bit and grey PNG like the same picture as 8-bit PNG', async () => {
    const w = 60;
    const h = 40;
    const rgb = dotsRgb(w, h, [{ x: 10, y: 30 }]);
    rgb[0] = 200; // a red top-left pixel: channel order check
    rgb[1] = 0;
    rgb[2] = 0;
    const abgr = Buffer.alloc(w * h * 4);
    for (let i = 0; i < w * h; i++) {
      abgr[4 * i] = 0;
      abgr[4 * i + 1] = rgb[3 * i + 2];
      abgr[4 * i + 2] = rgb[3 * i + 1];
      abgr[4 * i + 3] = rgb[3 * i];
    }
    const bmpPath = path.join(tmp, 'pic.bmp');
    fs.writeFileSync(bmpPath, bmp.encode({ data: abgr, width: w, height: h }).data);
    const pngPath2 = path.join(tmp, 'pic.png');
    await sharp(rgb, { raw: { width: w, height: h, channels: 3 } }).png().toFile(pngPath2);
    const a = await decodeImage(bmpPath, { width: w, height: h });
    const b = await decodeImage(pngPath2, { width: w, height: h });
    assert.deepEqual(Array.from(a.rgb), Array.from(b.rgb));
    assert.ok(Math.abs(a.rgb[0] - 200 / 255) < 1e-6 && a.rgb[1] === 0, 'R stays R');
    // TIFF, 16-bit PNG and a grey (1-channel) PNG of the same picture decode to the same values
    const tif = path.join(tmp, 'pic.tif');
    await sharp(rgb, { raw: { width: w, height: h, channels: 3 } }).tiff({ compression: 'lzw' }).toFile(tif);
    assert.deepEqual(Array.from((await decodeImage(tif, { width: w, height: h })).rgb), Array.from(b.rgb));
    const png16 = path.join(tmp, 'pic16.png');
    await sharp(rgb, { raw: { width: w, height: h, channels: 3 } }).toColourspace('rgb16').png().toFile(png16);
    assert.equal((await sharp(png16).metadata()).depth, 'ushort');
    const d16 = await decodeImage(png16, { width: w, height: h });
    assert.ok(d16.rgb.every((v, i) => Math.abs(v - b.rgb[i]) <= 1 / 255 + 1e-6), '16-bit reduced to the same 8-bit values');
    const greyPng = path.join(tmp, 'grey.png');
    const g = Buffer.alloc(w * h, 90);
    await sharp(g, { raw: { width: w, height: h, channels: 1 } }).png().toFile(greyPng);
    const dg = await decodeImage(greyPng, { width: w, height: h });
    assert.ok(dg.rgb.every((v) => Math.abs(v - 90 / 255) < 1e-6) && dg.grey.every((v) => Math.abs(v - 90 / 255) < 1e-6));
  });

  it('applies EXIF orientation: original pixels are those of the upright photo', async () => {
    const w = 80;
    const h = 50;
    const upright = dotsRgb(w, h, [{ x: 60, y: 10 }]);
    // Store the photo rotated 90 degrees anticlockwise with orientation 6 (rotate 90 cw to view).
    const stored = await sharp(upright, { raw: { width: w, height: h, channels: 3 } }).rotate(-90).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toFile(path.join(tmp, 'rot.jpg'));
    assert.equal(stored.width, h);
    const size = await imageSize(path.join(tmp, 'rot.jpg'));
    assert.deepEqual(size, { width: w, height: h });
    const img = await decodeImage(path.join(tmp, 'rot.jpg'), { width: w, height: h });
    assert.equal(img.originalWidth, w);
    const c = centroid(img.grey, w, h, 60, 10, 4);
    assert.ok(Math.hypot(c.x - 60, c.y - 10) < 0.7, JSON.stringify(c));
  });

  it('errors name the file: missing, empty, not an image, truncated JPEG', async function () {
    const wings = requireData(this, 'drosophila-wings', 'images', '63001.jpg');
    const cases: [string, RegExp][] = [
      [path.join(tmp, 'missing.jpg'), /not found/],
      [path.join(tmp, 'empty.jpg'), /empty/],
      [path.join(tmp, 'text.jpg'), /not a readable image/],
      [path.join(tmp, 'truncated.jpg'), /not a readable image/],
    ];
    fs.writeFileSync(path.join(tmp, 'empty.jpg'), '');
    fs.writeFileSync(path.join(tmp, 'text.jpg'), 'LM=3\n1 2\n');
    const jpg = fs.readFileSync(wings);
    fs.writeFileSync(path.join(tmp, 'truncated.jpg'), jpg.subarray(0, Math.floor(jpg.length / 2)));
    for (const [file, why] of cases) {
      await assert.rejects(decodeImage(file, { width: 32, height: 24 }), (e: unknown) => {
        assert.ok(e instanceof ImageDecodeError, String(e));
        assert.ok(e.message.includes(file), e.message);
        assert.match(e.message, why);
        return true;
      });
    }
  });
});
