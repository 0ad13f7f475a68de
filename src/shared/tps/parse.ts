/**
 * TPS parser (tpsDig2 / tpsUtil / geomorph / Momocs / ml-morph flavours). Pure: no fs.
 *
 * `parseTps` never throws: problems become diagnostics naming the file, the 1-based line and the
 * 0-based specimen, and as many specimens as possible are recovered.
 *
 * Handled: LF / CRLF / CR / CR CR LF line endings; no final newline, including concatenated
 * files whose last line glues onto the next `LM=` (`IMAGE=Prono_001LM=8`); a byte-order mark;
 * leading and separating blank lines; `#` comments (kept verbatim); trailing spaces and tabs;
 * `LM = 18`; `LM=0`; numbers like `290.`, `1886.00000`, `3.13E-001`, negatives; `NA` as a
 * missing coordinate; `CURVES=`/`OUTLINES=` blocks of `POINTS=` runs; `KEY=value` fields kept
 * in order with their raw value (so `VARIABLES=OrigNum=57` keeps its nested `=`); unknown
 * fields; lines nobody understands (kept verbatim in `extraLines`, with a warning).
 *
 * Missing landmarks (`null`): tpsDig's `-1 -1` codes and `NA`, by the per-file rule documented
 * in ./missing.ts (Procrustes-aligned negatives and negated specimens stay coordinates).
 *
 * Unreadable landmarks: a row inside a specimen's landmark block (fewer than LM= rows read so far)
 * that is not two numbers (`952 abc`, a lone `952`) or holds a number too large for a double
 * (`1e309`, `Infinity`) is that landmark's slot: `null`, listed in `unreadable`, with an error.
 * It is never skipped, so the landmarks after it keep their numbers (a skipped row once shifted
 * landmarks 4-15 to 3-14 and a save wrote them there).
 */
import type { TpsCurve, TpsDiagnostic, TpsDocument, TpsField, TpsLandmark, TpsPoint, TpsSpecimen, TpsSpecimenSource } from './model';
import { eolString, splitLines } from './lines';
import { markMissingLandmarks } from './missing';

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const NA = /^(?:NA|NaN)$/i;
/** Missing landmarks a short specimen may be padded with beyond the rows it has (see closeLandmarks). */
const MAX_PADDING = 16;
const FIELD = /^([A-Za-z][A-Za-z0-9_.-]*)\s*=\s*(.*)$/;
/** A field value that swallowed the next specimen's LM= line (file without a final newline, concatenated). */
const GLUED_LM = /^(.*?\S)\s*(LM3?\s*=\s*\d+)$/i;

type Line =
  | { kind: 'blank' }
  | { kind: 'comment'; text: string }
  | { kind: 'lm'; raw: string; count: number | undefined; text: string; dims: 2 | 3 }
  | { kind: 'field'; key: string; value: string; text: string }
  | { kind: 'row'; values: number[]; text: string }
  | { kind: 'text'; text: string };

/** Parses one number token; NaN for NA. Undefined when the token is not a number. */
export function parseNumberToken(token: string): number | undefined {
  if (NUMBER.test(token)) return Number(token);
  if (NA.test(token)) return NaN;
  return undefined;
}

function classify(raw: string): Line[] {
  const text = raw.trim();
  if (text === '') return [{ kind: 'blank' }];
  if (text.startsWith('#')) return [{ kind: 'comment', text: raw.replace(/\s+$/, '') }];
  // A whole KEY=value line wrapped in double quotes (seen in ml-morph output): read the inside.
  const quoted = /^"([A-Za-z][A-Za-z0-9_.-]*\s*=.*)"$/.exec(text);
  if (quoted) return classify(quoted[1]);
  const field = FIELD.exec(text);
  if (field) {
    const key = field[1];
    const value = field[2].trim();
    if (/^LM3?$/i.test(key)) {
      const count = /^\d+$/.test(value) ? Number(value) : undefined;
      return [{ kind: 'lm', raw: value, count, text, dims: key.endsWith('3') ? 3 : 2 }];
    }
    const glued = GLUED_LM.exec(value);
    if (glued) {
      const lm = classify(glued[2]);
      return [{ kind: 'field', key, value: glued[1], text: `${key}=${glued[1]}` }, ...lm];
    }
    return [{ kind: 'field', key, value, text }];
  }
  const tokens = text.split(/\s+/);
  const values = tokens.map(parseNumberToken);
  if (values.every((v): v is number => v !== undefined)) return [{ kind: 'row', values, text }];
  // A last landmark row that swallowed the next file's LM= line (`128 134LM=8`).
  const glued = GLUED_LM.exec(text);
  if (glued && /\d\.?$/.test(glued[1])) {
    const row = classify(glued[1]);
    if (row.length === 1 && row[0].kind === 'row') return [...row, ...classify(glued[2])];
  }
  return [{ kind: 'text', text: raw.replace(/\s+$/, '') }];
}

