/**
 * Multi-output ridge regression (the SDM stages, the contour regression): W, b minimising
 * |Y - X W - 1 b'|^2 + mu |W|^2 with mu = lambda x (mean squared norm of the centred rows), so
 * that lambda does not depend on the feature scale. Solved in the dual (n x n) when there are
 * fewer rows than features, else in the primal (d x d). Pure.
 */
import { cholesky, choleskySolveMany } from './cholesky';

export interface RidgeFit {
  /** d x k, row-major. */
  w: Float64Array;
  /** k. */
  b: Float64Array;
}

/** x: n x d rows, y: n x k rows (both row-major, Float32 or Float64). */
export function fitRidge(x: ArrayLike<number>, y: ArrayLike<number>, n: number, d: number, k: number, lambda: number): RidgeFit {
  const mx = new Float64Array(d);
  const my = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    for (let q = 0; q < d; q++) mx[q] += x[i * d + q];
    for (let q = 0; q < k; q++) my[q] += y[i * k + q];
  }
  for (let q = 0; q < d; q++) mx[q] /= n;
  for (let q = 0; q < k; q++) my[q] /= n;
  const xc = new Float64Array(n * d);
  let tr = 0;
  for (let i = 0; i < n; i++) {
    for (let q = 0; q < d; q++) {
      const v = x[i * d + q] - mx[q];
      xc[i * d + q] = v;
      tr += v * v;
    }
  }
  const yc = new Float64Array(n * k);
  for (let i = 0; i < n; i++) for (let q = 0; q < k; q++) yc[i * k + q] = y[i * k + q] - my[q];
  const mu = Math.max(1e-9, lambda * (tr / n));
  const w = new Float64Array(d * k);
  if (n <= d) {
    // dual: A = (Xc Xc' + mu I)^-1 Yc, W = Xc' A
    const g = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      const oi = i * d;
      for (let j = 0; j <= i; j++) {
        const oj = j * d;
        let s = 0;
        for (let q = 0; q < d; q++) s += xc[oi + q] * xc[oj + q];
        g[i * n + j] = s;
        g[j * n + i] = s;
      }
      g[i * n + i] += mu;
    }
    const a = choleskySolveMany(cholesky(g, n), n, yc, k);
    for (let i = 0; i < n; i++) {
      for (let q = 0; q < d; q++) {
        const v = xc[i * d + q];
        if (v === 0) continue;
        for (let c = 0; c < k; c++) w[q * k + c] += v * a[i * k + c];
      }
    }
  } else {
    const g = new Float64Array(d * d);
    const r = new Float64Array(d * k);
    for (let i = 0; i < n; i++) {
      const oi = i * d;
      for (let p = 0; p < d; p++) {
        const v = xc[oi + p];
        if (v === 0) continue;
        const row = p * d;
        for (let q = 0; q <= p; q++) g[row + q] += v * xc[oi + q];
        for (let c = 0; c < k; c++) r[p * k + c] += v * yc[i * k + c];
      }
    }
    for (let p = 0; p < d; p++) {
      for (let q = 0; q < p; q++) g[q * d + p] = g[p * d + q];
      g[p * d + p] += mu;
    }
    w.set(choleskySolveMany(cholesky(g, d), d, r, k));
  }
  const b = Float64Array.from(my);
  for (let q = 0; q < d; q++) for (let c = 0; c < k; c++) b[c] -= mx[q] * w[q * k + c];
  return { w, b };
}
