/**
 * Exact landmark transforms matching the image operations of ./warp.ts. Landmarks are flat
 * interleaved arrays [x0, y0, x1, y1, ...] in pixel coordinates; NaN marks a missing landmark
 * and stays NaN.
 */
import { type Affine, applyAffine } from './affine';
import { mapFlat } from './frame';

/** Applies the affine to every landmark (the matrix given to warpGrey). */
export function transformFlat(flat: ArrayLike<number>, m: Affine): Float32Array {
  return mapFlat(flat, (p) => applyAffine(m, p));
}

/**
 * Checks that `perm` is a permutation of 0..n-1 that is its own inverse (left <-> right pairs
 * swap, midline landmarks map to themselves). Throws a message saying what is wrong.
 */
export function validateFlipPermutation(perm: readonly number[], landmarkCount: number): void {
  if (perm.length !== landmarkCount) {
    throw new Error(`flip permutation has ${perm.length} entries, the landmarks are ${landmarkCount}`);
  }
  const seen = new Set<number>();
  perm.forEach((j, i) => {
    if (!Number.isInteger(j) || j < 0 || j >= landmarkCount) {
      throw new Error(`flip permutation entry ${i + 1} is ${j}: must be a landmark index 0..${landmarkCount - 1}`);
    }
    if (seen.has(j)) throw new Error(`flip permutation uses landmark index ${j} twice`);
    seen.add(j);
  });
  perm.forEach((j, i) => {
    if (perm[j] !== i) {
      throw new Error(`flip permutation is not symmetric: ${i} -> ${j} but ${j} -> ${perm[j]}`);
    }
  });
}

/**
 * Landmarks of the left-right mirrored image of `width` pixels: x -> width-1-x, and landmark i of
 * the result is landmark perm[i] of the input (a mirrored left corner is the new right corner).
 * Flips are only meaningful with such a permutation, so it is required.
 */
export function flipFlatHorizontal(flat: ArrayLike<number>, width: number, perm: readonly number[]): Float32Array {
  const n = Math.floor(flat.length / 2);
  validateFlipPermutation(perm, n);
  const out = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const j = perm[i];
    const x = flat[2 * j];
    const y = flat[2 * j + 1];
    const present = Number.isFinite(x) && Number.isFinite(y);
    out[2 * i] = present ? width - 1 - x : NaN;
    out[2 * i + 1] = present ? y : NaN;
  }
  return out;
}

/** True when every present landmark lies within [margin, size-1-margin] on both axes. */
export function landmarksInside(flat: ArrayLike<number>, width: number, height: number, margin = 0): boolean {
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const x = flat[i];
    const y = flat[i + 1];
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    if (x < margin || y < margin || x > width - 1 - margin || y > height - 1 - margin) return false;
  }
  return true;
}
