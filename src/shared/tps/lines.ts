/**
 * Splitting TPS text into logical lines, whatever the line endings (LF, CRLF, CR, and the
 * CR CR LF that some Windows tools produce, where a naive CR-to-LF conversion doubles lines).
 * Pure: no fs.
 */

export type LineEnding = 'LF' | 'CRLF' | 'CR' | 'CRCRLF';

export interface SplitText {
  /** Logical lines without their endings (line i+1 in diagnostics is lines[i]). */
  lines: string[];
  /** The dominant line-ending style (LF when the text has no line break). */
  lineEnding: LineEnding;
  /** Whether the text ended with a line break. */
  finalNewline: boolean;
  /** Offset in the given text (a BOM included) where each logical line starts. */
  lineStarts: number[];
}

/** One logical line break: any run of CRs followed by LF, or a lone CR. */
const BREAK = /\r*\n|\r/;

export function detectLineEnding(text: string): LineEnding {
  const counts: Record<LineEnding, number> = { LF: 0, CRLF: 0, CR: 0, CRCRLF: 0 };
  const re = /\r*\n|\r/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const s = m[0];
    if (s === '\n') counts.LF++;
    else if (s === '\r\n') counts.CRLF++;
    else if (s === '\r') counts.CR++;
    else counts.CRCRLF++;
  }
  let best: LineEnding = 'LF';
  for (const k of ['CRLF', 'CRCRLF', 'CR'] as const) if (counts[k] > counts[best]) best = k;
  return best;
}

export function splitLines(text: string): SplitText {
  const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const body = bom ? text.slice(1) : text;
  const finalNewline = /[\r\n]$/.test(body);
  const lines = body.split(BREAK);
  if (finalNewline) lines.pop();
  if (lines.length === 1 && lines[0] === '') lines.pop();
  const lineStarts: number[] = [];
  const re = /\r*\n|\r/g;
  let start = bom;
  for (let i = 0; i < lines.length; i++) {
    lineStarts.push(start);
    re.lastIndex = start - bom + lines[i].length;
    const m = re.exec(body);
    start = m ? m.index + m[0].length + bom : text.length;
  }
  return { lines, lineEnding: detectLineEnding(body), finalNewline, lineStarts };
}

/** The string for a line-ending style; CR CR LF is normalised to CRLF. */
export function eolString(ending: LineEnding): string {
  switch (ending) {
    case 'LF':
      return '\n';
    case 'CR':
      return '\r';
    default:
      return '\r\n';
  }
}
