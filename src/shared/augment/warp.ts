/**
 * Resampling of single-channel images held in typed arrays (row-major, y down).
 * Pure and allocation-light: used by augmentation (warps of model inputs) and by
 * coarse-to-fine refinement (many patches from one full-resolution grey image).
 */
import { type Affine, invert } from './affine';
import type { Point } from './frame';
import type { GreyImage } from '../imaging/grey-image';
import { type BorderMode, type Plane, sampleBilinear, samplePatchAt } from '../imaging/bilinear';

/** Here Float32 data is in [0, 1]; a Uint8 Plane is 0..255 (see valueScale). */
export type { GreyImage };

export type { Plane, BorderMode };
export { sampleBilinear };

export interface SampleOptions {
  /** What lies outside the source: a constant (`fill`, default 0) or the nearest edge pixel. */
  border?: BorderMode;
  fill?: number;
  /** Multiplies every sampled value (1/255 turns 8-bit data into [0, 1]). Default 1. */
  valueScale?: number;
}

/**
 * Warps `src` by the affine `m` (source pixel -> destination pixel, the same matrix that
 * transformFlat applies to landmarks), producing an outWidth x outHeight image (default: the
 * source size). Each destination pixel samples the source at m^-1(destination), bilinearly.
 */
export function warpGrey(
  src: Plane,
  m: Affine,
  outWidth: number = src.width,
  outHeight: number = src.height,
  options: SampleOptions = {},
): GreyImage {
  const inv = invert(m);
  const border = options.border ?? 'constant';
  const fill = options.fill ?? 0;
  const k = options.valueScale ?? 1;
  const out = new Float32Array(outWidth * outHeight);
  const fillScaled = fill / k;
  for (let y = 0; y < outHeight; y++) {
    // Source position of (0, y), then step by the first column of inv per x.
    let sx = inv[1] * y + inv[2];
    let sy = inv[4] * y + inv[5];
    const row = y * outWidth;
    for (let x = 0; x < outWidth; x++) {
      out[row + x] = k * sampleBilinear(src, sx, sy, border, fillScaled);
      sx += inv[0];
      sy += inv[3];
    }
  }
  return { data: out, width: outWidth, height: outHeight };
}

/**
 * A size x size (or sizeX x sizeY) patch centred on `centre` (source pixels), sampling every
 * `step` source pixels (step > 1 zooms out: use a downsampled source for large steps to avoid
 * aliasing, see downsample2x). Patch pixel (i, j) samples the source at
 * centre + ((i - (sizeX-1)/2) * step, (j - (sizeY-1)/2) * step); patchToSource gives that map.
 */
export function samplePatch(
  src: Plane,
  centre: Point,
  sizeX: number,
  sizeY: number = sizeX,
  step = 1,
  options: SampleOptions = {},
): GreyImage {
  // patchToSource's map, sampled directly (the same points as warpGrey would visit).
  const data = samplePatchAt(
    src,
    centre.x,
    centre.y,
    sizeX,
    sizeY,
    step,
    options.border ?? 'constant',
    options.fill ?? 0,
    options.valueScale ?? 1,
  );
  return { data, width: sizeX, height: sizeY };
}

/** The affine map from patch pixels to source pixels used by samplePatch. */
export function patchToSource(centre: Point, sizeX: number, sizeY: number = sizeX, step = 1): Affine {
  return [step, 0, centre.x - ((sizeX - 1) / 2) * step, 0, step, centre.y - ((sizeY - 1) / 2) * step];
}

/**
 * Halves an image by 2x2 box averaging (odd last row/column averaged with itself). Source pixel
 * coordinates p map to (p - 0.5) / 2 in the result.
 */
export function downsample2x(src: Plane, valueScale = 1): GreyImage {
  const w = Math.max(1, Math.floor((src.width + 1) / 2));
  const h = Math.max(1, Math.floor((src.height + 1) / 2));
  const out = new Float32Array(w * h);
  const { data, width: sw, height: sh } = src;
  for (let y = 0; y < h; y++) {
    const y0 = 2 * y;
    const y1 = Math.min(y0 + 1, sh - 1);
    for (let x = 0; x < w; x++) {
      const x0 = 2 * x;
      const x1 = Math.min(x0 + 1, sw - 1);
      out[y * w + x] =
        (valueScale * (data[y0 * sw + x0] + data[y0 * sw + x1] + data[y1 * sw + x0] + data[y1 * sw + x1])) / 4;
    }
  }
  return { data: out, width: w, height: h };
}

/** Mirrors an image left-right. */
export function flipGreyHorizontal(src: GreyImage): GreyImage {
  const { width: w, height: h, data } = src;
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) out[row + x] = data[row + w - 1 - x];
  }
  return { data: out, width: w, height: h };
}
