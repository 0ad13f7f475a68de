/**
 * Errors of predictions against manual landmarks, both in original image pixels, summarised
 * the way the protocol's EvaluationResult reports them (per landmark mean / median / p90,
 * per image, worst first). Used for validation after training and for rounds.
 */
import type { EvaluationResult, ImageError, LandmarkErrorStats } from '../../shared/protocol/engine';
import type { PixelPoint } from '../presets/preset';

export interface PixelComparison {
  name: string;
  image?: string;
  manual: PixelPoint[];
  predicted: [number, number][];
  scale?: number;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function mean(v: number[]): number {
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
}

export function summarise(rows: PixelComparison[], manualPath: string, predictedPath: string): EvaluationResult {
  const K = rows.reduce((m, r) => Math.max(m, r.manual.length), 0);
  const per: number[][] = Array.from({ length: K }, () => []);
  const perScaled: number[][] = Array.from({ length: K }, () => []);
  const all: number[] = [];
  const images: ImageError[] = rows.map((r) => {
    const errors = r.manual.map((m, k) => {
      const p = r.predicted[k];
      if (!m || !p) return null;
      const e = Math.hypot(m[0] - p[0], m[1] - p[1]);
      per[k].push(e);
      if (r.scale) perScaled[k].push(e * r.scale);
      all.push(e);
      return e;
    });
    const known = errors.filter((e): e is number => e !== null);
    return { name: r.name, manualImage: r.image, predictedImage: r.image, errors, mean: mean(known) };
  });
  images.sort((a, b) => (b.mean || 0) - (a.mean || 0));
  const landmarks: LandmarkErrorStats[] = per.map((v, k) => {
    const s = [...v].sort((a, b) => a - b);
    return {
      index: k + 1,
      mean: mean(v),
      median: quantile(s, 0.5),
      p90: quantile(s, 0.9),
      count: v.length,
      ...(perScaled[k].length ? { meanScaled: mean(perScaled[k]) } : {}),
    };
  });
  const sorted = [...all].sort((a, b) => a - b);
  return {
    landmarks,
    mean: mean(all),
    median: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    matched: rows.length,
    images,
    unmatchedManual: [],
    unmatchedPredicted: [],
    manualPath,
    predictedPath,
  };
}
