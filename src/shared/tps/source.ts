/**
 * A TPS file's text as lines that keep their own line break, so an editor can change some lines
 * and give every other byte back as it was: mixed LF / CRLF / CR / CR CR LF, a BOM, a last line
 * with or without a break. Pure: no fs.
 *
 * The lines are the parser's logical lines (./lines.ts `splitLines`): line n of a diagnostic or
 * of a TpsSpecimenSource is `lines[n - 1]`.
 */

export interface SourceLine {
  /** The line without its break. */
  readonly text: string;
  /** The exact break after it: '\n', '\r\n', '\r', '\r\r\n'...; '' for a last line without one. */
  readonly eol: string;
}

export interface SourceText {
  /** '\uFEFF' when the text starts with a byte-order mark, else ''. */
  readonly bom: string;
  readonly lines: readonly SourceLine[];
}

/**
 * Replace `remove.length` lines from `start` (0-based) by `insert`. `remove` holds the lines as
 * they were, so a patch is its own undo record (see invertPatch) and can be checked before use.
 */
export interface LinePatch {
  start: number;
  remove: SourceLine[];
  insert: SourceLine[];
}

/** One logical line break, as ./lines.ts counts them: a run of CRs then LF, or a lone CR. */
const BREAK = /\r*\n|\r/g;

export function splitSource(text: string): SourceText {
  const bom = text.charCodeAt(0) === 0xfeff ? '\uFEFF' : '';
  const body = bom ? text.slice(1) : text;
  const lines: SourceLine[] = [];
  let start = 0;
  BREAK.lastIndex = 0;
  for (let m = BREAK.exec(body); m; m = BREAK.exec(body)) {
    lines.push({ text: body.slice(start, m.index), eol: m[0] });
    start = m.index + m[0].length;
  }
  if (start < body.length) lines.push({ text: body.slice(start), eol: '' });
  return { bom, lines };
}

export function joinSource(source: SourceText): string {
  let out = source.bom;
  for (const l of source.lines) out += l.text + l.eol;
  return out;
}

export function applyPatch(source: SourceText, patch: LinePatch): SourceText {
  const lines = source.lines.slice();
  lines.splice(patch.start, patch.remove.length, ...patch.insert);
  return { bom: source.bom, lines };
}

export function invertPatch(patch: LinePatch): LinePatch {
  return { start: patch.start, remove: patch.insert, insert: patch.remove };
}

/** Whether `patch` can be applied to `source`: the lines it removes are there, as they were. */
export function patchFits(source: SourceText, patch: LinePatch): boolean {
  if (patch.start < 0 || patch.start + patch.remove.length > source.lines.length) return false;
  return patch.remove.every((l, i) => sameLine(l, source.lines[patch.start + i]));
}

export function sameLine(a: SourceLine, b: SourceLine): boolean {
  return a.text === b.text && a.eol === b.eol;
}

/** The smallest patch that turns `before` into `after` (common first and last lines left out). */
export function diffLines(before: readonly SourceLine[], after: readonly SourceLine[]): LinePatch {
  let head = 0;
  const max = Math.min(before.length, after.length);
  while (head < max && sameLine(before[head], after[head])) head++;
  let tail = 0;
  while (tail < max - head && sameLine(before[before.length - 1 - tail], after[after.length - 1 - tail])) tail++;
  return { start: head, remove: before.slice(head, before.length - tail), insert: after.slice(head, after.length - tail) };
}

export function isEmptyPatch(patch: LinePatch): boolean {
  return patch.remove.length === 0 && patch.insert.length === 0;
}

/** The break most lines use ('\n' when there is none): what a new last line is given. */
export function dominantEol(source: SourceText): string {
  const counts = new Map<string, number>();
  for (const l of source.lines) if (l.eol) counts.set(l.eol, (counts.get(l.eol) ?? 0) + 1);
  let best = '\n';
  let n = 0;
  for (const [eol, c] of counts) if (c > n) [best, n] = [eol, c];
  return best;
}
