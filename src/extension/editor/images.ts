/**
 * Finds and prepares specimen photos for the editor webview (extension host side).
 * Browsers show JPEG/PNG/GIF/WebP directly; TIFF and BMP are converted once to PNG with sharp
 * (BMP decoded by src/shared/node/bmp.ts: sharp's prebuilt libvips cannot read it) into a cache folder
 * keyed by path, size and modification time.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { writeFileAtomic } from '../../shared/node/atomic-write';
import { decodeBmp } from '../../shared/node/bmp';

export interface PreparedImage {
  /** The original photo (TPS coordinates refer to its pixels). */
  path: string;
  /** The file the browser loads: the original, or a converted PNG in the cache. */
  displayPath: string;
  width: number;
  height: number;
  /** Changes when the photo changes on disk (for cache-busting URLs). */
  version: string;
}

/**
 * The photo formats (of src/shared/image-files.ts, the one list) a browser shows as they are; the
 * others (TIFF, BMP) are converted to PNG.
 */
const BROWSER_FORMATS = new Set(['.jpg', '.jpeg', '.jpe', '.jfif', '.png', '.gif', '.webp']);

type SharpFactory = typeof import('sharp');
let sharpModule: SharpFactory | undefined;
function sharp(): SharpFactory {
  // Loaded lazily: a native module, only needed once a photo is shown.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  sharpModule ??= require('sharp') as SharpFactory;
  return sharpModule;
}

export class ImageCache {
  private readonly pending = new Map<string, Promise<PreparedImage>>();

  constructor(private readonly cacheDir: string) {}

  get folder(): string {
    return this.cacheDir;
  }

  /** Size and a browser-viewable file for a photo; throws with the file name on failure. */
  prepare(file: string): Promise<PreparedImage> {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      return Promise.reject(new Error(`cannot read ${file}`));
    }
    const key = `${file}|${stat.size}|${stat.mtimeMs}`;
    let p = this.pending.get(key);
    if (!p) {
      const version = `${Math.round(stat.mtimeMs).toString(36)}-${stat.size.toString(36)}`;
      p = this.prepareUncached(file, key).then(
        (img) => ({ ...img, version }),
        (e: unknown) => {
          throw new Error(`cannot read image "${file}": ${e instanceof Error ? e.message : String(e)}`);
        },
      );
      this.pending.set(key, p);
      p.catch(() => this.pending.delete(key));
    }
    return p;
  }

  private async prepareUncached(file: string, key: string): Promise<Omit<PreparedImage, 'version'>> {
    const ext = path.extname(file).toLowerCase();
    if (ext === '.bmp') {
      const { width, height, rgb } = decodeBmp(await fs.promises.readFile(file));
      const out = this.cachePath(key);
      if (!fs.existsSync(out)) {
        const png = await sharp()(rgb, { raw: { width, height, channels: 3 } }).png({ compressionLevel: 3 }).toBuffer();
        await this.writeAtomic(out, png);
      }
      return { path: file, displayPath: out, width, height };
    }
    const meta = await sharp()(file).metadata();
    if (!meta.width || !meta.height) throw new Error(`cannot read the size of ${file}`);
    // Sizes of the upright photo (EXIF orientation applied), as the engine and browsers see it.
    const swap = (meta.orientation ?? 1) >= 5;
    const width = swap ? meta.height : meta.width;
    const height = swap ? meta.width : meta.height;
    if (BROWSER_FORMATS.has(ext) && meta.format !== 'tiff') {
      return { path: file, displayPath: file, width, height };
    }
    const out = this.cachePath(key);
    if (!fs.existsSync(out)) {
      const png = await sharp()(file).rotate().png({ compressionLevel: 3 }).toBuffer();
      await this.writeAtomic(out, png);
    }
    return { path: file, displayPath: out, width, height };
  }

  private cachePath(key: string): string {
    const hash = crypto.createHash('sha1').update(key).digest('hex').slice(0, 20);
    return path.join(this.cacheDir, `${hash}.png`);
  }

  /** Cache PNGs are not flushed (durable: false): they are rebuilt from the photo whenever missing. */
  private async writeAtomic(target: string, bytes: Buffer): Promise<void> {
    await writeFileAtomic(target, bytes, { durable: false });
  }
}
