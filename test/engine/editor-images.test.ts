/**
 * Photos for the editor: sizes from headers (no sharp in the extension host), TIFF and BMP
 * converted to PNG (lossless) by the forked dist/image-convert.js and cached.
 */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import { repoRoot, requireData } from '../helpers/data';
import { forkedConverter, ImageCache } from '../../src/extension/editor/images';

const CONVERTER = path.join(repoRoot, 'dist', 'image-convert.js');

describe('editor images', function () {
  this.timeout(120000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-editor-images-'));
    execFileSync(process.execPath, ['esbuild.js', 'image-convert'], { cwd: repoRoot, stdio: 'pipe' });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('serves a 3264x2448 JPEG as is, with its size read from the header', async function () {
    const jpg = requireData(this, 'beetles', 'pronotum', 'images', 'Prono_001.JPG');
    const img = await new ImageCache(path.join(dir, 'cache1')).prepare(jpg);
    assert.deepStrictEqual([img.displayPath, img.width, img.height], [jpg, 3264, 2448]);
  });

  it('converts TIFF and BMP photos to PNG with the same pixels, once', async function () {
    const jpg = requireData(this, 'drosophila-wings', 'images', '63001.jpg');
    const { data: rgb, info } = await sharp(jpg).resize(63, 48).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const tif = path.join(dir, 'wing.tif');
    await sharp(rgb, { raw: { width: info.width, height: info.height, channels: 3 } }).tiff({ compression: 'lzw' }).toFile(tif);
    // bmp-js takes ABGR.
    const abgr = Buffer.alloc(info.width * info.height * 4);
    for (let i = 0; i < info.width * info.height; i++) {
      abgr[i * 4 + 1] = rgb[i * 3 + 2];
      abgr[i * 4 + 2] = rgb[i * 3 + 1];
      abgr[i * 4 + 3] = rgb[i * 3];
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const bmp = require('bmp-js') as { encode(d: { data: Buffer; width: number; height: number }): { data: Buffer } };
    const bmpFile = path.join(dir, 'wing.BMP');
    fs.writeFileSync(bmpFile, bmp.encode({ data: abgr, width: info.width, height: info.height }).data);

    const cache = new ImageCache(path.join(dir, 'cache2'), forkedConverter(CONVERTER));
    for (const file of [tif, bmpFile]) {
      const img = await cache.prepare(file);
      assert.deepStrictEqual([img.width, img.height], [63, 48], file);
      assert.match(img.displayPath, /\.png$/);
      assert.ok(img.displayPath.startsWith(cache.folder));
      const png = await sharp(img.displayPath).removeAlpha().raw().toBuffer();
      assert.ok(png.equals(rgb), `${path.basename(file)}: converted pixels differ from the source`);
      const again = await new ImageCache(cache.folder, forkedConverter(CONVERTER)).prepare(file);
      assert.strictEqual(again.displayPath, img.displayPath, 'not served from the cache');
    }
    assert.strictEqual(fs.readdirSync(cache.folder).filter((f) => f.endsWith('.png')).length, 2);
  });

  it('names the file when a photo cannot be read', async function () {
    const bad = path.join(dir, 'broken.jpg');
    fs.writeFileSync(bad, 'not a jpeg');
    await assert.rejects(new ImageCache(path.join(dir, 'cache3')).prepare(bad), /cannot read image ".*broken\.jpg"/);
    await assert.rejects(new ImageCache(path.join(dir, 'cache3')).prepare(path.join(dir, 'nope.png')), /nope\.png/);
    // A TIFF whose header reads but whose pixels do not: the converter child fails and says why.
    const tif = path.join(dir, 'cut.tif');
    const good = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#808080' } }).tiff({ compression: 'lzw' }).toBuffer();
    // The strip (between the 8-byte header and the directory, which libtiff writes last) garbled.
    const damaged = Buffer.from(good);
    damaged.fill(0xff, 8, good.readUInt32LE(4));
    fs.writeFileSync(tif, damaged);
    await assert.rejects(new ImageCache(path.join(dir, 'cache4'), forkedConverter(CONVERTER)).prepare(tif), /cannot read image ".*cut\.tif": .+/);
    // A converter that crashes (as a native decoder might): the photo fails, this process lives.
    const crash = path.join(dir, 'crash.js');
    fs.writeFileSync(crash, "process.stderr.write('decoder fell over\\n'); process.abort();\n");
    await assert.rejects(new ImageCache(path.join(dir, 'cache6'), forkedConverter(crash)).prepare(tif), /cannot read image ".*cut\.tif": decoder fell over \(the image converter was killed \(SIGABRT\)\)/);
    await assert.rejects(new ImageCache(path.join(dir, 'cache5'), forkedConverter(path.join(dir, 'none.js'))).prepare(tif), /image converter .*none\.js is missing/);
  });

  it('never loads sharp in the extension host bundle', () => {
    execFileSync(process.execPath, ['esbuild.js', 'extension'], { cwd: repoRoot, stdio: 'pipe' });
    const bundle = fs.readFileSync(path.join(repoRoot, 'dist', 'extension.js'), 'utf8');
    assert.doesNotMatch(bundle, /require\(["']sharp["']\)/);
    assert.doesNotMatch(bundle, /require\(["']@tensorflow\//);
  });
});