interface Builder {
  specimen: TpsSpecimen;
  index: number;
  /** Declared LM= count; undefined when LM= was not a whole number (rows are then taken greedily). */
  expected: number | undefined;
  state: 'landmarks' | 'curves' | 'points' | 'fields';
  /** Current curve block and what it still expects. */
  block?: { curve: TpsCurve; expectedCurves: number | undefined; line: number };
  points?: { list: TpsPoint[]; expected: number | undefined; line: number };
  wideRowsWarned: boolean;
  /** Where the slots and lines are (TpsSpecimenSource). */
  source: TpsSpecimenSource;
  /** Slots whose row cannot be read (TpsSpecimen.unreadable). */
  unreadable: number[];
}

/** A parsed document with where each specimen's parts are in the text (for line patching). */
export interface ParsedTps {
  doc: TpsDocument;
  /** One per specimen, same order. */
  source: TpsSpecimenSource[];
}

export function parseTps(text: string, file?: string): TpsDocument {
  return parseTpsWithSource(text, file).doc;
}

/** A finite x and y, or NaN (the NA missing code); Infinity (`1e309`) is not a coordinate. */
function readableXY(values: number[]): boolean {
  return values.length >= 2 && values.slice(0, 2).every((v) => Number.isNaN(v) || Number.isFinite(v));
}

