/**
 * Per-landmark error tables for the results view. Pure: no vscode, no fs. (The CSV exports are
 * src/shared/metrics/csv.ts, shared with the CLI; the statistics are src/shared/metrics/stats.ts,
 * the engine's.)
 *
 * The engine's evaluation already holds the table (src/shared/metrics/errors.ts computed it), so
 * the view shows that one (`engineTable`): the same numbers as the CLI and the CSV export, SCALE
 * units included. Only an evaluation without a table for every landmark (one whose images' errors
 * the view had to work out itself) is tabulated here (`landmarkTable`), with the same statistics.
 */
import type { EvaluationResult, LandmarkErrorStats } from '../../shared/protocol/engine';
import type { ResultsImage, ResultsTableRow } from '../../shared/protocol/views';
import { summarize, type Summary } from '../../shared/metrics/stats';
import { landmarkStats } from '../../shared/metrics/errors';

type ErrorRow = Pick<ResultsImage, 'errors' | 'scale'>;

/** A statistic as it arrives: evaluations read back from JSON carry null for "no data". */
const num = (v: number | null | undefined): number => (typeof v === 'number' ? v : NaN);
const finite = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

function row(s: LandmarkErrorStats): ResultsTableRow {
  const r: ResultsTableRow = { index: s.index, count: s.count, mean: num(s.mean), median: num(s.median), p90: num(s.p90) };
  if (s.meanScaled !== undefined && s.meanScaled !== null) {
    r.meanScaled = num(s.meanScaled);
    r.medianScaled = num(s.medianScaled);
    r.p90Scaled = num(s.p90Scaled);
  }
  return r;
}

/**
 * The engine's table and overall figures, when it sent them for every landmark (indices 1..k in
 * order) and its own errors for every image (else the view worked some errors out itself and the
 * engine's figures would not be theirs); undefined when the view must tabulate.
 */
export function engineTable(evaluation: EvaluationResult, landmarkCount: number): { table: ResultsTableRow[]; overall: Pick<Summary, 'mean' | 'median' | 'p90'> } | undefined {
  const lms = evaluation.landmarks;
  if (lms.length !== landmarkCount || lms.some((s, i) => s.index !== i + 1)) return undefined;
  if (evaluation.images.some((im) => im.errors.length === 0)) return undefined;
  return { table: lms.map(row), overall: { mean: num(evaluation.mean), median: num(evaluation.median), p90: num(evaluation.p90) } };
}

/**
 * One row per landmark (1-based index): mean, median, p90 in pixels and, where known, SCALE
 * units, by the engine's own per-landmark statistics (landmarkStats).
 */
export function landmarkTable(images: readonly ErrorRow[], landmarkCount: number): ResultsTableRow[] {
  const rows: ResultsTableRow[] = [];
  for (let k = 0; k < landmarkCount; k++) {
    const px: number[] = [];
    const scaled: number[] = [];
    for (const im of images) {
      const e = im.errors[k];
      if (!finite(e)) continue;
      px.push(e);
      if (im.scale !== undefined && im.scale > 0) scaled.push(e * im.scale);
    }
    rows.push(row(landmarkStats(k + 1, px, scaled, images.length - px.length)));
  }
  return rows;
}

/** Summary over every landmark of every image. */
export function overallSummary(images: readonly ErrorRow[]): Summary {
  return summarize(images.flatMap((im) => im.errors.filter(finite)));
}
