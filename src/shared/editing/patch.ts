/**
 * Writing a landmark edit into the TPS text by patching lines, so a save changes only what was
 * edited and every other byte of the file stays as it was (line endings, trailing spaces, tabs,
 * number formatting, comments, unknown lines, unreadable rows). Pure: no fs, no vscode.
 *
 *   move        replaces that landmark's x and y in its row (other columns and spacing kept), or
 *               writes a fresh row over an unreadable one, or adds the row a short specimen lacks;
 *   setMissing  writes the file's own missing code (`-1.00000 -1.00000`, `NA NA`...) in the row;
 *   add         inserts one row and rewrites the LM= count;
 *   delete      removes one row and rewrites the LM= count;
 *   comment     (a predicted specimen's doubt list, ../tps/review.ts) rewrites the value of the
 *               specimen's COMMENT= line, or adds one.
 * A coordinate is written in the file's own number style (../tps/style.ts). The patch records the
 * lines it removes, so undo puts the original bytes back.
 */
import { EditError, type LandmarkEdit } from './edits';
import type { ParsedTps } from '../tps/parse';
import type { TpsPoint } from '../tps/model';
import { isMissingCode, missingRow } from '../tps/missing';
import { diffLines, dominantEol, type LinePatch, type SourceLine, type SourceText } from '../tps/source';
import { detectNumberStyle, formatCoordinate, type CoordinatePrecision, type NumberStyle } from '../tps/style';

export interface PatchOptions {
  /** How a moved or added landmark is rounded (default `file`: the file's own decimals). */
  precision?: CoordinatePrecision;
}

export interface EditPatch {
  /** The edit with its coordinates as written: the values the patched file reads back as. */
  edit: LandmarkEdit;
  patch: LinePatch;
}

/** A next specimen's LM= glued onto the end of a line (a file that ended without a newline, concatenated). */
const GLUED_TAIL = /\s*LM3?\s*=\s*\d+\s*$/i;
const LM_COUNT = /(LM3?\s*=\s*)(\d+)/gi;
const FIRST_TWO = /^(\s*)(\S+)(\s+)(\S+)/;
const NA = /^(?:NA|NaN)$/i;

interface RowLayout {
  lead: string;
  sep: string;
  trail: string;
}

/**
 * The line patch that writes `edit` (already checked by prepareEdit against `parsed.doc`) into
 * `source`, which `parsed` was parsed from.
 */
