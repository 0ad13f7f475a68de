/**
 * Per-landmark error tables for the results view. Pure: no vscode, no fs. (The CSV exports are
 * src/shared/metrics/csv.ts, shared with the CLI.)
 * Pixel statistics come from the per-image errors; SCALE statistics multiply each image's errors
 * by its SCALE= (units per pixel) and use only the images that have one.
 */
import type { ResultsImage, ResultsTableRow } from '../../shared/protocol/views';

/** Linear-interpolated quantile (q in [0, 1]) of an ascending-sorted array; NaN when empty. */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export interface Summary {
  count: number;
  mean: number;
  median: number;
  p90: number;
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const count = sorted.length;
  const mean = count ? sorted.reduce((s, v) => s + v, 0) / count : NaN;
  return { count, mean, median: quantileSorted(sorted, 0.5), p90: quantileSorted(sorted, 0.9) };
}

type ErrorRow = Pick<ResultsImage, 'errors' | 'scale'>;

/** One row per landmark (1-based index): mean, median, p90 in pixels and, where known, SCALE units. */
export function landmarkTable(images: readonly ErrorRow[], landmarkCount: number): ResultsTableRow[] {
  const rows: ResultsTableRow[] = [];
  for (let k = 0; k < landmarkCount; k++) {
    const px: number[] = [];
    const scaled: number[] = [];
    for (const im of images) {
      const e = im.errors[k];
      if (e === null || e === undefined || !Number.isFinite(e)) continue;
      px.push(e);
      if (im.scale !== undefined && im.scale > 0) scaled.push(e * im.scale);
    }
    const s = summarize(px);
    const row: ResultsTableRow = { index: k + 1, count: s.count, mean: s.mean, median: s.median, p90: s.p90 };
    if (scaled.length) {
      const ss = summarize(scaled);
      row.meanScaled = ss.mean;
      row.medianScaled = ss.median;
      row.p90Scaled = ss.p90;
    }
    rows.push(row);
  }
  return rows;
}

/** Summary over every landmark of every image. */
export function overallSummary(images: readonly ErrorRow[]): Summary {
  const all: number[] = [];
  for (const im of images) for (const e of im.errors) if (e !== null && Number.isFinite(e)) all.push(e);
  return summarize(all);
}
