/**
 * Missing landmarks: which coordinates in a TPS file are tpsDig's "missing" codes. Pure.
 *
 * The rule, decided per file:
 *   - `NA` / `NaN` coordinates are always missing.
 *   - A row whose x and y are the same negative integer (tpsDig's `-1 -1`, also `-99 -99`,
 *     `-999 -999`; geomorph reads them with `negNA = TRUE`) is missing, except
 *       * in unit-scale files (Procrustes-aligned or centred data: every other coordinate of the
 *         file within [-10, 10]), where negative values are real coordinates; and
 *       * in a specimen whose other landmarks are all negative (a whole specimen negated, as in
 *         some exported data sets): its values are kept, with a warning.
 *   - Any other negative coordinate is a coordinate (a point dragged just outside the image,
 *     Procrustes data, a negated specimen).
 * The writer writes a missing landmark as `-1 -1`, or as `NA NA` where `-1 -1` would read back
 * as a coordinate (unit-scale files, negated specimens), so a round trip keeps it missing.
 */
import type { TpsPoint, TpsSpecimen } from './model';

/** Largest |coordinate| of a unit-scale (Procrustes / centred) file. */
export const UNIT_SCALE_LIMIT = 10;

/** The same negative integer for x and y: tpsDig's missing-landmark code. */
export function isMissingCode(p: TpsPoint): boolean {
  return p.x < 0 && p.x === p.y && Number.isInteger(p.x);
}

function present(s: TpsSpecimen): TpsPoint[] {
  return s.landmarks.filter((p): p is TpsPoint => p !== null && !isMissingCode(p));
}

/** Procrustes-aligned or centred data: there are coordinates, all within ±UNIT_SCALE_LIMIT. */
export function isUnitScale(specimens: readonly TpsSpecimen[]): boolean {
  const pts = specimens.flatMap(present);
  return pts.length > 0 && pts.every((p) => Math.abs(p.x) <= UNIT_SCALE_LIMIT && Math.abs(p.y) <= UNIT_SCALE_LIMIT);
}

/** Every landmark other than missing codes is negative in x and y (a negated specimen). */
export function isNegatedSpecimen(s: TpsSpecimen): boolean {
  const pts = present(s);
  return pts.length > 0 && pts.every((p) => p.x < 0 && p.y < 0);
}

/**
 * Replaces missing codes with null in place, following the rule above; calls `onNegated` for
 * each negated specimen of a non-unit-scale file.
 */
export function markMissingLandmarks(specimens: TpsSpecimen[], onNegated?: (index: number) => void): void {
  if (isUnitScale(specimens)) return;
  specimens.forEach((s, index) => {
    if (isNegatedSpecimen(s)) {
      onNegated?.(index);
      return;
    }
    s.landmarks = s.landmarks.map((p) => (p && isMissingCode(p) ? null : p));
  });
}

/** How a missing landmark of `specimen` must be written so that parsing reads it back as missing. */
export function missingRow(specimens: readonly TpsSpecimen[], specimen: TpsSpecimen): string {
  return isUnitScale(specimens) || isNegatedSpecimen(specimen) ? 'NA NA' : '-1 -1';
}
