/**
 * The size of a photo from its header, in plain TypeScript: JPEG, PNG, BMP, TIFF, GIF and WebP.
 * The extension host reads photo sizes with this instead of a native decoder (sharp): a crash
 * in a native module there would take the whole extension host down.
 *
 * Sizes are those of the stored pixels plus the EXIF orientation (1-8; JPEG's and TIFF's own,
 * PNG's and WebP's eXIf/EXIF chunk), as sharp's metadata() gives them; `uprightWidth/Height`
 * swap them for orientations 5-8, which is how the engine and browsers show the photo.
 * Pure: the bytes come through `read`, so a caller reads a file (only the parts needed) or a buffer.
 */

export type PhotoFormat = 'jpeg' | 'png' | 'bmp' | 'tiff' | 'gif' | 'webp';

export interface PhotoHeader {
  format: PhotoFormat;
  /** Stored pixel size (before EXIF orientation). */
  width: number;
  height: number;
  /** EXIF orientation, 1 (upright) when the file has none. */
  orientation: number;
}

/** Reads up to `length` bytes at `offset` (fewer at the end of the data). */
export type ByteReader = (offset: number, length: number) => Promise<Uint8Array>;

/** A header that cannot be read: not one of the formats, or damaged. */
export class PhotoHeaderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PhotoHeaderError';
  }
}

/** Width and height of the photo as shown (orientations 5-8 swap them). */
export function uprightSize(h: PhotoHeader): { width: number; height: number } {
  return h.orientation >= 5 ? { width: h.height, height: h.width } : { width: h.width, height: h.height };
}

/** A reader over bytes already in memory. */
export function bufferReader(bytes: Uint8Array): ByteReader {
  return (offset, length) => Promise.resolve(bytes.subarray(Math.min(offset, bytes.length), Math.min(offset + length, bytes.length)));
}

const u16be = (b: Uint8Array, i: number): number => (b[i] << 8) | b[i + 1];
const u16le = (b: Uint8Array, i: number): number => b[i] | (b[i + 1] << 8);
const u32be = (b: Uint8Array, i: number): number => ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
const u32le = (b: Uint8Array, i: number): number => (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
const i32le = (b: Uint8Array, i: number): number => b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
const ascii = (b: Uint8Array, i: number, n: number): string => String.fromCharCode(...b.subarray(i, i + n));

async function readExactly(read: ByteReader, offset: number, length: number, what: string): Promise<Uint8Array> {
  const b = await read(offset, length);
  if (b.length < length) throw new PhotoHeaderError(`truncated ${what}`);
  return b;
}

function checked(h: PhotoHeader): PhotoHeader {
  if (!(h.width > 0 && h.height > 0)) throw new PhotoHeaderError(`no image size in the ${h.format.toUpperCase()} header`);
  if (!(h.orientation >= 1 && h.orientation <= 8)) h.orientation = 1;
  return h;
}

/** Reads the header of a photo; throws PhotoHeaderError when it is not a readable one. */
export async function readPhotoHeader(read: ByteReader): Promise<PhotoHeader> {
  const head = await read(0, 32);
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return checked(await jpeg(read));
  if (head.length >= 24 && u32be(head, 0) === 0x89504e47 && u32be(head, 4) === 0x0d0a1a0a) return checked(await png(read, head));
  if (head.length >= 8 && ((head[0] === 0x49 && head[1] === 0x49) || (head[0] === 0x4d && head[1] === 0x4d))) {
    const t = await tiff(read, 0);
    if (t) return checked({ format: 'tiff', ...t });
  }
  if (head.length >= 26 && head[0] === 0x42 && head[1] === 0x4d) return checked(bmp(head));
  if (head.length >= 10 && ascii(head, 0, 4) === 'GIF8') return checked({ format: 'gif', width: u16le(head, 6), height: u16le(head, 8), orientation: 1 });
  if (head.length >= 16 && ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 4) === 'WEBP') return checked(await webp(read));
  throw new PhotoHeaderError('not a JPEG, PNG, BMP, TIFF, GIF or WebP file');
}

