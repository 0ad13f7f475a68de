/**
 * A disk cache of decoded model-size images, so a dataset is decoded once across runs.
 * Key: absolute path + file size + mtime + model input size + fit (+ format version); the value
 * is the 8-bit RGB at the model size and its frame. Files are written atomically (temp file +
 * rename); a damaged cache file is ignored and rewritten. Default folder:
 * os.tmpdir()/landmarks-cache.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { ImageFrame } from '../../shared/augment/frame';
import { writeFileAtomic } from '../../shared/node/atomic-write';
import { type DecodeOptions, type DecodedImage, type InputSize, decodeImageBytes, decodedFromBytes } from './image';

const MAGIC = 'LMC1';
const VERSION = 1;

export function defaultCacheDir(): string {
  return path.join(os.tmpdir(), 'landmarks-cache');
}

export interface CacheOptions {
  /** Cache folder (default defaultCacheDir()); `false` disables the cache. */
  dir?: string | false;
}

export interface CacheStats {
  hits: number;
  misses: number;
}

/** Cache key of an image file at a model size; undefined when the file cannot be stat'ed. */
export async function cacheKey(file: string, size: InputSize, fit: string): Promise<string | undefined> {
  const abs = path.resolve(file);
  let st: fs.Stats;
  try {
    st = await fs.promises.stat(abs);
  } catch {
    return undefined;
  }
  const key = JSON.stringify({ v: VERSION, abs, bytes: st.size, mtime: st.mtimeMs, w: size.width, h: size.height, fit });
  return crypto.createHash('sha1').update(key).digest('hex');
}

function encode(rgb: Uint8Array, frame: ImageFrame): Buffer {
  const header = Buffer.from(JSON.stringify(frame), 'utf8');
  const out = Buffer.alloc(8 + header.length + rgb.length);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(header.length, 4);
  header.copy(out, 8);
  Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength).copy(out, 8 + header.length);
  return out;
}

function decode(buf: Buffer, size: InputSize): { rgb: Uint8Array; frame: ImageFrame } | undefined {
  if (buf.length < 8 || buf.toString('latin1', 0, 4) !== MAGIC) return undefined;
  const n = buf.readUInt32LE(4);
  if (8 + n > buf.length) return undefined;
  let frame: ImageFrame;
  try {
    frame = JSON.parse(buf.toString('utf8', 8, 8 + n)) as ImageFrame;
  } catch {
    return undefined;
  }
  if (frame.width !== size.width || frame.height !== size.height) return undefined;
  const rgb = new Uint8Array(buf.buffer, buf.byteOffset + 8 + n, buf.length - 8 - n);
  if (rgb.length !== size.width * size.height * 3) return undefined;
  return { rgb, frame };
}

/** decodeImage through the disk cache. Cache I/O problems never fail a decode. */
export async function decodeImageCached(
  file: string,
  size: InputSize,
  options: DecodeOptions & CacheOptions = {},
  stats?: CacheStats,
): Promise<DecodedImage> {
  const fit = options.fit ?? 'stretch';
  const dir = options.dir === undefined ? defaultCacheDir() : options.dir;
  const key = dir === false ? undefined : await cacheKey(file, size, fit);
  const cacheFile = dir !== false && key ? path.join(dir, `${key}.bin`) : undefined;
  if (cacheFile) {
    try {
      const hit = decode(await fs.promises.readFile(cacheFile), size);
      if (hit) {
        if (stats) stats.hits++;
        return decodedFromBytes(hit.rgb, hit.frame);
      }
    } catch {
      // not cached yet
    }
  }
  const { rgb, frame } = await decodeImageBytes(file, size, { fit });
  if (stats) stats.misses++;
  if (cacheFile) {
    try {
      // Not flushed (durable: false): decode() checks every cache file and a bad one is rebuilt.
      await writeFileAtomic(cacheFile, encode(rgb, frame), { durable: false });
    } catch {
      // a read-only or full cache folder only costs speed
    }
  }
  return decodedFromBytes(rgb, frame);
}

/** Default size budget of the cache folder. */
export const DEFAULT_CACHE_BYTES = 1024 * 1024 * 1024;

/**
 * Keeps the cache folder under `maxBytes` by deleting the least recently written entries.
 * Only files this cache wrote (`<sha1>.bin`, stale `*.tmp`) are touched. Returns bytes freed.
 */
export async function pruneCache(dir: string = defaultCacheDir(), maxBytes: number = DEFAULT_CACHE_BYTES): Promise<number> {
  let names: string[];
  try {
    names = await fs.promises.readdir(dir);
  } catch {
    return 0;
  }
  const entries: { file: string; size: number; mtime: number }[] = [];
  for (const name of names) {
    if (!/^[0-9a-f]{40}\.bin$/.test(name) && !/\.tmp$/.test(name)) continue;
    try {
      const st = await fs.promises.stat(path.join(dir, name));
      entries.push({ file: path.join(dir, name), size: st.size, mtime: st.mtimeMs });
    } catch {
      // removed meanwhile
    }
  }
  let total = entries.reduce((s, e) => s + e.size, 0);
  let freed = 0;
  entries.sort((a, b) => a.mtime - b.mtime);
  for (const e of entries) {
    if (total <= maxBytes) break;
    try {
      await fs.promises.rm(e.file, { force: true });
      total -= e.size;
      freed += e.size;
    } catch {
      // in use or gone: skip
    }
  }
  return freed;
}
