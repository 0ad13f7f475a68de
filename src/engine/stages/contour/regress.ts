/**
 * Landmarks regressed from the silhouette's shape: the outer contour is resampled to N points by
 * arc length (starting at its extreme point in a learned direction of the shape's frame),
 * normalised by its own centroid and RMS size (and the predicted shape's rotation), and a ridge
 * regression maps [contour descriptor, normalised predicted landmarks] to the normalised true
 * landmarks. Pure.
 */
import { fitRidge as fitRidgeRows } from '../../numeric/ridge';
import { extremeNear, type Frame, type Pt } from './geometry';
import type { Contour } from './segment';
import { shapeFrame } from '../cascade/shape';

export interface RidgeModel {
  /** Input and output means, weights d x o (row-major). */
  xm: number[];
  ym: number[];
  w: number[];
  d: number;
  o: number;
}

/** The contour's own frame (centroid, RMS size) with the rotation of `rot`. */
export interface Descriptor {
  feat: Float64Array;
  frame: Frame;
}

/** N points by arc length from the extreme point along frame direction `anchor` (radians). */
export function describe(c: Contour, rot: { cos: number; sin: number }, anchor: number, points: number): Descriptor {
  const p = c.pts;
  const m = c.n;
  const f = shapeFrame(p, m);
  const { cx, cy } = f;
  const size = f.s > 1e-6 ? f.s : 1;
  const frame: Frame = { cx, cy, size, cos: rot.cos, sin: rot.sin };
  const ux = rot.cos * Math.cos(anchor) - rot.sin * Math.sin(anchor);
  const uy = rot.sin * Math.cos(anchor) + rot.cos * Math.sin(anchor);
  const k0 = extremeNear(c, 0, ux, uy, Infinity);
  // cumulative arc length from k0
  const cum = new Float64Array(m + 1);
  for (let s = 0; s < m; s++) {
    const a = (k0 + s) % m;
    const b = (k0 + s + 1) % m;
    cum[s + 1] = cum[s] + Math.hypot(p[2 * b] - p[2 * a], p[2 * b + 1] - p[2 * a + 1]);
  }
  const total = cum[m] || 1;
  const feat = new Float64Array(2 * points);
  let s = 0;
  for (let q = 0; q < points; q++) {
    const target = (q / points) * total;
    while (s < m - 1 && cum[s + 1] < target) s++;
    const seg = cum[s + 1] - cum[s];
    const t = seg > 0 ? (target - cum[s]) / seg : 0;
    const a = (k0 + s) % m;
    const b = (k0 + s + 1) % m;
    const x = p[2 * a] + t * (p[2 * b] - p[2 * a]);
    const y = p[2 * a + 1] + t * (p[2 * b + 1] - p[2 * a + 1]);
    const f = toFrame(frame, [x, y]);
    feat[2 * q] = f[0];
    feat[2 * q + 1] = f[1];
  }
  return { feat, frame };
}

/** Image point to normalised frame coordinates. */
export function toFrame(f: Frame, p: Pt): Pt {
  const dx = (p[0] - f.cx) / f.size;
  const dy = (p[1] - f.cy) / f.size;
  return [f.cos * dx + f.sin * dy, -f.sin * dx + f.cos * dy];
}

export function fromFrame(f: Frame, q: Pt): Pt {
  return [f.cx + f.size * (f.cos * q[0] - f.sin * q[1]), f.cy + f.size * (f.sin * q[0] + f.cos * q[1])];
}

/** Ridge regression (penalty `lambda` x mean input variance x n), rows of x and y. */
export function fitRidge(x: Float64Array[], y: Float64Array[], lambda: number): RidgeModel {
  const n = x.length;
  const d = x[0].length;
  const o = y[0].length;
  const xf = new Float64Array(n * d);
  const yf = new Float64Array(n * o);
  x.forEach((r, i) => xf.set(r, i * d));
  y.forEach((r, i) => yf.set(r, i * o));
  const xm = new Float64Array(d);
  const ym = new Float64Array(o);
  for (let i = 0; i < n; i++) {
    for (let q = 0; q < d; q++) xm[q] += x[i][q] / n;
    for (let q = 0; q < o; q++) ym[q] += y[i][q] / n;
  }
  let tr = 0;
  for (let i = 0; i < n; i++) for (let q = 0; q < d; q++) tr += (x[i][q] - xm[q]) ** 2;
  // this regression's penalty is lambda x (trace / d) + 1e-9; the shared fit's is lambda' x (trace / n)
  const shared = tr > 0 ? (((lambda * tr) / d + 1e-9) * n) / tr : lambda;
  const f = fitRidgeRows(xf, yf, n, d, o, shared);
  return { xm: Array.from(xm), ym: Array.from(ym), w: Array.from(f.w), d, o };
}

export function predictRidge(m: RidgeModel, x: Float64Array): Float64Array {
  const out = Float64Array.from(m.ym);
  for (let r = 0; r < m.d; r++) {
    const v = x[r] - m.xm[r];
    if (v === 0) continue;
    const row = r * m.o;
    for (let q = 0; q < m.o; q++) out[q] += v * m.w[row + q];
  }
  return out;
}