// ---- JPEG: markers up to the first frame header (SOFn); APP1 "Exif" gives the orientation ----

const SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

async function jpeg(read: ByteReader): Promise<PhotoHeader> {
  let at = 2;
  let orientation = 1;
  for (let guard = 0; guard < 10000; guard++) {
    const m = await read(at, 4);
    if (m.length < 2) throw new PhotoHeaderError('truncated JPEG header');
    if (m[0] !== 0xff) throw new PhotoHeaderError(`damaged JPEG header (no marker at byte ${at})`);
    const marker = m[1];
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2; // no length
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) break; // end of image / start of scan before any frame
    if (m.length < 4) throw new PhotoHeaderError('truncated JPEG header');
    const length = u16be(m, 2);
    if (length < 2) throw new PhotoHeaderError('damaged JPEG header (segment length)');
    if (SOF.has(marker)) {
      const f = await readExactly(read, at + 4, 5, 'JPEG frame header');
      return { format: 'jpeg', width: u16be(f, 3), height: u16be(f, 1), orientation };
    }
    if (marker === 0xe1 && orientation === 1 && length >= 16) {
      const seg = await readExactly(read, at + 4, length - 2, 'JPEG EXIF segment');
      if (ascii(seg, 0, 4) === 'Exif' && seg[4] === 0 && seg[5] === 0) {
        const t = await tiff(bufferReader(seg.subarray(6)), 0, true);
        if (t) orientation = t.orientation;
      }
    }
    at += 2 + length;
  }
  throw new PhotoHeaderError('no frame header in the JPEG file');
}

// ---- TIFF (and EXIF, which is a TIFF structure): the first IFD's size and orientation ----

async function tiff(read: ByteReader, base: number, orientationOnly = false): Promise<{ width: number; height: number; orientation: number } | undefined> {
  const h = await read(base, 16);
  if (h.length < 8) return undefined;
  const le = h[0] === 0x49 && h[1] === 0x49;
  if (!le && !(h[0] === 0x4d && h[1] === 0x4d)) return undefined;
  const u16 = le ? u16le : u16be;
  const u32 = le ? u32le : u32be;
  const magic = u16(h, 2);
  let width = 0;
  let height = 0;
  let orientation = 1;
  if (magic === 42) {
    const ifd = u32(h, 4);
    const countBytes = await readExactly(read, base + ifd, 2, 'TIFF directory');
    const count = u16(countBytes, 0);
    const entries = await readExactly(read, base + ifd + 2, count * 12, 'TIFF directory');
    for (let k = 0; k < count; k++) {
      const e = k * 12;
      const tag = u16(entries, e);
      const type = u16(entries, e + 2);
      // SHORT (3) values sit in the first two bytes of the value field; LONG (4) fill it.
      const value = type === 3 ? u16(entries, e + 8) : type === 4 ? u32(entries, e + 8) : 0;
      if (tag === 256) width = value;
      else if (tag === 257) height = value;
      else if (tag === 274) orientation = value;
    }
  } else if (magic === 43 && !orientationOnly) {
    // BigTIFF: 8-byte offsets and counts, 20-byte entries.
    if (u16(h, 4) !== 8) return undefined;
    const ifd = u32(h, le ? 12 : 8) * 2 ** 32 + u32(h, le ? 8 : 12);
    const countBytes = await readExactly(read, base + ifd, 8, 'BigTIFF directory');
    const count = Math.min(u32(countBytes, le ? 0 : 4), 4096);
    const entries = await readExactly(read, base + ifd + 8, count * 20, 'BigTIFF directory');
    for (let k = 0; k < count; k++) {
      const e = k * 20;
      const tag = u16(entries, e);
      const type = u16(entries, e + 2);
      const value = type === 3 ? u16(entries, e + 12) : type === 4 || type === 16 ? u32(entries, e + (type === 16 && !le ? 16 : 12)) : 0;
      if (tag === 256) width = value;
      else if (tag === 257) height = value;
      else if (tag === 274) orientation = value;
    }
  } else {
    return undefined;
  }
  return { width, height, orientation };
}

