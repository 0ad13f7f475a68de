/**
 * Reading CSV (RFC 4180: quoted fields with "" escapes and line breaks inside quotes, CRLF or
 * LF) with the 1-based line each record starts on, so an import error can name it. Pure.
 */

export interface CsvRecord {
  line: number;
  cells: string[];
}

/** Records of a CSV text; a blank line is no record. An unclosed quote is reported, not thrown. */
export function readCsv(text: string, delimiter = ','): { records: CsvRecord[]; unclosedQuoteAt?: number } {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let any = false;
  let quoteStart = 0;
  const endRecord = () => {
    cells.push(cell);
    if (any || cells.length > 1 || cell !== '') records.push({ line: recordLine, cells });
    cells = [];
    cell = '';
    any = false;
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (quoted) {
      if (c === '"') {
        if (body[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        cell += c;
      }
      continue;
    }
    if (c === '"' && cell === '') {
      quoted = true;
      any = true;
      quoteStart = line;
    } else if (c === delimiter) {
      cells.push(cell);
      cell = '';
      any = true;
    } else if (c === '\r' || c === '\n') {
      if (c === '\r' && body[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else cell += c;
  }
  if (quoted) return { records, unclosedQuoteAt: quoteStart };
  if (cell !== '' || cells.length > 0 || any) endRecord();
  return { records };
}

/** A number cell: finite number, or undefined for an empty / non-numeric / non-finite cell. */
export function numberCell(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  if (t === '' || !/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(t)) return undefined;
  const v = Number(t);
  return Number.isFinite(v) ? v : undefined;
}
