/**
 * A PNG a browser can show, from a photo it cannot (TIFF, BMP): upright (EXIF orientation
 * applied), lossless, channels and bit depth as stored. BMP is decoded by src/shared/node/bmp.ts
 * (sharp's prebuilt libvips cannot read it).
 */
import * as fs from 'fs';
import sharp from 'sharp';
import { decodeBmp, isBmp } from '../../shared/node/bmp';

/** The PNG bytes of `file` as a browser should show it. */
export async function displayPng(file: string): Promise<Buffer> {
  const bytes = await fs.promises.readFile(file);
  if (isBmp(bytes)) {
    const { width, height, rgb } = decodeBmp(bytes);
    return sharp(rgb, { raw: { width, height, channels: 3 } }).png({ compressionLevel: 3 }).toBuffer();
  }
  return sharp(bytes).rotate().png({ compressionLevel: 3 }).toBuffer();
}
