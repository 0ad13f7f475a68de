/**
 * Shape-indexed local descriptors for the SDM refinement stage: a HOG-like histogram of signed
 * gradient orientations around a point, on one pyramid level. The window (a square of `side`
 * original pixels centred on the point) is sampled on a regular grid (bilinear), gradients are
 * taken on that grid, and each sample votes its magnitude into `bins` orientation bins (linear
 * between the two nearest) of the `cells` x `cells` spatial cells (bilinear between the four
 * nearest cell centres). The block is L2-normalised, clipped at `clip` and renormalised. Pure.
 */
import { sample, toLevel, type GreyImage } from '../../imaging/grey';

export interface DescriptorSpec {
  /** Spatial cells per side. */
  cells: number;
  /** Grid samples per cell side. */
  perCell: number;
  /** Orientation bins over 360 degrees (signed gradients). */
  bins: number;
  /** Clip after the first normalisation (SIFT-style), 0 = none. */
  clip: number;
}

export const DEFAULT_DESCRIPTOR: DescriptorSpec = { cells: 4, perCell: 4, bins: 8, clip: 0.2 };

export function descriptorLength(s: DescriptorSpec): number {
  return s.cells * s.cells * s.bins;
}

/** The pyramid level whose pixel best matches the grid spacing (clamped to [minLevel, maxLevel]). */
export function levelForSpacing(spacing: number, minLevel: number, maxLevel: number): number {
  const l = Math.floor(Math.log2(Math.max(1, spacing)));
  return Math.max(minLevel, Math.min(maxLevel, l));
}

/**
 * Writes the descriptor of the window of `side` original pixels centred at (x, y) (original
 * pixels) into out[offset ..], sampled on `img` = pyramid level `level`. `grid` is scratch of
 * (n + 2)^2 floats, n = cells * perCell.
 */
export function describe(
  img: GreyImage,
  level: number,
  x: number,
  y: number,
  side: number,
  s: DescriptorSpec,
  out: Float32Array,
  offset: number,
  grid?: Float32Array,
): void {
  const n = s.cells * s.perCell;
  const g = n + 2;
  const v = grid && grid.length >= g * g ? grid : new Float32Array(g * g);
  const step = side / n / (1 << level); // level pixels between samples
  const cx = toLevel(x, level);
  const cy = toLevel(y, level);
  const x0 = cx - (step * (n + 1)) / 2;
  const y0 = cy - (step * (n + 1)) / 2;
  for (let j = 0; j < g; j++) {
    const yy = y0 + j * step;
    for (let i = 0; i < g; i++) v[j * g + i] = sample(img, x0 + i * step, yy);
  }
  const len = descriptorLength(s);
  const B = s.bins;
  const C = s.cells;
  for (let q = 0; q < len; q++) out[offset + q] = 0;
  const binScale = B / (2 * Math.PI);
  for (let j = 0; j < n; j++) {
    // cell coordinate of this row's centre, minus 0.5 so that integers are cell centres
    const cv = (j + 0.5) / s.perCell - 0.5;
    const c0y = Math.floor(cv);
    const fy = cv - c0y;
    for (let i = 0; i < n; i++) {
      const k = (j + 1) * g + (i + 1);
      const gx = v[k + 1] - v[k - 1];
      const gy = v[k + g] - v[k - g];
      const m = Math.sqrt(gx * gx + gy * gy);
      if (m === 0) continue;
      let a = Math.atan2(gy, gx) * binScale; // -B/2 .. B/2
      if (a < 0) a += B;
      const b0 = Math.floor(a);
      const fb = a - b0;
      const bA = b0 % B;
      const bB = (b0 + 1) % B;
      const cu = (i + 0.5) / s.perCell - 0.5;
      const c0x = Math.floor(cu);
      const fx = cu - c0x;
      for (let dy = 0; dy < 2; dy++) {
        const cyy = c0y + dy;
        if (cyy < 0 || cyy >= C) continue;
        const wy = dy ? fy : 1 - fy;
        for (let dx = 0; dx < 2; dx++) {
          const cxx = c0x + dx;
          if (cxx < 0 || cxx >= C) continue;
          const w = m * wy * (dx ? fx : 1 - fx);
          const o = offset + (cyy * C + cxx) * B;
          out[o + bA] += w * (1 - fb);
          out[o + bB] += w * fb;
        }
      }
    }
  }
  normaliseBlock(out, offset, len, s.clip);
}

function normaliseBlock(out: Float32Array, offset: number, len: number, clip: number): void {
  let ss = 0;
  for (let q = 0; q < len; q++) ss += out[offset + q] * out[offset + q];
  if (ss <= 1e-12) return;
  let inv = 1 / Math.sqrt(ss);
  if (clip <= 0) {
    for (let q = 0; q < len; q++) out[offset + q] *= inv;
    return;
  }
  ss = 0;
  for (let q = 0; q < len; q++) {
    const t = Math.min(clip, out[offset + q] * inv);
    out[offset + q] = t;
    ss += t * t;
  }
  inv = ss > 1e-12 ? 1 / Math.sqrt(ss) : 0;
  for (let q = 0; q < len; q++) out[offset + q] *= inv;
}
