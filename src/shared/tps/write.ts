/**
 * TPS writer, tpsDig style. Pure: no fs.
 *
 * Per specimen: `LM=n`, n rows `x y` (a missing landmark is written `-1 -1`, tpsDig's code,
 * or `NA NA` where `-1 -1` would read back as a coordinate, see ./missing.ts), the
 * CURVES/OUTLINES blocks, any kept verbatim lines, then the fields in their order (IMAGE, ID, SCALE, ...). The file header (leading comments) and
 * the source's line endings and final newline are kept. Numbers are written with the shortest
 * text that parses back to the same double, so parse -> write -> parse gives the same values.
 *
 * This writes a whole file anew (predictions, new files). An unreadable landmark row has no value
 * to write, so it comes out as a missing code here; the editor saves an existing file by patching
 * its lines instead (../editing/patch.ts), which keeps that row and every unedited byte.
 */
import type { TpsDocument, TpsPoint, TpsSpecimen } from './model';
import { missingRow } from './missing';
import { eolString } from './lines';

/** Shortest decimal text that re-parses to the same number (no exponent for ordinary pixel values). */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) throw new RangeError(`cannot write ${v} as a TPS coordinate`);
  if (Object.is(v, -0)) return '0';
  return String(v);
}

function row(p: TpsPoint): string {
  return `${formatNumber(p.x)} ${formatNumber(p.y)}`;
}

/**
 * The lines of one specimen, without line endings. `missing` is the row written for a missing
 * landmark (see ./missing.ts: `-1 -1`, or `NA NA` where that would read back as a coordinate).
 */
export function specimenLines(s: TpsSpecimen, missing: string = missingRow([s], s)): string[] {
  const out: string[] = [`LM=${s.landmarks.length}`];
  for (const p of s.landmarks) out.push(p ? row(p) : missing);
  for (const block of s.curves) {
    out.push(`${block.key}=${block.curves.length}`);
    for (const pts of block.curves) {
      out.push(`POINTS=${pts.length}`);
      for (const p of pts) out.push(row(p));
    }
  }
  if (s.extraLines) out.push(...s.extraLines);
  for (const f of s.fields) out.push(`${f.key}=${f.value}`);
  return out;
}

export interface WriteOptions {
  /** Line ending; default: the document's (`lineEnding` when set, else `eol`). */
  eol?: '\n' | '\r\n';
  /** End with a line ending; default: the document's `finalNewline`. */
  finalNewline?: boolean;
}

export function writeTps(doc: TpsDocument, options: WriteOptions = {}): string {
  const eol = options.eol ?? (doc.lineEnding ? eolString(doc.lineEnding) : doc.eol);
  const lines: string[] = [...(doc.header ?? [])];
  for (const s of doc.specimens) lines.push(...specimenLines(s, missingRow(doc.specimens, s)));
  const finalNewline = options.finalNewline ?? doc.finalNewline;
  return lines.join(eol) + (finalNewline && lines.length ? eol : '');
}

/** A new, empty document for writing (LF, final newline). */
export function emptyDocument(): TpsDocument {
  return { specimens: [], diagnostics: [], eol: '\n', finalNewline: true };
}
