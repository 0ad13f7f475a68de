/**
 * CSV exports of an evaluation (RFC 4180: comma separated, fields quoted when needed, CRLF).
 * Pure. Empty cells where a value does not exist (missing landmark, no SCALE).
 */
import type { EvaluationResult } from '../protocol/engine';

function cell(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export type CsvCell = string | number | null | undefined;

/** A table as RFC 4180 text (CRLF, a final line break). */
export function csvText(table: CsvCell[][]): string {
  return rows(table);
}

function rows(table: CsvCell[][]): string {
  return table.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

/** One row per landmark: index, n, missing, mean, median, p90, max, and SCALE-unit columns. */
export function landmarkTableCsv(e: EvaluationResult): string {
  const table: (string | number | null | undefined)[][] = [
    ['landmark', 'n', 'missing', 'mean_px', 'median_px', 'p90_px', 'max_px', 'mean_scaled', 'median_scaled', 'p90_scaled'],
  ];
  for (const l of e.landmarks) {
    table.push([l.index, l.count, l.missing, l.mean, l.median, l.p90, l.max, l.meanScaled, l.medianScaled, l.p90Scaled]);
  }
  table.push(['all', e.count, e.missing, e.mean, e.median, e.p90, e.max, e.meanScaled, e.medianScaled, e.p90Scaled]);
  return rows(table);
}

/** One row per image, worst first: name, mean error, then each landmark's error (px). */
export function imageErrorsCsv(e: EvaluationResult): string {
  const k = e.landmarks.length;
  const table: (string | number | null | undefined)[][] = [
    ['specimen', 'mean_px', ...Array.from({ length: k }, (_, i) => `lm${i + 1}_px`), 'manual_image', 'predicted_image'],
  ];
  for (const img of e.images) table.push([img.name, img.mean, ...img.errors, img.manualImage, img.predictedImage]);
  return rows(table);
}
