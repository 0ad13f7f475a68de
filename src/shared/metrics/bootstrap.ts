/**
 * Paired bootstrap of a mean difference: resample the units (photos) with replacement, keep each
 * unit's pair together, and read the interval off the resampled means. Used to say whether a
 * stage helps (the interval of its gain lies above zero) rather than reading one mean. Pure.
 */
import { mulberry32 } from '../augment/rng';

export interface BootstrapInterval {
  mean: number;
  /** Bounds of the central `level` share of the resampled means. */
  lo: number;
  hi: number;
  level: number;
}

/** Mean of `values` (one per unit, e.g. a photo's error before minus after) with its bootstrap interval. */
export function bootstrapMean(values: readonly number[], resamples = 2000, level = 0.95, seed = 1): BootstrapInterval {
  const n = values.length;
  const mean = n ? values.reduce((a, b) => a + b, 0) / n : NaN;
  if (n < 2) return { mean, lo: mean, hi: mean, level };
  const rnd = mulberry32(seed);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += values[Math.floor(rnd() * n)];
    means[r] = s / n;
  }
  means.sort();
  const tail = (1 - level) / 2;
  return { mean, lo: means[Math.floor(tail * (resamples - 1))], hi: means[Math.ceil((1 - tail) * (resamples - 1))], level };
}

/** Whether the gain is clear: its whole interval above zero (helps), below (hurts), or neither. */
export function verdict(i: BootstrapInterval): 'helps' | 'hurts' | 'unclear' {
  return i.lo > 0 ? 'helps' : i.hi < 0 ? 'hurts' : 'unclear';
}
