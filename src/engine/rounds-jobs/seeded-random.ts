/**
 * Math.random seeded for the length of a job. tfjs draws what the engine does not seed itself
 * from Math.random: the paper network's dropout masks (a seeded tf dropout would repeat one
 * mask every step). A round must give the same numbers wherever it runs (in this process after
 * other rounds, on a local worker, on a SLURM node), so each round trains with Math.random
 * started from its own seed, and the original is put back after.
 */
import { mulberry32 } from '../../shared/augment/rng';

export async function withSeededMathRandom<T>(seed: number, body: () => Promise<T>): Promise<T> {
  const original = Math.random;
  Math.random = mulberry32((seed ^ 0x3c6ef372) >>> 0);
  try {
    return await body();
  } finally {
    Math.random = original;
  }
}
