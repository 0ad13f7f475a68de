/**
 * A PNG a browser can show, from a photo it cannot (TIFF, BMP): upright (EXIF orientation
 * applied), lossless, channels and bit depth as stored. BMP is decoded with bmp-js (sharp's
 * prebuilt libvips cannot read it).
 */
import * as fs from 'fs';
import sharp from 'sharp';
import * as bmp from 'bmp-js';

/** Decodes a BMP into tightly packed RGB (bmp-js yields ABGR). */
export function decodeBmpToRgb(bytes: Buffer): { width: number; height: number; rgb: Buffer } {
  const d = bmp.decode(bytes);
  const width = Math.abs(d.width);
  const height = Math.abs(d.height);
  if (!(width * height > 0) || d.data.length < width * height * 4) throw new Error('truncated BMP');
  const rgb = Buffer.alloc(width * height * 3);
  for (let i = 0, j = 0; i < width * height; i++, j += 4) {
    rgb[i * 3] = d.data[j + 3];
    rgb[i * 3 + 1] = d.data[j + 2];
    rgb[i * 3 + 2] = d.data[j + 1];
  }
  return { width, height, rgb };
}

/** The PNG bytes of `file` as a browser should show it. */
export async function displayPng(file: string): Promise<Buffer> {
  const bytes = await fs.promises.readFile(file);
  if (bytes.length > 1 && bytes[0] === 0x42 && bytes[1] === 0x4d) {
    const { width, height, rgb } = decodeBmpToRgb(bytes);
    return sharp(rgb, { raw: { width, height, channels: 3 } }).png({ compressionLevel: 3 }).toBuffer();
  }
  return sharp(bytes).rotate().png({ compressionLevel: 3 }).toBuffer();
}