export function patchForEdit(source: SourceText, parsed: ParsedTps, edit: LandmarkEdit, options: PatchOptions = {}): EditPatch {
  const { doc } = parsed;
  const s = edit.specimen;
  const specimen = doc.specimens[s];
  const map = parsed.source[s];
  if (!specimen || !map) throw new EditError(`specimen ${s + 1} does not exist (the file has ${doc.specimens.length})`);
  const precision = options.precision ?? 'file';
  const lines: SourceLine[] = source.lines.slice();
  const fallbackEol = dominantEol(source);
  const unreadable = new Set(specimen.unreadable ?? []);
  /** The line (1-based) holding the next specimen's glued LM=, which is not ours to change. */
  const gluedLine = parsed.source[s + 1]?.lmLine ?? 0;

  const at = (line: number): SourceLine => lines[line - 1];
  /** Where this specimen's part of a line ends (before a glued next LM=). */
  const ownEnd = (line: number): number => {
    const text = at(line).text;
    if (line !== gluedLine) return text.length;
    const m = GLUED_TAIL.exec(text);
    return m ? m.index : text.length;
  };
  const rowTokens = (line: number): string[] => at(line).text.slice(0, ownEnd(line)).trim().split(/\s+/);

  const style = fileStyle(parsed, source);
  const layout = rowLayout(parsed, source, s, edit.index);
  const fresh = (x: string, y: string): string => `${layout.lead}${x}${layout.sep}${y}${layout.trail}`;
  const coords = (p: TpsPoint): [string, string] => [formatCoordinate(p.x, style, precision), formatCoordinate(p.y, style, precision)];

  /** Writes x y into the row on `line`: in place for a readable row, a fresh row over an unreadable one. */
  const writeRow = (line: number, [x, y]: [string, string], readable: boolean): void => {
    const { text, eol } = at(line);
    const end = ownEnd(line);
    const own = text.slice(0, end);
    const m = readable ? FIRST_TWO.exec(own) : null;
    const row = m ? `${m[1]}${x}${m[3]}${y}${own.slice(m[0].length)}` : fresh(x, y);
    lines[line - 1] = { text: row + text.slice(end), eol };
  };

  /** Inserts rows before `line`. */
  const insertBefore = (line: number, texts: string[]): void => {
    const eol = at(line).eol || fallbackEol;
    lines.splice(line - 1, 0, ...texts.map((text) => ({ text, eol })));
  };

  /** Inserts rows after `line`, splitting off a glued next LM= first. */
  const insertAfter = (line: number, texts: string[]): void => {
    const { text, eol } = at(line);
    const end = ownEnd(line);
    const brk = eol || fallbackEol;
    const added = texts.map((t) => ({ text: t, eol: brk }));
    if (end < text.length) {
      lines.splice(line - 1, 1, { text: text.slice(0, end), eol: brk }, ...added, { text: text.slice(end).trimStart(), eol });
      return;
    }
    if (!eol && added.length) {
      // The last line of a file without a final newline: the new last line goes without one too.
      added[added.length - 1] = { text: added[added.length - 1].text, eol: '' };
      lines[line - 1] = { text, eol: brk };
    }
    lines.splice(line, 0, ...added);
  };

  const removeRow = (line: number): void => {
    const { text, eol } = at(line);
    const end = ownEnd(line);
    if (end < text.length) {
      lines[line - 1] = { text: text.slice(end).trimStart(), eol };
      return;
    }
    lines.splice(line - 1, 1);
    if (!eol && line >= 2) lines[line - 2] = { text: lines[line - 2].text, eol: '' };
  };

  const setCount = (n: number): void => {
    const { text, eol } = at(map.lmLine);
    let last: RegExpExecArray | undefined;
    LM_COUNT.lastIndex = 0;
    for (let m = LM_COUNT.exec(text); m; m = LM_COUNT.exec(text)) last = m;
    if (!last) return; // LM=x: the rows are read greedily, there is no count to keep right
    const digits = last.index + last[1].length;
    lines[map.lmLine - 1] = { text: text.slice(0, digits) + String(n) + text.slice(digits + last[2].length), eol };
  };

  const missing = (): [string, string] => missingTokens(parsed, source, s, style);

  /** Rows for slots `from..to-1` that the file lacks (LM= said more than it had): missing codes. */
  const materialize = (from: number, to: number, last: [string, string] | undefined): void => {
    const texts: string[] = [];
    for (let j = from; j < to; j++) texts.push(fresh(...missing()));
    if (last) texts.push(fresh(...last));
    if (texts.length) insertAfter(lastRowLine(map.rows) || map.lmLine, texts);
  };

  // Bottom to top, so each step's line numbers are still those of the parse: the COMMENT field
  // comes after the landmark rows, which come after the LM= line.
  if (edit.comment) {
    const field = specimen.fields.find((f) => f.key.toUpperCase() === 'COMMENT');
    if (field && field.line > 0) {
      const { text, eol } = at(field.line);
      const eq = text.indexOf('=');
      const from = text.indexOf(field.value, eq + 1);
      const next = from >= 0 && eq >= 0 ? text.slice(0, from) + edit.comment.to + text.slice(from + field.value.length) : `COMMENT=${edit.comment.to}`;
      lines[field.line - 1] = { text: next, eol };
    } else insertAfter(map.lastLine, [`COMMENT=${edit.comment.to}`]);
  }

  const k = edit.index;
  const row = map.rows[k] ?? 0;
  const rowsInFile = map.rows.filter((r) => r > 0).length;
  let written: LandmarkEdit = edit;
  switch (edit.kind) {
    case 'move': {
      const xy = coords(edit.to);
      written = { ...edit, to: { x: Number(xy[0]), y: Number(xy[1]) } };
      if (row > 0) writeRow(row, xy, !unreadable.has(k));
      else materialize(rowsInFile, k, xy);
      break;
    }
    case 'setMissing':
      if (row > 0) writeRow(row, missing(), !unreadable.has(k));
      // else: a slot the file has no row for is missing already
      break;
    case 'add': {
      const xy = edit.point ? coords(edit.point) : missing();
      written = { ...edit, point: edit.point ? { x: Number(xy[0]), y: Number(xy[1]) } : null };
      if (row > 0) insertBefore(row, [fresh(...xy)]);
      else materialize(rowsInFile, k, xy);
      setCount(specimen.landmarks.length + 1);
      break;
    }
    case 'delete':
      if (row > 0) removeRow(row);
      setCount(specimen.landmarks.length - 1);
      break;
  }
  return { edit: written, patch: diffLines(source.lines, lines) };
}

