/**
 * The one place the engine's own modules get decoded, resized images from.
 * Delegates to the data module's decoder (sharp, BMP, cache) when available.
 */
import sharp from 'sharp';

export interface DecodedImage {
  /** Grey [0,1], width*height. */
  grey: Float32Array;
  /** Interleaved RGB [0,1], width*height*3. */
  rgb: Float32Array;
  width: number;
  height: number;
  originalWidth: number;
  originalHeight: number;
}

/** TEMPORARY until src/engine/data lands: sharp only (no BMP, no cache). */
export async function decodeResized(file: string, width: number, height: number): Promise<DecodedImage> {
  const img = sharp(file).rotate();
  const meta = await img.metadata();
  const { data } = await img.removeAlpha().resize(width, height, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
  const n = width * height;
  const rgb = new Float32Array(n * 3);
  const grey = new Float32Array(n);
  const ch = data.length / n;
  for (let i = 0; i < n; i++) {
    const r = data[i * ch] / 255;
    const g = data[i * ch + (ch > 1 ? 1 : 0)] / 255;
    const b = data[i * ch + (ch > 2 ? 2 : 0)] / 255;
    rgb[3 * i] = r;
    rgb[3 * i + 1] = g;
    rgb[3 * i + 2] = b;
    grey[i] = 0.299 * r + 0.587 * g + 0.114 * b;
  }
  const swap = (meta.orientation ?? 1) >= 5;
  return {
    grey,
    rgb,
    width,
    height,
    originalWidth: (swap ? meta.height : meta.width) ?? 0,
    originalHeight: (swap ? meta.width : meta.height) ?? 0,
  };
}
