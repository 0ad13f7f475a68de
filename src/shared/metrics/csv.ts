/**
 * CSV exports of an evaluation (RFC 4180: comma separated, fields quoted when needed, CRLF).
 * Pure. Empty cells where a value does not exist (missing landmark, no SCALE). The one format of
 * both the CLI (`evaluate --csv / --landmarks-csv`) and VS Code (the results view's Export CSV):
 * both call evaluationCsv on the same EvaluationResult, so they write the same bytes.
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

/** An error as the evaluation CSVs write it: 10 significant digits (13.5, not 13.500000000000004). */
function err(v: number | null | undefined): number | null | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? Number(v.toPrecision(10)) : v;
}

function errs(row: CsvCell[]): CsvCell[] {
  return row.map((c) => (typeof c === 'number' ? err(c) : c));
}

/** One row per landmark, then "all": landmark, n, missing, mean, median, p90, max (px), mean, median, p90 in SCALE units (empty without SCALE). */
export function landmarkTableCsv(e: EvaluationResult): string {
  const table: (string | number | null | undefined)[][] = [
    ['landmark', 'n', 'missing', 'mean_px', 'median_px', 'p90_px', 'max_px', 'mean_scaled', 'median_scaled', 'p90_scaled'],
  ];
  for (const l of e.landmarks) {
    table.push(errs([l.index, l.count, l.missing, l.mean, l.median, l.p90, l.max, l.meanScaled, l.medianScaled, l.p90Scaled]));
  }
  table.push(errs(['all', e.count, e.missing, e.mean, e.median, e.p90, e.max, e.meanScaled, e.medianScaled, e.p90Scaled]));
  return rows(table);
}

/** Landmarks per image in an evaluation (the table's, or the longest error list). */
function landmarkCountOf(e: EvaluationResult): number {
  return Math.max(e.landmarks.length, e.landmarkCount ?? 0, ...e.images.map((i) => i.errors.length), 0);
}

/**
 * One row per image, worst first: image, mean, max and missing (px), each landmark's error (px);
 * then, when an image has SCALE=, scale (units per pixel), mean and each landmark's error in SCALE
 * units (empty for images without SCALE); then the two images as matched.
 */
export function imageErrorsCsv(e: EvaluationResult): string {
  const k = landmarkCountOf(e);
  const lm = (suffix: string) => Array.from({ length: k }, (_, i) => `lm${i + 1}_${suffix}`);
  const scaled = e.images.some((i) => i.scale !== undefined && i.scale > 0);
  const table: CsvCell[][] = [
    ['image', 'mean_px', 'max_px', 'missing', ...lm('px'), ...(scaled ? ['scale', 'mean_scaled', ...lm('scaled')] : []), 'manual_image', 'predicted_image'],
  ];
  for (const img of e.images) {
    const errors = Array.from({ length: k }, (_, i) => img.errors[i]);
    const s = img.scale !== undefined && img.scale > 0 ? img.scale : undefined;
    const scaledCells: CsvCell[] = scaled
      ? [s, s === undefined ? undefined : (img.meanScaled ?? img.mean * s), ...errors.map((v) => (s === undefined || v === null || v === undefined ? undefined : v * s))]
      : [];
    table.push(errs([img.name, img.mean, img.max, img.missing ?? 0, ...errors, ...scaledCells, img.manualImage, img.predictedImage]));
  }
  return rows(table);
}

/** The two CSV exports of an evaluation, as both the CLI (`evaluate --csv`) and VS Code write them. */
export type EvaluationCsvKind = 'landmarks' | 'images';

/** The CSV text of one export: the per-landmark table, or one row per image. */
export function evaluationCsv(e: EvaluationResult, kind: EvaluationCsvKind): string {
  return kind === 'landmarks' ? landmarkTableCsv(e) : imageErrorsCsv(e);
}
