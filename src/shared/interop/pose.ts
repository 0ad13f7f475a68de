/**
 * Pose-estimation and landmarking tools' label files, to and from the landmark table. Pure.
 * - DeepLabCut `CollectedData_<scorer>.csv`: header rows `scorer`, optional `individuals`
 *   (multi-animal projects), `bodyparts`, `coords`; one or three index columns naming the frame
 *   (`labeled-data/<video>/img001.png`, or `labeled-data`,`<video>`,`img001.png`); x y per body
 *   part (and `likelihood` in machine-labelled files, ignored); empty or NaN = not labelled.
 * - dlib / ml-morph XML (imglab): `<image file=...><box ...><part name=.. x=.. y=../></box>`;
 *   dlib stores whole pixels, so exports round to integers.
 * - SLEAP analysis CSV (`sleap-convert --format analysis.csv`): `track, frame_idx,
 *   instance.score, <node>.x, <node>.y, <node>.score, ...`; a frame becomes a specimen whose
 *   IMAGE= follows a template (`{frame}`, zero-padded by `{frame:05}`).
 * All three count y downwards from the top-left, TPS upwards from the bottom-left: every
 * conversion flips y with the image's height, and a specimen whose height is unknown is left
 * out with an issue naming it (the rest is converted).
 */
import { numberCell, readCsv } from './csv-read';
import { csvText, type CsvCell } from '../metrics/csv';
import { imageBaseName } from '../tps/resolve';
import type { TpsLandmark } from '../tps/model';
import { tableName, type HeightOf, type ImportResult, type InteropIssue, type LandmarkTable, type TableSpecimen } from './table';
import type { ExportResult } from './morphometrics';

function flip(p: { x: number; y: number }, height: number): { x: number; y: number } {
  return { x: p.x, y: height - p.y };
}

function namesFor(table: LandmarkTable): string[] {
  const k = Math.max(0, ...table.specimens.map((s) => s.landmarks.length));
  return Array.from({ length: k }, (_, j) => table.landmarkNames?.[j] || `lm${j + 1}`);
}

/** A specimen's photo height for an export, or undefined after noting it in `leftOut`. */
function exportHeight(s: TableSpecimen, i: number, heightOf: HeightOf, leftOut: ExportResult['leftOut']): number | undefined {
  const height = s.image ? heightOf(s.image) : undefined;
  if (height !== undefined && height > 0) return height;
  leftOut.push({ index: i, name: tableName(s, i), reason: 'image height unknown: y cannot be flipped' });
  return undefined;
}

/**
 * The landmark in cells `x` and `y` of a row, flipped to TPS y-up with `height`: null when not
 * labelled (empty or NaN), and null with an issue naming `field` when a cell is no number.
 */
function readPoint(cells: readonly string[], x: number, y: number, height: number, at: { file: string; line: number; field: string }, issues: InteropIssue[]): TpsLandmark {
  const [xt, yt] = [cells[x] ?? '', cells[y] ?? ''];
  const [vx, vy] = [numberCell(xt), numberCell(yt)];
  if (vx !== undefined && vy !== undefined) return flip({ x: vx, y: vy }, height);
  const bad = vx === undefined ? xt : yt;
  if (bad.trim() !== '' && !/^nan$/i.test(bad.trim())) {
    issues.push({ file: at.file, line: at.line, field: `${at.field}.${vx === undefined ? 'x' : 'y'}`, message: `"${bad}" is not a number: landmark read as missing` });
  }
  return null;
}

// ------------------------------------------------------------------ DeepLabCut

export interface DlcImportOptions {
  heightOf: HeightOf;
}

