/**
 * The benchmark's fixed held-out split (scripts/bench.ts, the device check): items sorted by
 * image file name, shuffled with seed 42, the first 20% are the test set. Pure, so the bundled
 * device check and the bench split alike.
 */
import { mulberry32 } from '../augment/rng';

/** The split seed of the fixed 80/20 split (independent of any training seed). */
export const SPLIT_SEED = 42;

/**
 * The fixed held-out split: items sorted by image file name, shuffled (seed 42), the first 20%
 * are the test set. The experiments (docs/benchmark-history.md) tuned on the other 80% only (their own 80/20 inside it).
 */
export function heldOutSplit<T>(items: T[], imageName: (t: T) => string, share = 0.2): { test: T[]; train: T[] } {
  const a = [...items].sort((x, y) => imageName(x).localeCompare(imageName(y)));
  const r = mulberry32(SPLIT_SEED);
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  const n = Math.round(a.length * share);
  return { test: a.slice(0, n), train: a.slice(n) };
}