function lastRowLine(rows: readonly number[]): number {
  let last = 0;
  for (const r of rows) if (r > last) last = r;
  return last;
}

/** The x and y text of a landmark row (before any glued LM=), or undefined for other lines. */
function rowXY(parsed: ParsedTps, source: SourceText, specimen: number, line: number): [string, string] | undefined {
  const text = source.lines[line - 1]?.text;
  if (text === undefined) return undefined;
  const glued = parsed.source[specimen + 1]?.lmLine === line ? GLUED_TAIL.exec(text) : null;
  const m = FIRST_TWO.exec(glued ? text.slice(0, glued.index) : text);
  return m ? [m[2], m[4]] : undefined;
}

/** The number style of the file's landmark coordinates (missing codes left out). */
export function fileStyle(parsed: ParsedTps, source: SourceText): NumberStyle {
  const tokens: string[] = [];
  parsed.doc.specimens.forEach((sp, s) => {
    parsed.source[s].rows.forEach((line, j) => {
      const p = sp.landmarks[j];
      if (line <= 0 || !p || isMissingCode(p)) return;
      const xy = rowXY(parsed, source, s, line);
      if (xy) tokens.push(...xy);
    });
  });
  return detectNumberStyle(tokens);
}

/**
 * How a new row is laid out (leading blanks, separator, trailing blanks): as the readable row
 * nearest to slot `index` in the specimen, else the first in the file, else `x y`.
 */
function rowLayout(parsed: ParsedTps, source: SourceText, specimen: number, index: number): RowLayout {
  const candidates = (s: number): number[] => {
    const sp = parsed.doc.specimens[s];
    const bad = new Set(sp.unreadable ?? []);
    return parsed.source[s].rows.map((line, j) => (line > 0 && !bad.has(j) ? j : -1)).filter((j) => j >= 0);
  };
  const layoutOf = (s: number, j: number): RowLayout | undefined => {
    const line = parsed.source[s].rows[j];
    const text = source.lines[line - 1]?.text ?? '';
    const glued = parsed.source[s + 1]?.lmLine === line ? GLUED_TAIL.exec(text) : null;
    const own = glued ? text.slice(0, glued.index) : text;
    const m = /^(\s*)(\S+)(\s+)(\S+)(\s*)$/.exec(own) ?? FIRST_TWO.exec(own);
    return m ? { lead: m[1], sep: m[3], trail: m[5] ?? '' } : undefined;
  };
  const mine = candidates(specimen).sort((a, b) => Math.abs(a - index) - Math.abs(b - index) || a - b);
  for (const j of mine) {
    const l = layoutOf(specimen, j);
    if (l) return l;
  }
  for (let s = 0; s < parsed.doc.specimens.length; s++) {
    for (const j of candidates(s)) {
      const l = layoutOf(s, j);
      if (l) return l;
    }
  }
  return { lead: '', sep: ' ', trail: '' };
}

/**
 * The missing-landmark code to write in `specimen`: the file's own (the first row it reads as
 * missing, e.g. `-1.00000 -1.00000` or `NA NA`) where that reads back as missing here, else
 * tpsDig's -1 -1 in the file's number style, else `NA NA` (../tps/missing.ts).
 */
function missingTokens(parsed: ParsedTps, source: SourceText, specimen: number, style: NumberStyle): [string, string] {
  const { specimens } = parsed.doc;
  const needNA = missingRow(specimens, specimens[specimen]) === 'NA NA';
  for (let s = 0; s < specimens.length; s++) {
    const bad = new Set(specimens[s].unreadable ?? []);
    const rows = parsed.source[s].rows;
    for (let j = 0; j < rows.length; j++) {
      if (rows[j] <= 0 || specimens[s].landmarks[j] !== null || bad.has(j)) continue;
      const xy = rowXY(parsed, source, s, rows[j]);
      if (!xy) continue;
      if (NA.test(xy[0]) && NA.test(xy[1])) return xy;
      if (!needNA && !NA.test(xy[0]) && !NA.test(xy[1])) return xy;
    }
  }
  if (needNA) return ['NA', 'NA'];
  const code = formatCoordinate(-1, style);
  return [code, code];
}
