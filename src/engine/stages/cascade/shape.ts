import { choleskySolve } from '../../numeric/cholesky';
/**
 * A statistical shape prior: pulls a set of (noisy, weighted) landmark estimates towards the
 * span of the training shapes. Shapes are vectors [x1, y1, x2, y2, ...] in a normalised frame.
 * The fit is ridge regression on the training shapes' deviations from their mean (a Gaussian
 * prior with the training covariance), plus an unpenalised shift and scale per axis. Pure.
 */

export interface ShapePrior {
  /** 2L mean shape. */
  mean: Float64Array;
  /** Basis vectors (each 2L): shifts, scales, then training deviations. */
  basis: Float64Array[];
  /** Penalty per basis vector. */
  penalty: Float64Array;
}

/** `shapes`: count x 2L (NaN = missing: replaced by the mean for the prior). */
export function buildShapePrior(shapes: Float32Array, count: number, landmarkCount: number, ridge: number): ShapePrior {
  const d = 2 * landmarkCount;
  const mean = new Float64Array(d);
  const cnt = new Float64Array(d);
  for (let i = 0; i < count; i++) {
    for (let q = 0; q < d; q++) {
      const v = shapes[i * d + q];
      if (!Number.isNaN(v)) {
        mean[q] += v;
        cnt[q]++;
      }
    }
  }
  for (let q = 0; q < d; q++) mean[q] = cnt[q] ? mean[q] / cnt[q] : 0.5;
  const basis: Float64Array[] = [];
  const penalty: number[] = [];
  const tx = new Float64Array(d);
  const ty = new Float64Array(d);
  const sx = new Float64Array(d);
  const sy = new Float64Array(d);
  let cx = 0;
  let cy = 0;
  for (let j = 0; j < landmarkCount; j++) {
    cx += mean[2 * j] / landmarkCount;
    cy += mean[2 * j + 1] / landmarkCount;
  }
  for (let j = 0; j < landmarkCount; j++) {
    tx[2 * j] = 1;
    ty[2 * j + 1] = 1;
    sx[2 * j] = mean[2 * j] - cx;
    sy[2 * j + 1] = mean[2 * j + 1] - cy;
  }
  basis.push(tx, ty, sx, sy);
  penalty.push(1e-6, 1e-6, 1e-6, 1e-6);
  for (let i = 0; i < count; i++) {
    const v = new Float64Array(d);
    for (let q = 0; q < d; q++) {
      const s = shapes[i * d + q];
      v[q] = Number.isNaN(s) ? 0 : s - mean[q];
    }
    basis.push(v);
    penalty.push(ridge);
  }
  return { mean, basis, penalty: Float64Array.from(penalty) };
}

/** Priors built per training-shape array and ridge, kept while the array lives (models are loaded once, used per photo). */
const priorCache = new WeakMap<Float32Array, Map<number, ShapePrior>>();

/** buildShapePrior, built once per (shapes, ridge) and reused afterwards. */
export function cachedShapePrior(shapes: Float32Array, count: number, landmarkCount: number, ridge: number): ShapePrior {
  let byRidge = priorCache.get(shapes);
  if (!byRidge) {
    byRidge = new Map();
    priorCache.set(shapes, byRidge);
  }
  let p = byRidge.get(ridge);
  if (!p) {
    p = buildShapePrior(shapes, count, landmarkCount, ridge);
    byRidge.set(ridge, p);
  }
  return p;
}


/**
 * The prior's covariance in landmark space, C = sum_k basis_k basis_k^T / penalty_k (2L x 2L,
 * row-major); it does not depend on the weights, so it is computed once per prior.
 */
