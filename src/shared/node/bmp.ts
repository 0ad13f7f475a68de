/**
 * BMP photos, which sharp's prebuilt libvips cannot read: decoded with bmp-js (pure JavaScript)
 * into tightly packed RGB, the one BMP decoder for the engine's images (src/engine/data/image.ts)
 * and the editor's image cache (src/extension/editor/images.ts), which may not import the engine.
 */
import * as bmp from 'bmp-js';

export interface RgbPixels {
  width: number;
  height: number;
  /** R, G, B bytes per pixel, rows top to bottom. */
  rgb: Buffer;
}

/** A BMP file by its content: the "BM" signature and room for the headers. */
export function isBmp(bytes: Uint8Array): boolean {
  return bytes.length > 26 && bytes[0] === 0x42 && bytes[1] === 0x4d;
}

/** Decodes a BMP; throws on a file too short for the size its header gives. */
export function decodeBmp(bytes: Buffer): RgbPixels {
  const img = bmp.decode(bytes);
  const { width, height } = img;
  const n = width * height;
  if (!(n > 0) || img.data.length < n * 4) throw new Error('truncated BMP');
  // bmp-js gives A, B, G, R per pixel.
  const rgb = Buffer.alloc(n * 3);
  for (let i = 0; i < n; i++) {
    rgb[3 * i] = img.data[4 * i + 3];
    rgb[3 * i + 1] = img.data[4 * i + 2];
    rgb[3 * i + 2] = img.data[4 * i + 1];
  }
  return { width, height, rgb };
}
