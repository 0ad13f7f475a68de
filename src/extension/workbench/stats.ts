/**
 * Per-landmark error tables for the results view and its CSV export. Pure: no vscode, no fs.
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

function num(v: number | undefined, digits = 4): string {
  return v === undefined || !Number.isFinite(v) ? '' : v.toFixed(digits);
}

function csvCell(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * The per-landmark table as CSV: landmark, n, mean/median/p90 in px, and in SCALE units
 * (empty cells where no image had a SCALE), then an "all" row.
 */
export function tableCsv(rows: readonly ResultsTableRow[], overall?: Summary): string {
  const header = ['landmark', 'n', 'mean_px', 'median_px', 'p90_px', 'mean_scale', 'median_scale', 'p90_scale'];
  const lines = [header.join(',')];
  for (const r of rows) {
    lines.push(
      [String(r.index), String(r.count), num(r.mean), num(r.median), num(r.p90), num(r.meanScaled), num(r.medianScaled), num(r.p90Scaled)]
        .map(csvCell)
        .join(','),
    );
  }
  if (overall) lines.push(['all', String(overall.count), num(overall.mean), num(overall.median), num(overall.p90), '', '', ''].join(','));
  return lines.join('\n') + '\n';
}

/** Per-image errors as CSV (worst first as given): image, mean, then one column per landmark. */
export function imagesCsv(images: readonly Pick<ResultsImage, 'name' | 'errors' | 'mean'>[], landmarkCount: number): string {
  const header = ['image', 'mean_px', ...Array.from({ length: landmarkCount }, (_, k) => `lm${k + 1}_px`)];
  const lines = [header.join(',')];
  for (const im of images) {
    lines.push([csvCell(im.name), num(im.mean), ...Array.from({ length: landmarkCount }, (_, k) => num(im.errors[k] ?? undefined))].join(','));
  }
  return lines.join('\n') + '\n';
}
