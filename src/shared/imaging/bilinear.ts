/**
 * The one bilinear sampler of single-channel images (row-major, y down, pixel centres at
 * integers). Augmentation warps, the cascade, SDM and patchnet all read pixels through here, so a
 * fix to border handling or rounding reaches every stage at once. Pure: typed arrays only.
 *
 * Hot path: the cascade samples millions of times per photo set, so nothing here allocates per
 * call or builds closures; the patch sampler keeps its per-column tables in module scratch.
 */

/** Pixels of any 8-bit or float plane: a GreyImage is one (Float32 data). */
export interface Plane {
  data: Float32Array | Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
}

/** What lies outside the source: a constant fill, or the nearest edge pixel. */
export type BorderMode = 'constant' | 'edge';

/**
 * Bilinear sample with the position clamped into the image (`edge` border). The 2x2 cell is
 * clamped too (x0 <= w - 2), so the last row and column are reached with a fraction of 1 and
 * the four reads never leave the array: one branch-free formula for every position.
 */
export function sampleClamped(src: Plane, x: number, y: number): number {
  const w = src.width;
  const h = src.height;
  if (x < 0) x = 0;
  else if (x > w - 1) x = w - 1;
  if (y < 0) y = 0;
  else if (y > h - 1) y = h - 1;
  const x0 = Math.min(Math.floor(x), w - 2 < 0 ? 0 : w - 2);
  const y0 = Math.min(Math.floor(y), h - 2 < 0 ? 0 : h - 2);
  const fx = x - x0;
  const fy = y - y0;
  const d = src.data;
  const i = y0 * w + x0;
  const x1 = w > 1 ? 1 : 0;
  const y1 = h > 1 ? w : 0;
  return (1 - fy) * ((1 - fx) * d[i] + fx * d[i + x1]) + fy * ((1 - fx) * d[i + y1] + fx * d[i + y1 + x1]);
}

/**
 * Bilinear sample of `src` at (x, y). `constant`: outside the image reads `fill`, fading in over
 * the last pixel (NaN positions read `fill`); `edge`: the nearest edge pixel (sampleClamped).
 */
export function sampleBilinear(src: Plane, x: number, y: number, border: BorderMode = 'constant', fill = 0): number {
  if (border === 'edge') return sampleClamped(src, x, y);
  const { data, width: w, height: h } = src;
  if (!(x > -1 && y > -1 && x < w && y < h)) return fill; // also NaN
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const i = y0 * w + x0;
  if (x0 >= 0 && y0 >= 0 && x0 + 1 < w && y0 + 1 < h) {
    return (1 - fy) * ((1 - fx) * data[i] + fx * data[i + 1]) + fy * ((1 - fx) * data[i + w] + fx * data[i + w + 1]);
  }
  // The last pixel's ring: neighbours outside the image read `fill`.
  const inX0 = x0 >= 0;
  const inX1 = x0 + 1 < w;
  const inY0 = y0 >= 0;
  const inY1 = y0 + 1 < h;
  const v00 = inX0 && inY0 ? data[i] : fill;
  const v10 = inX1 && inY0 ? data[i + 1] : fill;
  const v01 = inX0 && inY1 ? data[i + w] : fill;
  const v11 = inX1 && inY1 ? data[i + w + 1] : fill;
  return (1 - fy) * ((1 - fx) * v00 + fx * v10) + fy * ((1 - fx) * v01 + fx * v11);
}

// Per-column tables of the separable edge path, grown on demand and reused across calls.
let colIndex = new Int32Array(64);
let colFrac = new Float64Array(64);

/**
 * A sizeX x sizeY patch centred on (cx, cy): patch pixel (i, j) samples the source at
 * (cx - (sizeX-1)/2 * step + i * step, cy - (sizeY-1)/2 * step + j * step), times `valueScale`,
 * written into `out` (at least sizeX * sizeY long; a new array when absent). Every value equals
 * sampleBilinear's at that point bit for bit: the `edge` path computes the clamped column
 * indices and fractions once per column and row, exactly as sampleClamped does per point.
 */
export function samplePatchAt(
  src: Plane,
  cx: number,
  cy: number,
  sizeX: number,
  sizeY: number = sizeX,
  step = 1,
  border: BorderMode = 'edge',
  fill = 0,
  valueScale = 1,
  out?: Float32Array,
): Float32Array {
  const p = out ?? new Float32Array(sizeX * sizeY);
  const left = cx - ((sizeX - 1) / 2) * step;
  const top = cy - ((sizeY - 1) / 2) * step;
  if (border !== 'edge') {
    // Constant borders are used by augmentation on small images: the per-point sampler is fast
    // enough there, and its ring handling stays in one place.
    const f = fill / valueScale;
    for (let j = 0; j < sizeY; j++) {
      const y = top + j * step;
      for (let i = 0; i < sizeX; i++) p[j * sizeX + i] = valueScale * sampleBilinear(src, left + i * step, y, 'constant', f);
    }
    return p;
  }
  const w = src.width;
  const ht = src.height;
  const d = src.data;
  if (colIndex.length < sizeX) {
    colIndex = new Int32Array(sizeX);
    colFrac = new Float64Array(sizeX);
  }
  const xi = colIndex;
  const fxs = colFrac;
  const x1 = w > 1 ? 1 : 0;
  const y1 = ht > 1 ? w : 0;
  const xMax = w - 2 < 0 ? 0 : w - 2;
  const yMax = ht - 2 < 0 ? 0 : ht - 2;
  for (let i = 0; i < sizeX; i++) {
    let x = left + i * step;
    if (x < 0) x = 0;
    else if (x > w - 1) x = w - 1;
    const x0 = Math.min(Math.floor(x), xMax);
    xi[i] = x0;
    fxs[i] = x - x0;
  }
  for (let j = 0; j < sizeY; j++) {
    let y = top + j * step;
    if (y < 0) y = 0;
    else if (y > ht - 1) y = ht - 1;
    const y0 = Math.min(Math.floor(y), yMax);
    const fy = y - y0;
    const gy = 1 - fy;
    const row = y0 * w;
    const o = j * sizeX;
    for (let i = 0; i < sizeX; i++) {
      const fx = fxs[i];
      const k = row + xi[i];
      // valueScale 1 multiplies exactly, so the engine's patches stay bit-identical to points.
      p[o + i] = valueScale * (gy * ((1 - fx) * d[k] + fx * d[k + x1]) + fy * ((1 - fx) * d[k + y1] + fx * d[k + y1 + x1]));
    }
  }
  return p;
}
