/**
 * 2-D affine transforms as 6 numbers [a, b, c, d, e, f]:
 *   x' = a*x + b*y + c
 *   y' = d*x + e*y + f
 * Coordinates are pixel coordinates (pixel centres at integers, y down), so a positive angle
 * turns clockwise on screen. The same matrix moves image content (warpGrey) and landmarks
 * (transformFlat), which is what keeps them exactly together.
 */
import type { Point } from './frame';

export type Affine = readonly [number, number, number, number, number, number];

export const IDENTITY: Affine = [1, 0, 0, 0, 1, 0];

/** Applies m to a point. */
export function applyAffine(m: Affine, p: Point): Point {
  return { x: m[0] * p.x + m[1] * p.y + m[2], y: m[3] * p.x + m[4] * p.y + m[5] };
}

/** compose(a, b) applies b first, then a (matrix product a*b). */
export function compose(a: Affine, b: Affine): Affine {
  return [
    a[0] * b[0] + a[1] * b[3],
    a[0] * b[1] + a[1] * b[4],
    a[0] * b[2] + a[1] * b[5] + a[2],
    a[3] * b[0] + a[4] * b[3],
    a[3] * b[1] + a[4] * b[4],
    a[3] * b[2] + a[4] * b[5] + a[5],
  ];
}

/** Composes left to right: chain(t1, t2, t3) applies t1, then t2, then t3. */
export function chain(...ms: Affine[]): Affine {
  return ms.reduce((acc, m) => compose(m, acc), IDENTITY);
}

export function invert(m: Affine): Affine {
  const det = m[0] * m[4] - m[1] * m[3];
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) throw new Error('affine transform is not invertible');
  const a = m[4] / det;
  const b = -m[1] / det;
  const d = -m[3] / det;
  const e = m[0] / det;
  return [a, b, -(a * m[2] + b * m[5]), d, e, -(d * m[2] + e * m[5])];
}

export function translation(tx: number, ty: number): Affine {
  return [1, 0, tx, 0, 1, ty];
}

/** Scale about a centre (sy defaults to sx). */
export function scaleAbout(centre: Point, sx: number, sy: number = sx): Affine {
  return [sx, 0, centre.x * (1 - sx), 0, sy, centre.y * (1 - sy)];
}

/** Rotation by `radians` about a centre (clockwise on screen, since y points down). */
export function rotationAbout(centre: Point, radians: number): Affine {
  const c = Math.cos(radians);
  const s = Math.sin(radians);
  return [c, -s, centre.x - c * centre.x + s * centre.y, s, c, centre.y - s * centre.x - c * centre.y];
}

/** Mirror left-right within an image of `width` pixels (pixel i <-> width-1-i). */
export function horizontalMirror(width: number): Affine {
  return [-1, 0, width - 1, 0, 1, 0];
}

/** The centre of an image in pixel coordinates. */
export function imageCentre(width: number, height: number): Point {
  return { x: (width - 1) / 2, y: (height - 1) / 2 };
}
