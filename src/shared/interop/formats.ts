/**
 * The landmark file formats by name, and reading and writing each through the landmark table:
 * what `convert` (CLI) and the Import/Export commands (VS Code) share. Pure.
 */
import { parseTps } from '../tps/parse';
import { writeTps } from '../tps/write';
import { tableFromTps, tpsFromTable, type HeightOf, type ImportResult, type InteropIssue, type LandmarkTable } from './table';
import { fromMorphoJ, fromNts, fromWideCsv, toMorphoJ, toNts, toWideCsv, type ExportResult } from './morphometrics';
import { fromDeepLabCut, fromDlibXml, fromSleapCsv, toDeepLabCut, toDlibXml, toSleapCsv } from './pose';

export const FORMATS = ['tps', 'morphoj', 'nts', 'csv', 'dlc', 'dlib-xml', 'sleap-csv'] as const;
export type Format = (typeof FORMATS)[number];
/** Formats that count y from the top: converting them needs each photo's height. */
export const POSE_FORMATS: readonly Format[] = ['dlc', 'dlib-xml', 'sleap-csv'];


/** The input's format: its extension, then a look at its first line for CSV files. */
export function detectFormat(file: string, text: string): Format | undefined {
  const ext = (/\.[^./\\]+$/.exec(file)?.[0] ?? '').toLowerCase();
  if (ext === '.tps') return 'tps';
  if (ext === '.xml') return 'dlib-xml';
  if (ext === '.nts') return 'nts';
  if (ext === '.txt') return 'morphoj';
  if (ext === '.csv') {
    const first = text.replace(/^\ufeff/, '').split(/\r?\n/, 1)[0].toLowerCase();
    if (/^scorer\b/.test(first)) return 'dlc';
    if (/\bframe_idx\b/.test(first)) return 'sleap-csv';
    return 'csv';
  }
  return undefined;
}

export function readFormat(format: Format, text: string, file: string, heightOf: HeightOf, template: string | undefined): ImportResult {
  switch (format) {
    case 'tps': {
      const doc = parseTps(text, file);
      const issues: InteropIssue[] = doc.diagnostics.filter((d) => d.severity === 'error').map((d) => ({ file, line: d.line, message: d.message }));
      return { table: tableFromTps(doc), issues };
    }
    case 'morphoj':
      return fromMorphoJ(text, file);
    case 'nts':
      return fromNts(text, file);
    case 'csv':
      return fromWideCsv(text, file);
    case 'dlc':
      return fromDeepLabCut(text, file, { heightOf });
    case 'dlib-xml':
      return fromDlibXml(text, file, { heightOf });
    case 'sleap-csv':
      return fromSleapCsv(text, file, { heightOf, ...(template ? { frameTemplate: template } : {}) });
  }
}

export function writeFormat(format: Format, table: LandmarkTable, heightOf: HeightOf, o: { template?: string; video?: string }): ExportResult {
  switch (format) {
    case 'tps':
      return { text: writeTps(tpsFromTable(table)), leftOut: [] };
    case 'morphoj':
      return toMorphoJ(table);
    case 'nts':
      return toNts(table);
    case 'csv':
      return toWideCsv(table);
    case 'dlc':
      return toDeepLabCut(table, { heightOf, ...(o.video ? { video: o.video } : {}) });
    case 'dlib-xml':
      return toDlibXml(table, { heightOf });
    case 'sleap-csv':
      return toSleapCsv(table, { heightOf, ...(o.template ? { frameTemplate: o.template } : {}) });
  }
}


export function isFormat(v: string | undefined): v is Format {
  return v !== undefined && (FORMATS as readonly string[]).includes(v);
}

/** The file extension a format is written with. */
export const FORMAT_EXTENSION: Record<Format, string> = { tps: '.tps', morphoj: '.txt', nts: '.nts', csv: '.csv', dlc: '.csv', 'dlib-xml': '.xml', 'sleap-csv': '.csv' };

export interface ConvertRequest {
  from: Format;
  to: Format;
  text: string;
  /** The input file, for issues and for IMAGE= names relative to it. */
  file: string;
  frameTemplate?: string;
  /** DeepLabCut export: the labeled-data/<video> folder. */
  video?: string;
}

export interface Converted {
  text: string;
  /** Specimens in the output. */
  written: number;
  read: ImportResult;
  leftOut: ExportResult['leftOut'];
}

/**
 * Reads `r.text` as `r.from` and writes `r.to`. The pose formats count y from the top, so their
 * photos' heights are asked for first: one read learns which IMAGE= names the file holds,
 * `heightsOf` gives their heights, and a second read converts with them.
 */
export async function convertLandmarks(r: ConvertRequest, heightsOf: (names: string[]) => Promise<ReadonlyMap<string, number>>): Promise<Converted> {
  let heights: ReadonlyMap<string, number> = new Map();
  const heightOf: HeightOf = (image) => heights.get(image);
  if (POSE_FORMATS.includes(r.from) || POSE_FORMATS.includes(r.to)) {
    const names: string[] = [];
    const probe = readFormat(r.from, r.text, r.file, (image) => (names.push(image), 1), r.frameTemplate);
    for (const s of probe.table.specimens) if (s.image) names.push(s.image);
    heights = await heightsOf([...new Set(names)]);
  }
  const read = readFormat(r.from, r.text, r.file, heightOf, r.frameTemplate);
  const out = writeFormat(r.to, read.table, heightOf, { ...(r.frameTemplate ? { template: r.frameTemplate } : {}), ...(r.video ? { video: r.video } : {}) });
  return { text: out.text, written: read.table.specimens.length - out.leftOut.length, read, leftOut: out.leftOut };
}
