/**
 * Patch geometry for the patch-refinement net: crops kept per landmark while training, rotated /
 * scaled patch sampling, per-patch normalisation, and the soft-argmax of a heatmap channel.
 * Pure (no fs, no tfjs). Coordinates: level pixels unless said otherwise (see grey.ts).
 */
import { sample, type GreyImage } from '../../imaging/grey';

/** A window of one pyramid level, with its origin in that level's coordinates. */
export interface Crop {
  img: GreyImage;
  x0: number;
  y0: number;
}

/** Copies the window [cx - r, cx + r] x [cy - r, cy + r] (integer-aligned, clamped samples). */
export function cutCrop(img: GreyImage, cx: number, cy: number, r: number): Crop {
  const x0 = Math.floor(cx) - r;
  const y0 = Math.floor(cy) - r;
  const n = 2 * r + 1;
  const data = new Float32Array(n * n);
  for (let j = 0; j < n; j++) {
    const y = Math.min(img.height - 1, Math.max(0, y0 + j));
    for (let i = 0; i < n; i++) {
      const x = Math.min(img.width - 1, Math.max(0, x0 + i));
      data[j * n + i] = img.data[y * img.width + x];
    }
  }
  return { img: { width: n, height: n, data }, x0, y0 };
}

/**
 * A size x size patch whose pixel (i, j) samples the source at
 * (cx, cy) + scale * R(angle) * (i - h, j - h), h = (size - 1) / 2, written at out[offset...].
 * The source is a whole level (x0 = y0 = 0) or a crop of it.
 */
export function sampleRotated(
  src: Crop,
  cx: number,
  cy: number,
  size: number,
  scale: number,
  angle: number,
  out: Float32Array,
  offset = 0,
): void {
  const h = (size - 1) / 2;
  const c = Math.cos(angle) * scale;
  const s = Math.sin(angle) * scale;
  const bx = cx - src.x0;
  const by = cy - src.y0;
  for (let j = 0; j < size; j++) {
    const v = j - h;
    for (let i = 0; i < size; i++) {
      const u = i - h;
      out[offset + j * size + i] = sample(src.img, bx + c * u - s * v, by + s * u + c * v);
    }
  }
}

/** Zero mean, unit standard deviation (a flat patch becomes zeros), in place on out[offset...]. */
export function standardise(out: Float32Array, offset: number, n: number): void {
  let m = 0;
  for (let i = 0; i < n; i++) m += out[offset + i];
  m /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = out[offset + i] - m;
    ss += d * d;
  }
  const inv = ss > 1e-9 ? 1 / Math.sqrt(ss / n) : 0;
  for (let i = 0; i < n; i++) out[offset + i] = (out[offset + i] - m) * inv;
}

/**
 * Patch-pixel offset (from the patch centre) of heatmap cell k along one axis, for a heatmap
 * `stride` times smaller than a patch of `size` pixels.
 */
export function cellOffset(k: number, stride: number, size: number): number {
  return k * stride + (stride - 1) / 2 - (size - 1) / 2;
}

export interface SoftArgmax {
  /** Expected offset from the patch centre, patch pixels. */
  dx: number;
  dy: number;
  /** sqrt of the distribution's total variance, patch pixels. */
  spread: number;
  /** Largest probability of a cell. */
  peak: number;
}

/**
 * Softmax over channel `ch` of an [hm x hm x channels] logit map (row-major, channels last)
 * starting at `base`, and its expectation / spread in patch pixels.
 */
export function softArgmax(logits: Float32Array | Int32Array | Uint8Array, base: number, hm: number, channels: number, ch: number, stride: number, size: number): SoftArgmax {
  let mx = -Infinity;
  for (let k = 0; k < hm * hm; k++) mx = Math.max(mx, logits[base + k * channels + ch]);
  let z = 0;
  let ex = 0;
  let ey = 0;
  let exx = 0;
  let eyy = 0;
  let peak = 0;
  for (let y = 0; y < hm; y++) {
    const oy = cellOffset(y, stride, size);
    for (let x = 0; x < hm; x++) {
      const ox = cellOffset(x, stride, size);
      const p = Math.exp(logits[base + (y * hm + x) * channels + ch] - mx);
      z += p;
      ex += p * ox;
      ey += p * oy;
      exx += p * ox * ox;
      eyy += p * oy * oy;
      peak = Math.max(peak, p);
    }
  }
  const dx = ex / z;
  const dy = ey / z;
  const variance = Math.max(0, exx / z - dx * dx) + Math.max(0, eyy / z - dy * dy);
  return { dx, dy, spread: Math.sqrt(variance), peak: peak / z };
}
