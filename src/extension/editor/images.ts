/**
 * Finds and prepares specimen photos for the editor webview (extension host side).
 * Browsers show JPEG/PNG/GIF/WebP directly; TIFF and BMP are converted once to PNG into a cache
 * folder keyed by path, size and modification time. Sizes come from the file's header
 * (src/shared/imaging/photo-header.ts); the conversion runs in a child process
 * (dist/image-convert.js, with sharp): no native module is ever loaded in the extension host.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { fork } from 'child_process';
import { readPhotoHeaderOfFile } from '../../shared/node/photo-file';
import { uprightSize } from '../../shared/imaging/photo-header';
import { childExecArgv } from '../engine-client';

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

/** Writes the browser-viewable PNG of a TIFF or BMP photo to `output`. */
export type PngConverter = (input: string, output: string) => Promise<void>;

/** The converter the extension uses: dist/image-convert.js (beside dist/extension.js), forked. */
export function defaultConverterScript(): string {
  return path.join(__dirname, 'image-convert.js');
}

/**
 * Converts in a child process (dist/image-convert.js, which loads sharp): a crash of the native
 * decoder fails that photo, not the extension host.
 */
export function forkedConverter(script: string = defaultConverterScript()): PngConverter {
  return (input, output) =>
    new Promise((resolve, reject) => {
      if (!fs.existsSync(script)) {
        reject(new Error(`the image converter ${script} is missing (npm run build, or reinstall the extension)`));
        return;
      }
      const env: NodeJS.ProcessEnv = { ...process.env, ELECTRON_RUN_AS_NODE: '1' };
      delete env.NODE_OPTIONS;
      const child = fork(script, [input, output], { execArgv: childExecArgv(process.execArgv), env, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
      let stderr = '';
      child.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString('utf8')).slice(0, 4000)));
      child.on('error', reject);
      child.on('exit', (code, signal) => {
        if (code === 0) return resolve();
        // Its own message is the first line (a crash adds a native stack after it).
        const first = stderr.trim().split('\n')[0]?.trim();
        const how = signal ? `the image converter was killed (${signal})` : `the image converter exited with code ${code}`;
        reject(new Error(first ? (signal ? `${first} (${how})` : first) : how));
      });
    });
}

export class ImageCache {
  private readonly pending = new Map<string, Promise<PreparedImage>>();

  constructor(
    private readonly cacheDir: string,
    private readonly convert: PngConverter = forkedConverter(),
  ) {}

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
    // The size from the header (no native decoder in the extension host), of the upright photo
    // (EXIF orientation applied), as the engine and browsers see it.
    const header = await readPhotoHeaderOfFile(file);
    const { width, height } = uprightSize(header);
    if (BROWSER_FORMATS.has(ext) && header.format !== 'tiff' && header.format !== 'bmp') {
      return { path: file, displayPath: file, width, height };
    }
    const out = this.cachePath(key);
    if (!fs.existsSync(out)) {
      await fs.promises.mkdir(path.dirname(out), { recursive: true });
      const tmp = `${out}.${process.pid}.${Date.now()}.tmp`;
      try {
        await this.convert(file, tmp);
        await fs.promises.rename(tmp, out);
      } finally {
        await fs.promises.rm(tmp, { force: true });
      }
    }
    return { path: file, displayPath: out, width, height };
  }

  private cachePath(key: string): string {
    const hash = crypto.createHash('sha1').update(key).digest('hex').slice(0, 20);
    return path.join(this.cacheDir, `${hash}.png`);
  }
}
