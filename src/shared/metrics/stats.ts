/**
 * Summary statistics of error samples. Pure.
 *
 * Percentiles use linear interpolation between closest ranks (Hyndman & Fan type 7, the
 * default of numpy.percentile, R's quantile and Excel's PERCENTILE.INC): for the n values
 * sorted ascending x[0..n-1], h = (n - 1) * p / 100 and
 *   P(p) = x[floor(h)] + (h - floor(h)) * (x[floor(h) + 1] - x[floor(h)]).
 * So the median of an even count is the mean of the two middle values, P(0) is the minimum and
 * P(100) the maximum. Statistics of an empty sample are NaN.
 */

/** Percentile p (0..100) of values sorted ascending (type 7, see above). */
export function percentileSorted(sorted: readonly number[], p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  if (!(p >= 0 && p <= 100)) throw new Error(`percentile must be within 0..100, got ${p}`);
  const h = ((n - 1) * p) / 100;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Percentile p (0..100) of unsorted values. */
export function percentile(values: readonly number[], p: number): number {
  return percentileSorted([...values].sort((a, b) => a - b), p);
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

export interface Summary {
  count: number;
  mean: number;
  median: number;
  p90: number;
  max: number;
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    mean: mean(sorted),
    median: percentileSorted(sorted, 50),
    p90: percentileSorted(sorted, 90),
    max: sorted.length ? sorted[sorted.length - 1] : NaN,
  };
}