export function parseTpsWithSource(text: string, file?: string): ParsedTps {
  const split = splitLines(text);
  const diagnostics: TpsDiagnostic[] = [];
  const specimens: TpsSpecimen[] = [];
  const sources: TpsSpecimenSource[] = [];
  const header: string[] = [];
  const diag = (severity: 'error' | 'warning', line: number, message: string, specimen?: number): void => {
    const d: TpsDiagnostic = { severity, message, line };
    if (specimen !== undefined) d.specimen = specimen;
    if (file !== undefined) d.file = file;
    diagnostics.push(d);
  };

  let cur: Builder | undefined;

  const keepExtra = (b: Builder, text: string): void => {
    (b.specimen.extraLines ??= []).push(text);
  };

  const closePoints = (b: Builder, line: number): void => {
    const p = b.points;
    if (!p) return;
    if (p.expected !== undefined && p.list.length < p.expected) {
      diag('error', p.line, `POINTS=${p.expected} but only ${p.list.length} point rows follow`, b.index);
    }
    b.points = undefined;
    b.state = 'curves';
  };

  const closeBlock = (b: Builder, line: number): void => {
    closePoints(b, line);
    const blk = b.block;
    if (!blk) return;
    if (blk.expectedCurves !== undefined && blk.curve.curves.length !== blk.expectedCurves) {
      diag(
        'warning',
        blk.line,
        `${blk.curve.key}=${blk.expectedCurves} but ${blk.curve.curves.length} POINTS= block(s) follow`,
        b.index,
      );
    }
    b.block = undefined;
    b.state = 'fields';
  };

  const closeLandmarks = (b: Builder, line: number): void => {
    if (b.state !== 'landmarks') return;
    const n = b.specimen.landmarks.length;
    // A short specimen's last landmarks are padded as missing (tpsDig files cut short), but only
    // while the shortfall is of the size of what was read: a count far beyond its rows
    // (LM=999999999 in a 3-line file) is a typo or garbage, and padding it would allocate by a
    // number written in the file instead of by the file's size. Then the rows read are kept and
    // the count is ignored, so every specimen holds at most about twice the rows it has.
    if (b.expected !== undefined && b.expected - n > Math.max(n, MAX_PADDING)) {
      diag(
        'error',
        b.specimen.line,
        `LM=${b.expected} but only ${n} landmark row(s) follow (before line ${line}): the count is ignored (too far from the rows there are), the ${n} row(s) are read`,
        b.index,
      );
    } else if (b.expected !== undefined && n < b.expected) {
      diag(
        'error',
        b.specimen.line,
        `LM=${b.expected} but only ${n} landmark row(s) follow (before line ${line}); the last ${b.expected - n} are treated as missing`,
        b.index,
      );
      while (b.specimen.landmarks.length < b.expected) {
        b.specimen.landmarks.push(null);
        b.source.rows.push(0);
      }
    }
    b.state = 'fields';
  };

  const finish = (line: number): void => {
    if (!cur) return;
    closeLandmarks(cur, line);
    closeBlock(cur, line);
    if (cur.unreadable.length) cur.specimen.unreadable = cur.unreadable;
    specimens.push(cur.specimen);
    sources.push(cur.source);
    cur = undefined;
  };

  const toLandmark = (values: number[]): TpsLandmark =>
    Number.isNaN(values[0]) || Number.isNaN(values[1]) ? null : { x: values[0], y: values[1] };

  /** Slot `landmarks.length` of `b` holds the row on `lineNo`. */
  const pushSlot = (b: Builder, p: TpsLandmark, lineNo: number): void => {
    b.specimen.landmarks.push(p);
    b.source.rows.push(lineNo);
  };

  /** The row on `lineNo` is landmark `landmarks.length + 1` of `b`, but cannot be read: keep its place. */
  const pushUnreadable = (b: Builder, lineNo: number, row: string, why: string): void => {
    const k = b.specimen.landmarks.length;
    diag(
      'error',
      lineNo,
      `landmark ${k + 1}: "${row}" ${why}; the landmark is unreadable (not missing), landmarks after it keep their numbers, and the line is kept as written until the landmark is placed again`,
      b.index,
    );
    b.unreadable.push(k);
    pushSlot(b, null, lineNo);
  };

  split.lines.forEach((raw, i) => {
    const lineNo = i + 1;
    for (const ln of classify(raw)) {
      if (cur && ln.kind !== 'blank' && ln.kind !== 'lm') cur.source.lastLine = lineNo;
      switch (ln.kind) {
        case 'blank':
          break;
        case 'comment':
          if (cur) keepExtra(cur, ln.text);
          else header.push(ln.text);
          break;
        case 'lm': {
          finish(lineNo);
          const index = specimens.length;
          if (ln.count === undefined) {
            diag('error', lineNo, `LM=${ln.raw}: the landmark count is not a whole number; reading the rows that follow`, index);
          }
          if (ln.dims === 3) {
            diag('error', lineNo, '3D landmarks (LM3=) are not supported: only x and y are read, z is dropped', index);
          }
          cur = {
            specimen: { landmarks: [], fields: [], curves: [], line: lineNo },
            index,
            expected: ln.count,
            state: ln.count === 0 ? 'fields' : 'landmarks',
            wideRowsWarned: false,
            source: { lmLine: lineNo, rows: [], lastLine: lineNo },
            unreadable: [],
          };
          break;
        }
        case 'row': {
          if (!cur) {
            diag('error', lineNo, 'coordinate row before any LM= line: ignored (kept in the file header)');
            header.push(ln.text);
            break;
          }
          const b = cur;
          if (b.state === 'landmarks') {
            if (ln.values.length < 2) {
              pushUnreadable(b, lineNo, ln.text, `has ${ln.values.length} value where "x y" is expected`);
            } else if (!readableXY(ln.values)) {
              pushUnreadable(b, lineNo, ln.text, 'holds a number too large to be a coordinate');
            } else {
              if (ln.values.length > 2 && !b.wideRowsWarned) {
                diag('warning', lineNo, `landmark rows have ${ln.values.length} values; only the first two (x y) are used`, b.index);
                b.wideRowsWarned = true;
              }
              // R writes NA for a missing landmark; a literal NaN (numpy, a spreadsheet) is read
              // the same way, but said, so a computation gone wrong is not taken silently.
              if (/(^|\s)nan(\s|$)/i.test(ln.text)) {
                diag('warning', lineNo, `landmark ${b.specimen.landmarks.length + 1}: "${ln.text}" holds NaN, read as a missing landmark (tpsDig writes -1 -1, R writes NA)`, b.index);
              }
              pushSlot(b, toLandmark(ln.values), lineNo);
            }
            if (b.expected !== undefined && b.specimen.landmarks.length >= b.expected) b.state = 'fields';
          } else if (b.state === 'points' && b.points) {
            if (ln.values.length >= 2 && ln.values.slice(0, 2).every(Number.isFinite)) {
              b.points.list.push({ x: ln.values[0], y: ln.values[1] });
            } else diag('error', lineNo, `curve point row "${ln.text}" is not "x y": ignored`, b.index);
            if (b.points.expected !== undefined && b.points.list.length >= b.points.expected) closePoints(b, lineNo);
          } else if (
            b.state === 'fields' &&
            ln.values.length === 2 &&
            b.specimen.fields.length === 0 &&
            b.specimen.curves.length === 0 &&
            !b.specimen.extraLines
          ) {
            diag(
              'error',
              lineNo,
              `LM=${b.expected ?? '?'} but another landmark row follows: kept as landmark ${b.specimen.landmarks.length + 1}`,
              b.index,
            );
            if (readableXY(ln.values)) pushSlot(b, toLandmark(ln.values), lineNo);
            else pushUnreadable(b, lineNo, ln.text, 'holds a number too large to be a coordinate');
          } else {
            diag('warning', lineNo, `line "${ln.text}" is not a landmark, curve point or field: kept as is`, b.index);
            keepExtra(b, ln.text);
          }
          break;
        }
        case 'field': {
          const key = ln.key.toUpperCase();
          if (!cur) {
            diag('warning', lineNo, `${ln.key}= before any LM= line: not part of a specimen (kept in the file header)`);
            header.push(ln.text);
            break;
          }
          const b = cur;
          closeLandmarks(b, lineNo);
          if (key === 'CURVES' || key === 'OUTLINES') {
            closeBlock(b, lineNo);
            const n = /^\d+$/.test(ln.value) ? Number(ln.value) : undefined;
            if (n === undefined) diag('error', lineNo, `${ln.key}=${ln.value}: not a whole number`, b.index);
            const curve: TpsCurve = { key: ln.key, curves: [] };
            b.specimen.curves.push(curve);
            b.block = { curve, expectedCurves: n, line: lineNo };
            b.state = 'curves';
            break;
          }
          if (key === 'POINTS') {
            closePoints(b, lineNo);
            if (!b.block) {
              diag('warning', lineNo, 'POINTS= without CURVES= or OUTLINES=: read as a curve', b.index);
              const curve: TpsCurve = { key: 'CURVES', curves: [] };
              b.specimen.curves.push(curve);
              b.block = { curve, expectedCurves: undefined, line: lineNo };
            }
            const m = /^\d+$/.test(ln.value) ? Number(ln.value) : undefined;
            if (m === undefined) diag('error', lineNo, `POINTS=${ln.value}: not a whole number; reading the rows that follow`, b.index);
            const list: TpsPoint[] = [];
            b.block.curve.curves.push(list);
            b.points = { list, expected: m, line: lineNo };
            b.state = 'points';
            if (m === 0) closePoints(b, lineNo);
            break;
          }
          closeBlock(b, lineNo);
          if (key === 'IMAGE' && b.specimen.fields.some((f) => f.key.toUpperCase() === 'IMAGE')) {
            diag('warning', lineNo, 'IMAGE= repeated in this specimen: the first one is used', b.index);
          }
          const field: TpsField = { key: ln.key, value: ln.value, line: lineNo };
          b.specimen.fields.push(field);
          break;
        }
        case 'text':
          if (cur && cur.state === 'landmarks' && cur.expected !== undefined && cur.specimen.landmarks.length < cur.expected) {
            // A garbled row where a landmark row is due: that landmark's slot, never skipped.
            pushUnreadable(cur, lineNo, ln.text.trim(), 'is not an "x y" row of numbers');
            if (cur.specimen.landmarks.length >= cur.expected) cur.state = 'fields';
          } else if (cur) {
            diag('warning', lineNo, `line "${ln.text.trim()}" is not a landmark, curve or KEY=value field: kept as is`, cur.index);
            keepExtra(cur, ln.text);
          } else {
            diag('warning', lineNo, `line "${ln.text.trim()}" before any LM= line: not part of a specimen (kept in the file header)`);
            header.push(ln.text);
          }
          break;
      }
    }
  });
  finish(split.lines.length + 1);

  if (specimens.length === 0) {
    if (split.lines.some((l) => l.trim() !== '')) diag('error', 1, 'no specimen found: the file has no LM= line');
    else diag('warning', 1, 'empty file: no specimens');
  }

  markMissingLandmarks(specimens, (index) =>
    diag('warning', specimens[index].line, 'every coordinate of this specimen is negative (a negated specimen?): kept as coordinates', index),
  );
  checkConsistency(specimens, (severity, line, message, specimen) => diag(severity, line, message, specimen));
  diagnostics.sort((a, b) => a.line - b.line);

  const doc: TpsDocument = {
    specimens,
    diagnostics,
    eol: eolString(split.lineEnding) === '\r\n' ? '\r\n' : '\n',
    finalNewline: split.finalNewline,
    lineEnding: split.lineEnding,
    lineStarts: split.lineStarts,
  };
  if (header.length) doc.header = header;
  return { doc, source: sources };
}

