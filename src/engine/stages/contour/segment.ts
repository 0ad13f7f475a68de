/**
 * The object's outer silhouette contour on one pyramid level, with sub-pixel precision.
 *
 * Object = pixels that differ from the border's median grey by more than a threshold (as
 * cascade.ts objectBox does); the background is flood-filled from the image border (so holes in
 * the object are filled), the largest remaining 4-connected component is kept, and its outer
 * boundary is followed along pixel cracks (object on the right, i.e. clockwise on screen, y down).
 * Each crack yields one point between its inside and outside pixel centres, placed where the
 * difference from the background crosses the threshold (linear interpolation). Pure.
 */
import { background } from '../cascade/cascade';
import { fromLevel, type GreyImage } from '../../imaging/grey';

export interface Contour {
  /** Closed polyline, x0 y0 x1 y1 ..., original pixels, clockwise on screen (y down). */
  pts: Float64Array;
  /** Number of points (pts.length / 2). */
  n: number;
  /** Object area as a fraction of the frame (0 when nothing stood out). */
  areaFraction: number;
  /** Whether the object touches the image border (a silhouette cut by the frame is less trustworthy). */
  touchesBorder: boolean;
}

const EMPTY: Contour = { pts: new Float64Array(0), n: 0, areaFraction: 0, touchesBorder: false };

/**
 * `img` is pyramid level `level` (coordinates come back in original pixels). `smooth`: passes of
 * a [1 2 1]/4 filter along the contour (each crack point is noisy at half a pixel).
 */
export function objectContour(img: GreyImage, level: number, smooth = 1): Contour {
  const { width: w, height: h, data } = img;
  if (w < 3 || h < 3) return EMPTY;
  const { bg, thr } = background(img);
  const n = w * h;
  // 0 = background candidate, 1 = stands out; then 2 = reached from the border (outside)
  const lab = new Uint8Array(n);
  for (let i = 0; i < n; i++) lab[i] = Math.abs(data[i] - bg) > thr ? 1 : 0;
  const stack = new Int32Array(n);
  let sp = 0;
  const pushOut = (i: number): void => {
    if (lab[i] === 0) {
      lab[i] = 2;
      stack[sp++] = i;
    }
  };
  for (let x = 0; x < w; x++) {
    pushOut(x);
    pushOut((h - 1) * w + x);
  }
  for (let y = 0; y < h; y++) {
    pushOut(y * w);
    pushOut(y * w + w - 1);
  }
  let outside = 0;
  while (sp > 0) {
    const i = stack[--sp];
    const x = i % w;
    if (x > 0 && lab[i - 1] === 0) {
      lab[i - 1] = 2;
      stack[sp++] = i - 1;
    }
    if (x < w - 1 && lab[i + 1] === 0) {
      lab[i + 1] = 2;
      stack[sp++] = i + 1;
    }
    if (i >= w && lab[i - w] === 0) {
      lab[i - w] = 2;
      stack[sp++] = i - w;
    }
    if (i < n - w && lab[i + w] === 0) {
      lab[i + w] = 2;
      stack[sp++] = i + w;
    }
    outside++;
  }
  const objectPixels = n - outside;
  if (objectPixels < 0.005 * n) return EMPTY;
  // usually one object: trace the first object pixel's component; if it holds less than half of
  // the object pixels (specks), label the components and trace the largest
  let seed = 0;
  while (seed < n && lab[seed] === 2) seed++;
  let c = traceFrom(img, level, bg, thr, seed, (i) => lab[i] !== 2);
  if (Math.abs(c.area) < 0.5 * objectPixels) {
    const comp = new Int32Array(n);
    let best = 0;
    let bestSize = 0;
    let bestSeed = -1;
    let next = 1;
    for (let s0 = 0; s0 < n; s0++) {
      if (lab[s0] === 2 || comp[s0] !== 0) continue;
      const id = next++;
      let size = 0;
      comp[s0] = id;
      stack[sp++] = s0;
      while (sp > 0) {
        const i = stack[--sp];
        size++;
        const x = i % w;
        if (x > 0 && lab[i - 1] !== 2 && comp[i - 1] === 0) {
          comp[i - 1] = id;
          stack[sp++] = i - 1;
        }
        if (x < w - 1 && lab[i + 1] !== 2 && comp[i + 1] === 0) {
          comp[i + 1] = id;
          stack[sp++] = i + 1;
        }
        if (i >= w && lab[i - w] !== 2 && comp[i - w] === 0) {
          comp[i - w] = id;
          stack[sp++] = i - w;
        }
        if (i < n - w && lab[i + w] !== 2 && comp[i + w] === 0) {
          comp[i + w] = id;
          stack[sp++] = i + w;
        }
      }
      if (size > bestSize) {
        bestSize = size;
        best = id;
        bestSeed = s0;
      }
    }
    if (bestSeed < 0 || bestSize < 0.005 * n) return EMPTY;
    c = traceFrom(img, level, bg, thr, bestSeed, (i) => comp[i] === best);
  }
  let pts: Float64Array = c.pts;
  for (let s1 = 0; s1 < smooth; s1++) pts = smoothClosed(pts);
  return { pts, n: pts.length / 2, areaFraction: Math.abs(c.area) / n, touchesBorder: c.touches };
}

