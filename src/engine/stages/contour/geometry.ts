/**
 * Geometry on a closed contour and the shape's own frame. Pure.
 */
import type { Contour } from './segment';

export type Pt = [number, number];

export interface Nearest {
  x: number;
  y: number;
  /** Index of the segment's first point. */
  seg: number;
  /** Distance to the contour, positive outside the object (left of the clockwise walk). */
  signed: number;
  /** Outward unit normal there. */
  nx: number;
  ny: number;
}

/** Nearest point of the closed polyline to (x, y). The contour must have >= 2 points. */
export function nearestOnContour(c: Contour, x: number, y: number): Nearest {
  const p = c.pts;
  const m = c.n;
  let bestD = Infinity;
  let best: Nearest = { x: p[0], y: p[1], seg: 0, signed: 0, nx: 0, ny: 0 };
  for (let i = 0; i < m; i++) {
    const j = i + 1 === m ? 0 : i + 1;
    const ax = p[2 * i];
    const ay = p[2 * i + 1];
    const ex = p[2 * j] - ax;
    const ey = p[2 * j + 1] - ay;
    const ll = ex * ex + ey * ey;
    let t = ll > 0 ? ((x - ax) * ex + (y - ay) * ey) / ll : 0;
    if (t < 0) t = 0;
    else if (t > 1) t = 1;
    const qx = ax + t * ex;
    const qy = ay + t * ey;
    const d = (x - qx) * (x - qx) + (y - qy) * (y - qy);
    if (d < bestD) {
      bestD = d;
      best = { x: qx, y: qy, seg: i, signed: 0, nx: 0, ny: 0 };
    }
  }
  // outward normal from a few segments around (robust to the crack staircase)
  const i0 = (best.seg - 2 + m) % m;
  const i1 = (best.seg + 3) % m;
  const tx = p[2 * i1] - p[2 * i0];
  const ty = p[2 * i1 + 1] - p[2 * i0 + 1];
  const tl = Math.hypot(tx, ty) || 1;
  // clockwise on screen with the object on the right: outside is on the left, (ty, -tx)
  best.nx = ty / tl;
  best.ny = -tx / tl;
  best.signed = (x - best.x) * best.nx + (y - best.y) * best.ny;
  return best;
}

/**
 * Contour index of the point that goes farthest along (ux, uy) among the points within
 * `arc` (contour length, original pixels) of index `k0` either way (Infinity = whole contour).
 */
export function extremeNear(c: Contour, k0: number, ux: number, uy: number, arc: number): number {
  const p = c.pts;
  return bestNear(c, k0, arc, (k) => p[2 * k] * ux + p[2 * k + 1] * uy);
}

/**
 * Contour index with the largest value(k) among the points within `arc` (contour length) of
 * `k0` either way, `k0` itself first (ties keep the earlier); Infinity = the whole contour.
 */
function bestNear(c: Contour, k0: number, arc: number, value: (k: number) => number): number {
  const p = c.pts;
  const m = c.n;
  let bestK = k0;
  let bestV = value(k0);
  const visit = (k: number): void => {
    const v = value(k);
    if (v > bestV) {
      bestV = v;
      bestK = k;
    }
  };
  if (!Number.isFinite(arc)) {
    for (let k = 0; k < m; k++) visit(k);
    return bestK;
  }
  for (const dir of [1, -1]) {
    let len = 0;
    let k = k0;
    for (let s = 0; s < m >> 1; s++) {
      const kn = (k + dir + m) % m;
      len += Math.hypot(p[2 * kn] - p[2 * k], p[2 * kn + 1] - p[2 * k + 1]);
      if (len > arc) break;
      k = kn;
      visit(k);
    }
  }
  return bestK;
}

/**
 * Turning angle at every contour point over `h` points either way (radians, positive where the
 * outline is convex: the walk is clockwise on screen, y down).
 */
export function turnAngles(c: Contour, h: number): Float64Array {
  const p = c.pts;
  const m = c.n;
  const out = new Float64Array(m);
  const s = Math.max(1, Math.min(Math.round(h), (m >> 2) - 1));
  for (let k = 0; k < m; k++) {
    const a = ((k - s + m) % m) * 2;
    const b = ((k + s) % m) * 2;
    const ax = p[2 * k] - p[a];
    const ay = p[2 * k + 1] - p[a + 1];
    const bx = p[b] - p[2 * k];
    const by = p[b + 1] - p[2 * k + 1];
    out[k] = Math.atan2(ax * by - ay * bx, ax * bx + ay * by);
  }
  return out;
}

/** Contour index with the largest `score` within `arc` (contour length) of `k0` either way. */
export function argmaxNear(c: Contour, k0: number, arc: number, score: Float64Array): number {
  return bestNear(c, k0, arc, (k) => score[k]);
}

