/**
 * Exports for shape-analysis software, and their imports back: MorphoJ's text format, NTS
 * (NTSYSpc, as tpsUtil writes it) and a wide CSV (one row per specimen). Pure.
 *
 * Coordinates stay in the TPS convention (y up): shape analysis does not care which way y runs,
 * and MorphoJ's own TPS import keeps it so. SCALE is applied when a specimen has one (pixels
 * times units per pixel), as MorphoJ and geomorph do when reading TPS. MorphoJ and NTS have no
 * missing-value code these tools agree on, so a specimen with a missing landmark is left out of
 * them and named in the issues; the wide CSV leaves the cells empty.
 */
import { formatNumber } from '../tps/write';
import { numberCell, readCsv } from './csv-read';
import { csvText, type CsvCell } from '../metrics/csv';
import { tableName, type ImportResult, type InteropIssue, type LandmarkTable, type TableSpecimen } from './table';

export interface ExportResult {
  text: string;
  /** Specimens left out, and why. */
  leftOut: { index: number; name: string; reason: string }[];
}

function landmarkLabels(table: LandmarkTable): string[] {
  const k = Math.max(0, ...table.specimens.map((s) => s.landmarks.length));
  return Array.from({ length: k }, (_, j) => table.landmarkNames?.[j] || `lm${j + 1}`);
}

/** Coordinates times SCALE (when present), or undefined when a landmark is missing. */
function scaledRow(s: TableSpecimen, k: number): number[] | undefined {
  if (s.landmarks.length !== k || s.landmarks.some((p) => p === null)) return undefined;
  const f = s.scale ?? 1;
  return s.landmarks.flatMap((p) => [p!.x * f, p!.y * f]);
}

function completeRows(table: LandmarkTable): { rows: { name: string; values: number[] }[]; leftOut: ExportResult['leftOut'] } {
  const k = landmarkLabels(table).length;
  const rows: { name: string; values: number[] }[] = [];
  const leftOut: ExportResult['leftOut'] = [];
  table.specimens.forEach((s, i) => {
    const name = tableName(s, i);
    const values = scaledRow(s, k);
    if (values) rows.push({ name, values });
    else leftOut.push({ index: i, name, reason: s.landmarks.length !== k ? `${s.landmarks.length} landmarks, not ${k}` : 'a landmark is missing' });
  });
  return { rows, leftOut };
}

/** MorphoJ text: tab separated, a header row, the identifier first, then X1 Y1 X2 Y2 ... */
export function toMorphoJ(table: LandmarkTable): ExportResult {
  const labels = landmarkLabels(table);
  const { rows, leftOut } = completeRows(table);
  const head = ['ID', ...labels.flatMap((_, j) => [`X${j + 1}`, `Y${j + 1}`])].join('\t');
  const body = rows.map((r) => [r.name.replace(/\s+/g, '_'), ...r.values.map(formatNumber)].join('\t'));
  return { text: [head, ...body].join('\n') + '\n', leftOut };
}

export function fromMorphoJ(text: string, file: string): ImportResult {
  const issues: InteropIssue[] = [];
  const lines = text.split(/\r\n|\r|\n/);
  const specimens: TableSpecimen[] = [];
  let k: number | undefined;
  lines.forEach((raw, i) => {
    if (raw.trim() === '') return;
    const cells = raw.split('\t');
    if (i === 0 && numberCell(cells[1]) === undefined) {
      k = Math.floor((cells.length - 1) / 2);
      return;
    }
    const values = cells.slice(1).map(numberCell);
    const bad = values.findIndex((v) => v === undefined);
    if (bad >= 0) {
      issues.push({ file, line: i + 1, field: `column ${bad + 2}`, message: `"${cells[bad + 1]}" is not a number: row skipped` });
      return;
    }
    if (values.length % 2 !== 0 || (k !== undefined && values.length !== 2 * k)) {
      issues.push({ file, line: i + 1, message: `${values.length} coordinates${k !== undefined ? `, the header has ${2 * k}` : ', not x y pairs'}: row skipped` });
      return;
    }
    const nums = values as number[];
    specimens.push({ id: cells[0], landmarks: Array.from({ length: nums.length / 2 }, (_, j) => ({ x: nums[2 * j], y: nums[2 * j + 1] })) });
  });
  return { table: { specimens }, issues };
}

/** NTS as tpsUtil writes it: a comment, `1 nL 2k 0 dim=2`, the row labels, one row per specimen. */
export function toNts(table: LandmarkTable): ExportResult {
  const labels = landmarkLabels(table);
  const { rows, leftOut } = completeRows(table);
  const lines = [
    '" landmarks exported by Landmarks for VS Code (TPS y up; SCALE applied)',
    `1 ${rows.length}L ${2 * labels.length} 0 dim=2`,
    rows.map((r) => r.name.replace(/\s+/g, '_')).join(' '),
    ...rows.map((r) => r.values.map(formatNumber).join(' ')),
  ];
  return { text: lines.join('\n') + '\n', leftOut };
}