type Report = (severity: 'error' | 'warning', line: number, message: string, specimen?: number) => void;

function checkConsistency(specimens: TpsSpecimen[], report: Report): void {
  // Landmark counts differing within the file.
  const tally = new Map<number, number>();
  for (const s of specimens) if (s.landmarks.length > 0) tally.set(s.landmarks.length, (tally.get(s.landmarks.length) ?? 0) + 1);
  let common = -1;
  let best = 0;
  for (const [n, c] of tally) if (c > best || (c === best && n > common)) [common, best] = [n, c];
  specimens.forEach((s, i) => {
    const n = s.landmarks.length;
    if (n === 0) {
      if (s.curves.length === 0) report('warning', s.line, 'LM=0: this specimen has no landmarks (not digitized?)', i);
      return;
    }
    if (tally.size > 1 && n !== common) {
      report('warning', s.line, `${n} landmarks, while ${best} other specimen(s) in this file have ${common}`, i);
    }
    if (s.landmarks.every((p) => p !== null && p.x === 0 && p.y === 0)) {
      report('warning', s.line, 'every landmark is "0 0": a placeholder, not digitized?', i);
    } else if (s.landmarks.every((p) => p === null)) {
      report('warning', s.line, 'every landmark is missing', i);
    }
  });

  // IMAGE= missing in some specimens, or the same image named twice.
  const image = (s: TpsSpecimen): string | undefined => s.fields.find((f) => f.key.toUpperCase() === 'IMAGE')?.value;
  const withImage = specimens.filter((s) => image(s) !== undefined).length;
  const seen = new Map<string, number>();
  specimens.forEach((s, i) => {
    const img = image(s);
    if (img === undefined) {
      if (withImage > 0) report('warning', s.line, 'no IMAGE= line, while other specimens in this file have one', i);
      return;
    }
    if (img === '') {
      report('warning', s.fields.find((f) => f.key.toUpperCase() === 'IMAGE')?.line ?? s.line, 'IMAGE= is empty', i);
      return;
    }
    const key = img.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) {
      const line = s.fields.find((f) => f.key.toUpperCase() === 'IMAGE')?.line ?? s.line;
      report('warning', line, `IMAGE=${img} is also the image of specimen ${first + 1}`, i);
    } else seen.set(key, i);
  });
}