export function fromDeepLabCut(text: string, file: string, options: DlcImportOptions): ImportResult {
  const issues: InteropIssue[] = [];
  const { records, unclosedQuoteAt } = readCsv(text);
  if (unclosedQuoteAt !== undefined) issues.push({ file, line: unclosedQuoteAt, message: 'a quoted field is never closed: the rest of the file is ignored' });
  const header = (key: string) => records.find((r) => r.cells[0]?.trim().toLowerCase() === key);
  const bodyparts = header('bodyparts');
  const coords = header('coords');
  if (!bodyparts || !coords) {
    return { table: { specimens: [] }, issues: [...issues, { file, line: records[0]?.line ?? 1, field: 'header', message: 'not a DeepLabCut label file: no `bodyparts` and `coords` header rows' }] };
  }
  const individuals = header('individuals');
  const firstCoord = coords.cells.findIndex((c, i) => i > 0 && c.trim() !== '');
  const indexColumns = firstCoord > 0 ? firstCoord : 1;
  // Columns of each (individual, body part): where its x and y are.
  const slots = new Map<string, { individual: string; part: string; x?: number; y?: number }>();
  for (let c = indexColumns; c < coords.cells.length; c++) {
    const part = bodyparts.cells[c]?.trim() ?? '';
    const individual = individuals?.cells[c]?.trim() ?? '';
    const kind = coords.cells[c]?.trim().toLowerCase();
    if (!part || (kind !== 'x' && kind !== 'y')) continue;
    const key = `${individual}\u0000${part}`;
    const slot = slots.get(key) ?? { individual, part };
    slot[kind] = c;
    slots.set(key, slot);
  }
  const partNames = [...new Set([...slots.values()].map((s) => s.part))];
  const individualNames = [...new Set([...slots.values()].map((s) => s.individual))];
  const headerLines = new Set([header('scorer'), individuals, bodyparts, coords].filter(Boolean).map((r) => r!.line));
  const specimens: TableSpecimen[] = [];
  for (const rec of records) {
    if (headerLines.has(rec.line)) continue;
    const framePath = rec.cells.slice(0, indexColumns).map((c) => c.trim()).filter(Boolean).join('/');
    if (!framePath) {
      issues.push({ file, line: rec.line, field: 'index', message: 'no frame name in the index column(s): row skipped' });
      continue;
    }
    const image = imageBaseName(framePath);
    const height = options.heightOf(framePath);
    if (!(height !== undefined && height > 0)) {
      issues.push({ file, line: rec.line, message: `height of ${framePath} unknown (photo not found or unreadable): y cannot be flipped, frame skipped` });
      continue;
    }
    for (const individual of individualNames) {
      const landmarks: TpsLandmark[] = partNames.map((part) => {
        const slot = slots.get(`${individual}\u0000${part}`);
        if (!slot || slot.x === undefined || slot.y === undefined) return null;
        return readPoint(rec.cells, slot.x, slot.y, height, { file, line: rec.line, field: `${individual ? `${individual}.` : ''}${part}` }, issues);
      });
      if (individual && landmarks.every((p) => p === null)) continue; // an animal absent from the frame
      const s: TableSpecimen = { image, landmarks };
      if (individual) s.id = individual;
      specimens.push(s);
    }
  }
  return { table: { landmarkNames: partNames, specimens }, issues };
}

export interface DlcExportOptions {
  heightOf: HeightOf;
  scorer?: string;
  /** The video folder under labeled-data/ the frames belong to. */
  video?: string;
}

/** Single-animal CollectedData CSV with three index columns (labeled-data, video, file). */
export function toDeepLabCut(table: LandmarkTable, options: DlcExportOptions): ExportResult {
  const names = namesFor(table);
  const scorer = options.scorer ?? 'landmarks';
  const rows: CsvCell[][] = [
    ['scorer', '', '', ...names.flatMap(() => [scorer, scorer])],
    ['bodyparts', '', '', ...names.flatMap((n) => [n, n])],
    ['coords', '', '', ...names.flatMap(() => ['x', 'y'])],
  ];
  const leftOut: ExportResult['leftOut'] = [];
  table.specimens.forEach((s, i) => {
    const height = exportHeight(s, i, options.heightOf, leftOut);
    if (height === undefined) return;
    const cells = names.flatMap((_, j) => {
      const p = s.landmarks[j];
      if (!p) return [undefined, undefined];
      const q = flip(p, height);
      return [q.x, q.y];
    });
    rows.push(['labeled-data', options.video ?? 'video', imageBaseName(s.image!), ...cells]);
  });
  return { text: csvText(rows), leftOut };
}

// ------------------------------------------------------------------ dlib / ml-morph XML

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function unescapeXml(v: string): string {
  return v.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);/gi, (m, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1].toLowerCase() === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

function escapeXml(v: string): string {
  return v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&apos;').replace(/"/g, '&quot;');
}

function attributes(tag: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of tag.matchAll(/([A-Za-z_][\w.-]*)\s*=\s*(?:'([^']*)'|"([^"]*)")/g)) out.set(m[1].toLowerCase(), unescapeXml(m[2] ?? m[3] ?? ''));
  return out;
}