export function fromNts(text: string, file: string): ImportResult {
  const issues: InteropIssue[] = [];
  // Tokens with their line numbers; `"` starts a comment line.
  const tokens: { t: string; line: number }[] = [];
  text.split(/\r\n|\r|\n/).forEach((raw, i) => {
    if (raw.trim().startsWith('"')) return;
    for (const t of raw.trim().split(/\s+/)) if (t) tokens.push({ t, line: i + 1 });
  });
  const fail = (line: number, message: string, field?: string): ImportResult => ({
    table: { specimens: [] },
    issues: [...issues, { file, line, message, ...(field ? { field } : {}) }],
  });
  if (tokens.length < 4) return fail(1, 'no NTS header (`1 nL p 0`)');
  const [type, rowsTok, colsTok] = tokens;
  const n = /^(\d+)L?$/i.exec(rowsTok.t);
  const p = /^\d+$/.test(colsTok.t) ? Number(colsTok.t) : NaN;
  if (type.t !== '1' || !n || !Number.isFinite(p) || p % 2 !== 0) {
    return fail(type.line, `header "${tokens.slice(0, 4).map((x) => x.t).join(' ')}" is not a rectangular matrix of x y pairs`, 'header');
  }
  const rows = Number(n[1]);
  // The 4th header value is the missing-value flag; `dim=2` may follow.
  let at = 4;
  if (tokens[at] && /^dim=/i.test(tokens[at].t)) at++;
  const labelled = /L$/i.test(rowsTok.t);
  let names: string[] = [];
  if (labelled) {
    names = tokens.slice(at, at + rows).map((x) => x.t);
    at += rows;
  }
  const specimens: TableSpecimen[] = [];
  for (let r = 0; r < rows; r++) {
    const row = tokens.slice(at + r * p, at + (r + 1) * p);
    if (row.length < p) {
      issues.push({ file, line: row[0]?.line ?? tokens[tokens.length - 1].line, message: `the header promises ${rows} rows of ${p} values; row ${r + 1} is short: stopped there` });
      break;
    }
    const values = row.map((x) => numberCell(x.t));
    const bad = values.findIndex((v) => v === undefined);
    if (bad >= 0) {
      issues.push({ file, line: row[bad].line, field: `row ${r + 1}, value ${bad + 1}`, message: `"${row[bad].t}" is not a number: row skipped` });
      continue;
    }
    const nums = values as number[];
    const s: TableSpecimen = { landmarks: Array.from({ length: p / 2 }, (_, j) => ({ x: nums[2 * j], y: nums[2 * j + 1] })) };
    if (names[r] !== undefined) s.id = names[r];
    specimens.push(s);
  }
  return { table: { specimens }, issues };
}

/** Wide CSV: specimen, image, id, scale, then <name>_x, <name>_y (SCALE applied; empty = missing). */
export function toWideCsv(table: LandmarkTable): ExportResult {
  const labels = landmarkLabels(table);
  const head: CsvCell[] = ['specimen', 'image', 'id', 'scale', ...labels.flatMap((l) => [`${l}_x`, `${l}_y`])];
  const rows: CsvCell[][] = [head];
  table.specimens.forEach((s, i) => {
    const f = s.scale ?? 1;
    const coords = labels.flatMap((_, j) => {
      const p = s.landmarks[j];
      return p ? [p.x * f, p.y * f] : [undefined, undefined];
    });
    rows.push([tableName(s, i), s.image, s.id, s.scale, ...coords]);
  });
  return { text: csvText(rows), leftOut: [] };
}

export function fromWideCsv(text: string, file: string): ImportResult {
  const issues: InteropIssue[] = [];
  const { records, unclosedQuoteAt } = readCsv(text);
  if (unclosedQuoteAt !== undefined) issues.push({ file, line: unclosedQuoteAt, message: 'a quoted field is never closed: the rest of the file is ignored' });
  if (records.length === 0) return { table: { specimens: [] }, issues: [...issues, { file, line: 1, message: 'empty file' }] };
  const head = records[0].cells;
  const xCols = head.flatMap((h, c) => (/_x$/i.test(h) && /_y$/i.test(head[c + 1] ?? '') ? [c] : []));
  if (xCols.length === 0) return { table: { specimens: [] }, issues: [...issues, { file, line: records[0].line, field: 'header', message: 'no <name>_x,<name>_y column pairs' }] };
  const col = (name: string) => head.findIndex((h) => h.trim().toLowerCase() === name);
  const [imageCol, idCol, scaleCol] = [col('image'), col('id'), col('scale')];
  const names = xCols.map((c) => head[c].slice(0, -2));
  const specimens: TableSpecimen[] = [];
  for (const rec of records.slice(1)) {
    const scaleText = scaleCol >= 0 ? rec.cells[scaleCol] ?? '' : '';
    const scale = numberCell(scaleText);
    if (scaleText.trim() !== '' && !(scale !== undefined && scale > 0)) {
      issues.push({ file, line: rec.line, field: 'scale', message: `scale "${scaleText}" is not a positive number: row skipped` });
      continue;
    }
    const f = scale ?? 1;
    const landmarks = xCols.map((c, j) => {
      const [xt, yt] = [rec.cells[c] ?? '', rec.cells[c + 1] ?? ''];
      if (xt.trim() === '' && yt.trim() === '') return null;
      const [x, y] = [numberCell(xt), numberCell(yt)];
      if (x === undefined || y === undefined) {
        issues.push({ file, line: rec.line, field: `${names[j]}_${x === undefined ? 'x' : 'y'}`, message: `"${x === undefined ? xt : yt}" is not a number: landmark read as missing` });
        return null;
      }
      return { x: x / f, y: y / f };
    });
    const s: TableSpecimen = { landmarks };
    if (imageCol >= 0 && rec.cells[imageCol]) s.image = rec.cells[imageCol];
    if (idCol >= 0 && rec.cells[idCol]) s.id = rec.cells[idCol];
    if (scale !== undefined) s.scale = scale;
    specimens.push(s);
  }
  const generic = names.every((n, j) => n === `lm${j + 1}`);
  return { table: generic ? { specimens } : { landmarkNames: names, specimens }, issues };
}
