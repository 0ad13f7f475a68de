/**
 * The TPS data model shared by the engine, the extension, the webviews and the CLI.
 * Pure types and tiny helpers: no fs, no vscode, no tfjs.
 *
 * Coordinates in a TpsSpecimen are stored exactly as in the file: tpsDig convention,
 * origin at the bottom-left of the image, y growing upwards. Convert to image pixels
 * (origin top-left, y down) only through ./coords.ts.
 */

/** A point in TPS coordinates (tpsDig: origin bottom-left, y up). */
export interface TpsPoint {
  x: number;
  y: number;
}

/**
 * A landmark slot: a point, or `null` when the landmark is missing (tpsDig negative codes) or its
 * row cannot be read (see `TpsSpecimen.unreadable`).
 */
export type TpsLandmark = TpsPoint | null;

/** A field line other than LM / the landmark rows, kept in file order so writing gives it back. */
export interface TpsField {
  /** Upper-case key as written (IMAGE, ID, SCALE, COMMENT, VARIABLES, or anything unknown). */
  key: string;
  /** Raw value after the first '=' (may itself contain '='), trimmed. */
  value: string;
  /** 1-based line of the field in the source text (0 when created in memory). */
  line: number;
}

/** A CURVES / POINTS / OUTLINES block after the landmarks, kept verbatim-equivalent. */
export interface TpsCurve {
  /** The block's keyword as written: CURVES, POINTS or OUTLINES. */
  key: string;
  /** Points of each curve/outline in TPS coordinates. */
  curves: TpsPoint[][];
}

export interface TpsSpecimen {
  /** Landmarks in TPS coordinates, in file order; `null` = missing. */
  landmarks: TpsLandmark[];
  /** Fields after the landmarks (IMAGE, ID, SCALE, ...), in file order. */
  fields: TpsField[];
  /** CURVES / POINTS / OUTLINES blocks, if any. */
  curves: TpsCurve[];
  /** 1-based line of this specimen's LM= line in the source (0 when created in memory). */
  line: number;
  /**
   * Lines inside the specimen that are neither landmark rows, curve blocks nor KEY=value fields
   * (e.g. `#` comments, a tool's score rows), kept verbatim so writing does not lose them.
   * Written after the landmarks and curves, before the fields.
   */
  extraLines?: string[];
  /**
   * 0-based indices of landmark slots whose row in the file cannot be read (`952 abc`, `1e309 5`):
   * the slot is `null` in `landmarks` but it is not a missing landmark. It keeps its place so
   * the landmarks after it keep their numbers, and an editor can say "unreadable" rather than
   * "missing". Absent when every row was read. Ascending.
   */
  unreadable?: number[];
}

export type TpsSeverity = 'error' | 'warning';

export interface TpsDiagnostic {
  severity: TpsSeverity;
  message: string;
  /** 1-based line in the source text. */
  line: number;
  /** 0-based specimen index, when the problem belongs to a specimen. */
  specimen?: number;
  /** Source file path, when known. */
  file?: string;
}

/**
 * Where each part of a specimen is in the source text it was parsed from, so that an editor can
 * rewrite exactly the lines an edit touches (../editing/patch.ts). 1-based line numbers, as in
 * diagnostics; 0 = not in the file.
 */
export interface TpsSpecimenSource {
  /** Line of the LM= line (shared with the previous specimen's last line when glued to it). */
  lmLine: number;
  /** Per landmark slot, the line of its row; 0 for slots the file has no row for (LM= says more). */
  rows: number[];
  /** Last line that belongs to the specimen (LM=, rows, curves, comments, fields). */
  lastLine: number;
}

export interface TpsDocument {
  specimens: TpsSpecimen[];
  diagnostics: TpsDiagnostic[];
  /** Line ending the source used; writers reuse it. */
  eol: '\n' | '\r\n';
  /** Whether the source ended with a line ending. */
  finalNewline: boolean;
  /** Lines before the first specimen (`#` comments, stray text), kept verbatim for writing. */
  header?: string[];
  /** The source's exact line-ending style (CR CR LF is written back as CRLF). */
  lineEnding?: 'LF' | 'CRLF' | 'CR' | 'CRCRLF';
  /**
   * Character offset in the source text of each logical line's start (`lineStarts[line - 1]`).
   * Diagnostics count CR CR LF as one line break, where editors (VS Code) see two: map a
   * diagnostic to an editor position through this offset (e.g. `document.positionAt`).
   */
  lineStarts?: number[];
}

/** Case-insensitive lookup of a field's value (first occurrence). */
export function getField(specimen: TpsSpecimen, key: string): string | undefined {
  const k = key.toUpperCase();
  return specimen.fields.find((f) => f.key.toUpperCase() === k)?.value;
}

/** Sets (or adds, before any later fields) a field's value; returns the specimen for chaining. */
export function setField(specimen: TpsSpecimen, key: string, value: string): TpsSpecimen {
  const k = key.toUpperCase();
  const existing = specimen.fields.find((f) => f.key.toUpperCase() === k);
  if (existing) existing.value = value;
  else specimen.fields.push({ key: k, value, line: 0 });
  return specimen;
}

/** SCALE= as a number (units per pixel), or undefined when absent, zero or not a number. */
export function getScale(specimen: TpsSpecimen): number | undefined {
  const raw = getField(specimen, 'SCALE');
  if (raw === undefined) return undefined;
  const v = Number(raw);
  return Number.isFinite(v) && v > 0 ? v : undefined;
}

/** Deep copy, so edits never alias a parsed document. */
export function cloneSpecimen(s: TpsSpecimen): TpsSpecimen {
  return {
    landmarks: s.landmarks.map((p) => (p ? { x: p.x, y: p.y } : null)),
    fields: s.fields.map((f) => ({ ...f })),
    curves: s.curves.map((c) => ({ key: c.key, curves: c.curves.map((pts) => pts.map((p) => ({ ...p }))) })),
    line: s.line,
    ...(s.extraLines ? { extraLines: [...s.extraLines] } : {}),
    ...(s.unreadable ? { unreadable: [...s.unreadable] } : {}),
  };
}