export function fromDlibXml(text: string, file: string, options: { heightOf: HeightOf }): ImportResult {
  const issues: InteropIssue[] = [];
  const lineAt = (offset: number) => {
    let n = 1;
    for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) n++;
    return n;
  };
  interface RawBox {
    image: string;
    line: number;
    parts: { name: string; x: number; y: number }[];
    box: number;
  }
  const boxes: RawBox[] = [];
  let image: { file: string; line: number } | undefined;
  let box: RawBox | undefined;
  let boxIndex = 0;
  for (const m of text.matchAll(/<(\/?)(image|box|part)\b([^>]*?)(\/?)>/gi)) {
    const [, close, nameRaw, attrText, selfClose] = m;
    const name = nameRaw.toLowerCase();
    const line = lineAt(m.index ?? 0);
    if (close) {
      if (name === 'image') image = undefined;
      if (name === 'box') box = undefined;
      continue;
    }
    const attrs = attributes(attrText);
    if (name === 'image') {
      const f = attrs.get('file');
      if (!f) issues.push({ file, line, field: 'file', message: '<image> without a file attribute: its boxes are skipped' });
      image = f ? { file: f, line } : undefined;
      boxIndex = 0;
      if (selfClose) image = undefined;
    } else if (name === 'box') {
      if (!image) continue;
      box = { image: image.file, line, parts: [], box: boxIndex++ };
      boxes.push(box);
      if (selfClose) box = undefined;
    } else if (name === 'part' && box) {
      const [pn, xs, ys] = [attrs.get('name') ?? '', attrs.get('x') ?? '', attrs.get('y') ?? ''];
      const [x, y] = [numberCell(xs), numberCell(ys)];
      if (x === undefined || y === undefined) {
        issues.push({ file, line, field: `part ${pn} ${x === undefined ? 'x' : 'y'}`, message: `"${x === undefined ? xs : ys}" is not a number: part skipped` });
        continue;
      }
      box.parts.push({ name: pn, x, y });
    }
  }
  if (boxes.length === 0 && !/<dataset\b/i.test(text)) {
    issues.push({ file, line: 1, message: 'not a dlib/imglab XML file: no <dataset> and no <image><box>' });
  }
  // Part names: all whole numbers (ml-morph writes 00, 01, ...) give the landmark index; else
  // the order of first appearance, and the names are kept.
  const allNames = [...new Set(boxes.flatMap((b) => b.parts.map((p) => p.name)))];
  const numeric = allNames.length > 0 && allNames.every((n) => /^\d+$/.test(n));
  const order = numeric ? [...allNames].sort((a, b) => Number(a) - Number(b)) : allNames;
  const slotOf = new Map(order.map((n, j) => [n, numeric ? Number(n) - Math.min(...order.map(Number)) : j]));
  const k = numeric ? Math.max(0, ...order.map((n) => slotOf.get(n)!)) + 1 : order.length;
  const specimens: TableSpecimen[] = [];
  for (const b of boxes) {
    const height = options.heightOf(b.image);
    if (!(height !== undefined && height > 0)) {
      issues.push({ file, line: b.line, message: `height of ${b.image} unknown (photo not found or unreadable): y cannot be flipped, box skipped` });
      continue;
    }
    const landmarks: TpsLandmark[] = new Array(k).fill(null);
    for (const p of b.parts) landmarks[slotOf.get(p.name)!] = flip(p, height);
    const s: TableSpecimen = { image: b.image, landmarks };
    if (boxes.filter((o) => o.image === b.image).length > 1) s.id = `box ${b.box + 1}`;
    specimens.push(s);
  }
  return { table: numeric ? { specimens } : { landmarkNames: order, specimens }, issues };
}

/** imglab XML as ml-morph writes it: one box per image around its landmarks, parts 00, 01, ... */
export function toDlibXml(table: LandmarkTable, options: { heightOf: HeightOf; name?: string }): ExportResult {
  const names = table.landmarkNames?.length ? namesFor(table) : undefined;
  const k = Math.max(0, ...table.specimens.map((s) => s.landmarks.length));
  const width = String(Math.max(1, k - 1)).length;
  const partName = (j: number) => names?.[j] ?? String(j).padStart(Math.max(2, width), '0');
  const lines = [
    "<?xml version='1.0' encoding='ISO-8859-1'?>",
    "<?xml-stylesheet type='text/xsl' href='image_metadata_stylesheet.xsl'?>",
    '<dataset>',
    `<name>${escapeXml(options.name ?? 'landmarks')}</name>`,
    '<images>',
  ];
  const leftOut: ExportResult['leftOut'] = [];
  table.specimens.forEach((s, i) => {
    const height = exportHeight(s, i, options.heightOf, leftOut);
    if (height === undefined) return;
    const pts = s.landmarks.map((p) => (p ? flip(p, height) : null));
    const present = pts.filter((p): p is { x: number; y: number } => p !== null);
    if (present.length === 0) {
      leftOut.push({ index: i, name: tableName(s, i), reason: 'no landmark' });
      return;
    }
    const margin = 10;
    const left = Math.max(0, Math.floor(Math.min(...present.map((p) => p.x)) - margin));
    const top = Math.max(0, Math.floor(Math.min(...present.map((p) => p.y)) - margin));
    const right = Math.ceil(Math.max(...present.map((p) => p.x)) + margin);
    const bottom = Math.ceil(Math.max(...present.map((p) => p.y)) + margin);
    lines.push(`  <image file='${escapeXml(s.image!)}'>`);
    lines.push(`    <box top='${top}' left='${left}' width='${right - left}' height='${bottom - top}'>`);
    pts.forEach((p, j) => {
      if (p) lines.push(`      <part name='${escapeXml(partName(j))}' x='${Math.round(p.x)}' y='${Math.round(p.y)}'/>`);
    });
    lines.push('    </box>', '  </image>');
  });
  lines.push('</images>', '</dataset>');
  return { text: lines.join('\n') + '\n', leftOut };
}