const covariances = new WeakMap<ShapePrior, Float64Array>();
export function priorCovariance(prior: ShapePrior): Float64Array {
  let c = covariances.get(prior);
  if (c) return c;
  const d = prior.mean.length;
  c = new Float64Array(d * d);
  for (let k = 0; k < prior.basis.length; k++) {
    const b = prior.basis[k];
    const ip = 1 / prior.penalty[k];
    for (let i = 0; i < d; i++) {
      const bi = b[i] * ip;
      if (bi === 0) continue;
      for (let j = 0; j < d; j++) c[i * d + j] += bi * b[j];
    }
  }
  covariances.set(prior, c);
  return c;
}

/**
 * The plausible shape closest to `shape` (2L, normalised frame) under per-landmark weights
 * (length L, >= 0): minimises sum_j w_j |shape_j - fit_j|^2 + sum_k penalty_k c_k^2.
 * Solved in the 2L-dimensional landmark space (the same minimiser as the basis-space normal
 * equations of fitShapeInBasis, by the push-through identity):
 * fit = mean + C W^1/2 (W^1/2 C W^1/2 + I)^-1 W^1/2 (shape - mean), C = priorCovariance.
 */
export function fitShape(prior: ShapePrior, shape: Float64Array, weights: ArrayLike<number>): Float64Array {
  const d = prior.mean.length;
  const c = priorCovariance(prior);
  const s = new Float64Array(d);
  for (let q = 0; q < d; q++) s[q] = Math.sqrt(Math.max(0, weights[q >> 1]));
  const a = new Float64Array(d * d);
  const r = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    r[i] = s[i] * (shape[i] - prior.mean[i]);
    for (let j = 0; j <= i; j++) {
      const v = s[i] * c[i * d + j] * s[j];
      a[i * d + j] = v;
      a[j * d + i] = v;
    }
    a[i * d + i] += 1;
  }
  const z = choleskySolve(a, r, d);
  for (let q = 0; q < d; q++) z[q] *= s[q];
  const out = Float64Array.from(prior.mean);
  for (let i = 0; i < d; i++) {
    let t = 0;
    for (let j = 0; j < d; j++) t += c[i * d + j] * z[j];
    out[i] += t;
  }
  return out;
}

/** The same fit through the (basis x basis) normal equations: the reference for fitShape. */
export function fitShapeInBasis(prior: ShapePrior, shape: Float64Array, weights: ArrayLike<number>): Float64Array {
  const m = prior.basis.length;
  const d = prior.mean.length;
  const a = new Float64Array(m * m);
  const b = new Float64Array(m);
  const r = new Float64Array(d);
  for (let q = 0; q < d; q++) r[q] = shape[q] - prior.mean[q];
  for (let i = 0; i < m; i++) {
    const bi = prior.basis[i];
    let s = 0;
    for (let q = 0; q < d; q++) s += bi[q] * weights[q >> 1] * r[q];
    b[i] = s;
    for (let k = 0; k <= i; k++) {
      const bk = prior.basis[k];
      let t = 0;
      for (let q = 0; q < d; q++) t += bi[q] * weights[q >> 1] * bk[q];
      a[i * m + k] = t;
      a[k * m + i] = t;
    }
    a[i * m + i] += prior.penalty[i];
  }
  const c = choleskySolve(a, b, m);
  const out = Float64Array.from(prior.mean);
  for (let i = 0; i < m; i++) {
    const bi = prior.basis[i];
    for (let q = 0; q < d; q++) out[q] += c[i] * bi[q];
  }
  return out;
}

/** Centroid and size (RMS distance from the centroid) of a shape. */
export function shapeFrame(shape: ArrayLike<number>, L: number): { cx: number; cy: number; s: number } {
  let cx = 0;
  let cy = 0;
  for (let j = 0; j < L; j++) {
    cx += shape[2 * j];
    cy += shape[2 * j + 1];
  }
  cx /= L;
  cy /= L;
  let ss = 0;
  for (let j = 0; j < L; j++) ss += (shape[2 * j] - cx) ** 2 + (shape[2 * j + 1] - cy) ** 2;
  return { cx, cy, s: Math.max(1e-6, Math.sqrt(ss / L)) };
}