/**
 * Follows the outer boundary of the 4-connected component of pixel `seed` (its topmost-leftmost
 * pixel: its top crack is on the boundary). Area = the crack polygon's (level pixels).
 */
function traceFrom(img: GreyImage, level: number, bg: number, thr: number, seed: number, isIn: (i: number) => boolean): { pts: Float64Array; area: number; touches: boolean } {
  const { width: w, height: h, data } = img;
  const n = w * h;
  const inside = (x: number, y: number): boolean => x >= 0 && y >= 0 && x < w && y < h && isIn(y * w + x);
  const x0 = seed % w;
  const y0 = (seed - x0) / w;
  let area = 0;
  const f = (x: number, y: number): number => Math.abs(data[y * w + x] - bg) - thr;
  const out: number[] = [];
  let touches = false;
  // walk vertices (corner coordinates: vertex (vx, vy) = top-left corner of pixel (vx, vy))
  let vx = x0;
  let vy = y0;
  let dx = 1;
  let dy = 0;
  const maxSteps = 4 * n + 8;
  for (let step = 0; step < maxSteps; step++) {
    // edge from (vx, vy) to (vx + dx, vy + dy): inside pixel on its right, outside on its left
    const rx = -dy;
    const ry = dx;
    const ix = Math.floor(vx + 0.5 * dx + 0.5 * rx - 0.5 + 0.5);
    const iy = Math.floor(vy + 0.5 * dy + 0.5 * ry - 0.5 + 0.5);
    const ox = ix - rx;
    const oy = iy - ry;
    let t = 0.5;
    if (ox >= 0 && oy >= 0 && ox < w && oy < h) {
      const fi = f(ix, iy);
      const fo = f(ox, oy);
      if (fi > 0 && fo <= 0) t = fi / (fi - fo);
    } else touches = true;
    out.push(fromLevel(ix + t * (ox - ix), level), fromLevel(iy + t * (oy - iy), level));
    area += vx * dy - vy * dx;
    vx += dx;
    vy += dy;
    // next direction: ahead-right pixel outside -> turn right; ahead-left inside -> turn left
    const arx = Math.floor(vx + 0.5 * dx + 0.5 * rx);
    const ary = Math.floor(vy + 0.5 * dy + 0.5 * ry);
    const alx = Math.floor(vx + 0.5 * dx - 0.5 * rx);
    const aly = Math.floor(vy + 0.5 * dy - 0.5 * ry);
    if (!inside(arx, ary)) {
      dx = rx;
      dy = ry;
    } else if (inside(alx, aly)) {
      dx = -rx;
      dy = -ry;
    }
    if (vx === x0 && vy === y0 && dx === 1 && dy === 0) break;
  }
  return { pts: Float64Array.from(out), area: 0.5 * area, touches };
}

/** One pass of [1 2 1] / 4 along a closed polyline. */
export function smoothClosed(p: Float64Array): Float64Array {
  const m = p.length / 2;
  const q = new Float64Array(p.length);
  for (let i = 0; i < m; i++) {
    const a = ((i + m - 1) % m) * 2;
    const b = ((i + 1) % m) * 2;
    q[2 * i] = 0.25 * p[a] + 0.5 * p[2 * i] + 0.25 * p[b];
    q[2 * i + 1] = 0.25 * p[a + 1] + 0.5 * p[2 * i + 1] + 0.25 * p[b + 1];
  }
  return q;
}