// ------------------------------------------------------------------ SLEAP analysis CSV

/** IMAGE= of a frame: `{frame}` or `{frame:05}` (zero-padded to 5) in the template. */
export function frameImage(template: string, frame: number): string {
  return template.replace(/\{frame(?::0?(\d+))?\}/g, (_, pad: string | undefined) => (pad ? String(frame).padStart(Number(pad), '0') : String(frame)));
}

export interface SleapImportOptions {
  heightOf: HeightOf;
  /** IMAGE= template for a frame index (default `frame_{frame}`). */
  frameTemplate?: string;
}

export function fromSleapCsv(text: string, file: string, options: SleapImportOptions): ImportResult {
  const issues: InteropIssue[] = [];
  const { records, unclosedQuoteAt } = readCsv(text);
  if (unclosedQuoteAt !== undefined) issues.push({ file, line: unclosedQuoteAt, message: 'a quoted field is never closed: the rest of the file is ignored' });
  const head = records[0]?.cells.map((c) => c.trim()) ?? [];
  const frameCol = head.indexOf('frame_idx');
  const trackCol = head.indexOf('track');
  const nodes: { name: string; x: number; y: number }[] = [];
  head.forEach((h, c) => {
    if (h.endsWith('.x') && head[c + 1] === `${h.slice(0, -2)}.y`) nodes.push({ name: h.slice(0, -2), x: c, y: c + 1 });
  });
  if (frameCol < 0 || nodes.length === 0) {
    return { table: { specimens: [] }, issues: [...issues, { file, line: records[0]?.line ?? 1, field: 'header', message: 'not a SLEAP analysis CSV: needs frame_idx and <node>.x,<node>.y columns' }] };
  }
  const template = options.frameTemplate ?? 'frame_{frame}';
  const specimens: TableSpecimen[] = [];
  for (const rec of records.slice(1)) {
    const frameText = rec.cells[frameCol] ?? '';
    const frame = numberCell(frameText);
    if (frame === undefined || !Number.isInteger(frame) || frame < 0) {
      issues.push({ file, line: rec.line, field: 'frame_idx', message: `"${frameText}" is not a frame index: row skipped` });
      continue;
    }
    const image = frameImage(template, frame);
    const height = options.heightOf(image);
    if (!(height !== undefined && height > 0)) {
      issues.push({ file, line: rec.line, message: `height of ${image} unknown (give the video's frame height): y cannot be flipped, row skipped` });
      continue;
    }
    const landmarks = nodes.map((n) => readPoint(rec.cells, n.x, n.y, height, { file, line: rec.line, field: n.name }, issues));
    const s: TableSpecimen = { image, landmarks };
    const track = trackCol >= 0 ? rec.cells[trackCol]?.trim() : '';
    if (track) s.id = track;
    specimens.push(s);
  }
  return { table: { landmarkNames: nodes.map((n) => n.name), specimens }, issues };
}

/** SLEAP analysis CSV; frame_idx is read back from IMAGE= through the template, else the row number. */
export function toSleapCsv(table: LandmarkTable, options: { heightOf: HeightOf; frameTemplate?: string }): ExportResult {
  const names = namesFor(table);
  const template = options.frameTemplate ?? 'frame_{frame}';
  const pattern = new RegExp(
    `^${template
      .split(/(\{frame(?::0?\d+)?\})/)
      .map((part) => (/^\{frame/.test(part) ? '(\\d+)' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('')}$`,
  );
  const rows: CsvCell[][] = [['track', 'frame_idx', 'instance.score', ...names.flatMap((n) => [`${n}.x`, `${n}.y`, `${n}.score`])]];
  const leftOut: ExportResult['leftOut'] = [];
  table.specimens.forEach((s, i) => {
    const height = exportHeight(s, i, options.heightOf, leftOut);
    if (height === undefined) return;
    const m = s.image ? pattern.exec(s.image) : null;
    const frame = m ? Number(m[1]) : i;
    const cells = names.flatMap((_, j) => {
      const p = s.landmarks[j];
      if (!p) return [undefined, undefined, undefined];
      const q = flip(p, height);
      return [q.x, q.y, undefined];
    });
    rows.push([s.id ?? '', frame, undefined, ...cells]);
  });
  return { text: csvText(rows), leftOut };
}