/** Mean distance between consecutive contour points. */
export function meanSpacing(c: Contour): number {
  const p = c.pts;
  let s = 0;
  for (let k = 0; k < c.n; k++) {
    const kn = k + 1 === c.n ? 0 : k + 1;
    s += Math.hypot(p[2 * kn] - p[2 * k], p[2 * kn + 1] - p[2 * k + 1]);
  }
  return s / Math.max(1, c.n);
}

/** Centroid, RMS size and rotation (radians) that best maps `pts` (centred, scaled) onto `ref` (centred, unit RMS). */
export interface Frame {
  cx: number;
  cy: number;
  size: number;
  /** Frame axes in image coordinates: frame x = (cos, sin), frame y = (-sin, cos). */
  cos: number;
  sin: number;
}

export function centreScale(pts: Pt[]): { cx: number; cy: number; size: number } {
  let cx = 0;
  let cy = 0;
  for (const p of pts) {
    cx += p[0];
    cy += p[1];
  }
  cx /= pts.length;
  cy /= pts.length;
  let ss = 0;
  for (const p of pts) ss += (p[0] - cx) ** 2 + (p[1] - cy) ** 2;
  return { cx, cy, size: Math.sqrt(ss / pts.length) || 1 };
}

/** Normalised copy (centred, unit RMS size), no rotation. */
export function normalisedShape(pts: Pt[]): Pt[] {
  const { cx, cy, size } = centreScale(pts);
  return pts.map((p) => [(p[0] - cx) / size, (p[1] - cy) / size]);
}

/**
 * The frame of `pts`: centroid, size, and the rotation that aligns the reference (normalised
 * mean shape) to them; `rotate` false keeps the image axes.
 */
export function frameOf(pts: Pt[], ref: Pt[] | undefined, rotate: boolean): Frame {
  const { cx, cy, size } = centreScale(pts);
  if (!rotate || !ref) return { cx, cy, size, cos: 1, sin: 0 };
  // rotation R minimising |R ref - q|^2 with q the normalised pts: angle atan2(sum ref x q, sum ref . q)
  let a = 0;
  let b = 0;
  for (let j = 0; j < pts.length; j++) {
    const qx = (pts[j][0] - cx) / size;
    const qy = (pts[j][1] - cy) / size;
    const rx = ref[j][0];
    const ry = ref[j][1];
    a += rx * qx + ry * qy;
    b += rx * qy - ry * qx;
  }
  const th = Math.atan2(b, a);
  return { cx, cy, size, cos: Math.cos(th), sin: Math.sin(th) };
}

/** Frame vector (fx, fy) to an image vector. */
export function toImageVec(f: Frame, fx: number, fy: number): Pt {
  return [f.cos * fx - f.sin * fy, f.sin * fx + f.cos * fy];
}

/** Image vector to frame vector. */
export function toFrameVec(f: Frame, vx: number, vy: number): Pt {
  return [f.cos * vx + f.sin * vy, -f.sin * vx + f.cos * vy];
}

/** Cumulative contour length at each point (n + 1 entries; the last is the perimeter). */
export function arcLengths(c: Contour): Float64Array {
  const p = c.pts;
  const cum = new Float64Array(c.n + 1);
  for (let k = 0; k < c.n; k++) {
    const kn = k + 1 === c.n ? 0 : k + 1;
    cum[k + 1] = cum[k] + Math.hypot(p[2 * kn] - p[2 * k], p[2 * kn + 1] - p[2 * k + 1]);
  }
  return cum;
}

/** Arc coordinate of a nearest point (as nearestOnContour returns it). */
export function arcOf(c: Contour, cum: Float64Array, near: Nearest): number {
  const k = near.seg;
  return cum[k] + Math.hypot(near.x - c.pts[2 * k], near.y - c.pts[2 * k + 1]);
}

/** Point at arc coordinate s (taken modulo the perimeter). */
export function pointAtArc(c: Contour, cum: Float64Array, s: number): Pt {
  const per = cum[c.n];
  let t = ((s % per) + per) % per;
  let lo = 0;
  let hi = c.n;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (cum[mid] <= t) lo = mid;
    else hi = mid;
  }
  const seg = cum[lo + 1] - cum[lo];
  t = seg > 0 ? (t - cum[lo]) / seg : 0;
  const kn = lo + 1 === c.n ? 0 : lo + 1;
  return [c.pts[2 * lo] + t * (c.pts[2 * kn] - c.pts[2 * lo]), c.pts[2 * lo + 1] + t * (c.pts[2 * kn + 1] - c.pts[2 * lo + 1])];
}

/** Signed arc difference b - a, wrapped into (-perimeter / 2, perimeter / 2]. */
export function arcDiff(a: number, b: number, perimeter: number): number {
  let d = (b - a) % perimeter;
  if (d > perimeter / 2) d -= perimeter;
  else if (d <= -perimeter / 2) d += perimeter;
  return d;
}
