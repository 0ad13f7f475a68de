/**
 * Cholesky factorisation and solves of symmetric positive definite systems (row-major Float64),
 * the one solver the cascade's shape prior and initialisation, the contour regression and the
 * SDM ridge fits share. A pivot below 1e-12 is clamped (a nearly singular system gives a finite
 * answer rather than NaN). Pure.
 */

/** In-place Cholesky factor (lower) of the n x n SPD matrix `a` (row-major). */
export function cholesky(a: Float64Array, n: number): Float64Array {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s = a[ri + j];
      for (let k = 0; k < j; k++) s -= a[ri + k] * a[rj + k];
      if (i === j) a[ri + i] = Math.sqrt(Math.max(s, 1e-12));
      else a[ri + j] = s / a[rj + j];
    }
    for (let j = i + 1; j < n; j++) a[ri + j] = 0;
  }
  return a;
}

/** Solves (L L') X = B in place for the n x k right-hand sides B (row-major), L from `cholesky`. */
export function choleskySolveMany(l: Float64Array, n: number, b: Float64Array, k: number): Float64Array {
  for (let i = 0; i < n; i++) {
    for (let q = 0; q < k; q++) {
      let s = b[i * k + q];
      for (let m = 0; m < i; m++) s -= l[i * n + m] * b[m * k + q];
      b[i * k + q] = s / l[i * n + i];
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    for (let q = 0; q < k; q++) {
      let s = b[i * k + q];
      for (let m = i + 1; m < n; m++) s -= l[m * n + i] * b[m * k + q];
      b[i * k + q] = s / l[i * n + i];
    }
  }
  return b;
}

/** Solves A x = b for the n x n SPD matrix `a` (left unchanged) and the vector `b`. */
export function choleskySolve(a: Float64Array, b: Float64Array, n: number): Float64Array {
  return choleskySolveMany(cholesky(Float64Array.from(a), n), n, Float64Array.from(b), 1);
}