// ---- PNG: IHDR, then an eXIf chunk before the image data for the orientation ----

async function png(read: ByteReader, head: Uint8Array): Promise<PhotoHeader> {
  if (ascii(head, 12, 4) !== 'IHDR') throw new PhotoHeaderError('damaged PNG header (no IHDR chunk first)');
  const width = u32be(head, 16);
  const height = u32be(head, 20);
  let orientation = 1;
  let at = 8;
  for (let guard = 0; guard < 10000; guard++) {
    const c = await read(at, 8);
    if (c.length < 8) break;
    const length = u32be(c, 0);
    const type = ascii(c, 4, 4);
    if (type === 'IDAT' || type === 'IEND') break;
    if (type === 'eXIf') {
      const t = await tiff((o, n) => read(at + 8 + o, Math.min(n, Math.max(0, length - o))), 0, true);
      if (t) orientation = t.orientation;
      break;
    }
    at += 12 + length;
  }
  return { format: 'png', width, height, orientation };
}

// ---- BMP: BITMAPCOREHEADER (16-bit sizes) or BITMAPINFOHEADER and later (signed 32-bit) ----

function bmp(head: Uint8Array): PhotoHeader {
  const dib = u32le(head, 14);
  if (dib === 12) return { format: 'bmp', width: u16le(head, 18), height: u16le(head, 20), orientation: 1 };
  if (dib < 40) throw new PhotoHeaderError(`unknown BMP header (size ${dib})`);
  // A negative height means rows stored top-down: the picture is the same size.
  return { format: 'bmp', width: Math.abs(i32le(head, 18)), height: Math.abs(i32le(head, 22)), orientation: 1 };
}

// ---- WebP: VP8X (extended, with an EXIF chunk for the orientation), VP8L (lossless), VP8 (lossy) ----

async function webp(read: ByteReader): Promise<PhotoHeader> {
  const riffEnd = 8 + u32le(await readExactly(read, 4, 4, 'WebP header'), 0);
  let at = 12;
  let size: { width: number; height: number } | undefined;
  let orientation = 1;
  let extended = false;
  for (let guard = 0; guard < 10000 && at + 8 <= riffEnd; guard++) {
    const c = await read(at, 8 + 30);
    if (c.length < 8) break;
    const type = ascii(c, 0, 4);
    const length = u32le(c, 4);
    const d = c.subarray(8);
    if (type === 'VP8X' && d.length >= 10) {
      extended = true;
      size = { width: 1 + (d[4] | (d[5] << 8) | (d[6] << 16)), height: 1 + (d[7] | (d[8] << 8) | (d[9] << 16)) };
      if (!(d[0] & 0x08)) break; // no EXIF chunk
    } else if (type === 'VP8L' && !size && d.length >= 5) {
      if (d[0] !== 0x2f) throw new PhotoHeaderError('damaged WebP (lossless) header');
      const bits = u32le(d, 1);
      size = { width: 1 + (bits & 0x3fff), height: 1 + ((bits >>> 14) & 0x3fff) };
    } else if (type === 'VP8 ' && !size && d.length >= 10) {
      if (d[3] !== 0x9d || d[4] !== 0x01 || d[5] !== 0x2a) throw new PhotoHeaderError('damaged WebP (lossy) header');
      size = { width: u16le(d, 6) & 0x3fff, height: u16le(d, 8) & 0x3fff };
    } else if (type === 'EXIF') {
      const exifAt = at + 8;
      const skip = ascii(await read(exifAt, 6), 0, 4) === 'Exif' ? 6 : 0;
      const t = await tiff((o, n) => read(exifAt + skip + o, Math.min(n, Math.max(0, length - skip - o))), 0, true);
      if (t) orientation = t.orientation;
      break;
    }
    if (size && !extended) break;
    at += 8 + length + (length & 1);
  }
  if (!size) throw new PhotoHeaderError('no image size in the WebP header');
  return { format: 'webp', ...size, orientation };
}
