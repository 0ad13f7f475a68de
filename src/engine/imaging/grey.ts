/**
 * Grey images as Float32 arrays and the little maths the `default` preset needs on them:
 * image pyramids, normalised patches; bilinear sampling is the shared core's. Pure (no fs, no tfjs).
 */

// intensities at any scale here (the matcher normalises patches)
import type { GreyImage } from '../../shared/imaging/grey-image';
import { sampleClamped, samplePatchAt } from '../../shared/imaging/bilinear';
export type { GreyImage };

/**
 * Halves an image with a 2x2 box filter (odd last row/column dropped). `into`: an array of at
 * least the output's size to write into instead of a new one (every element is overwritten).
 */
export function halve(img: GreyImage, into?: Float32Array): GreyImage {
  const w = img.width >> 1;
  const h = img.height >> 1;
  const out = into && into.length >= w * h ? into.subarray(0, w * h) : new Float32Array(w * h);
  const src = img.data;
  const sw = img.width;
  for (let y = 0; y < h; y++) {
    const r0 = 2 * y * sw;
    const r1 = r0 + sw;
    const o = y * w;
    for (let x = 0; x < w; x++) {
      const c = 2 * x;
      out[o + x] = 0.25 * (src[r0 + c] + src[r0 + c + 1] + src[r1 + c] + src[r1 + c + 1]);
    }
  }
  return { width: w, height: h, data: out };
}

/**
 * Pyramid [level 0 = full size, level 1 = half, ...]. Level l's pixel (x, y) covers original
 * pixels around (x + 0.5) * 2^l - 0.5: use `toLevel` / `fromLevel` to convert coordinates.
 * `reuse`: an earlier pyramid whose levels 1.. may be overwritten (it becomes invalid).
 */
export function pyramid(img: GreyImage, levels: number, reuse?: GreyImage[]): GreyImage[] {
  const out = [img];
  for (let l = 1; l < levels; l++) out.push(halve(out[l - 1], reuse?.[l]?.data));
  return out;
}

/**
 * Pyramids for one image at a time that recycle the memory of levels 1.. between calls: a new
 * 1000 x 1470 level costs ~10 ms of page faults and zeroing per photo, a reused one nothing.
 * Each call's pyramid is valid until the next call: one pool per photo being predicted.
 */
export class PyramidPool {
  private last: GreyImage[] | undefined;
  pyramid(img: GreyImage, levels: number): GreyImage[] {
    this.last = pyramid(img, levels, this.last);
    return this.last;
  }
}

/** Original-pixel coordinate (pixel centres at integers) to level-l coordinate. */
export function toLevel(v: number, level: number): number {
  const s = 1 << level;
  return (v + 0.5) / s - 0.5;
}

export function fromLevel(v: number, level: number): number {
  const s = 1 << level;
  return (v + 0.5) * s - 0.5;
}

/**
 * Bilinear sample with clamped borders: the shared sampler (src/shared/imaging/bilinear.ts), so
 * the cascade, SDM, patchnet and augmentation read pixels the same way.
 */
export const sample: (img: GreyImage, x: number, y: number) => number = sampleClamped;

/**
 * A size x size patch centred at (cx, cy) (level pixels), step 1, clamped borders: the same
 * values as `sample` at every point, bit for bit. `out`: an array to write into.
 */
export function samplePatch(img: GreyImage, cx: number, cy: number, size: number, out?: Float32Array): Float32Array {
  return samplePatchAt(img, cx, cy, size, size, 1, 'edge', 0, 1, out);
}

/** Zero mean, unit L2 norm, in place. A flat patch becomes all zeros. Returns the patch. */
export function normalise(p: Float32Array): Float32Array {
  let m = 0;
  for (let i = 0; i < p.length; i++) m += p[i];
  m /= p.length;
  let ss = 0;
  for (let i = 0; i < p.length; i++) {
    p[i] -= m;
    ss += p[i] * p[i];
  }
  const inv = ss > 1e-12 ? 1 / Math.sqrt(ss) : 0;
  for (let i = 0; i < p.length; i++) p[i] *= inv;
  return p;
}

export function dot(a: Float32Array, b: Float32Array, offA = 0, offB = 0, n = a.length): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[offA + i] * b[offB + i];
  return s;
}

/** Gradient magnitude (central differences), same size; borders copy their neighbours. */
export function gradientMagnitude(img: GreyImage): GreyImage {
  const { width: w, height: h, data: d } = img;
  const out = new Float32Array(w * h);
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const gx = d[i + 1] - d[i - 1];
      const gy = d[i + w] - d[i - w];
      out[i] = Math.sqrt(gx * gx + gy * gy);
    }
  }
  return { width: w, height: h, data: out };
}

/** Pyramid of the chosen feature image: 'grey' intensities or 'grad' gradient magnitudes. */
export function featurePyramid(img: GreyImage, levels: number, feature: 'grey' | 'grad'): GreyImage[] {
  const p = pyramid(img, levels);
  return feature === 'grad' ? p.map(gradientMagnitude) : p;
}
