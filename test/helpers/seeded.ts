import { mulberry32 } from '../../src/shared/augment/rng';

/** n deterministic values in [-1, 1) from the project's mulberry32 with the given seed. */
export function seeded(n: number, seed: number): Float32Array {
  const r = mulberry32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = r() * 2 - 1;
  return out;
}
