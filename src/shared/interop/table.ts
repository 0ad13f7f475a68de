/**
 * The landmark table every import and export goes through: specimens with their image, ID,
 * SCALE and landmarks in TPS coordinates (tpsDig: origin bottom-left, y up), plus the landmark
 * names when a format knows them (DeepLabCut's body parts, SLEAP's nodes, dlib's part names).
 * Pure: no fs.
 *
 * Landmark names travel inside TPS files as one header comment, `# landmark names: a, b, c`,
 * which tpsDig, geomorph and MorphoJ ignore and this project's parser keeps.
 */
import { getField, getScale, type TpsDocument, type TpsLandmark, type TpsSpecimen } from '../tps/model';
import { imageBaseName } from '../tps/resolve';

export interface TableSpecimen {
  /** IMAGE= as written (a file name or relative path), when known. */
  image?: string;
  /** ID= when known (SLEAP tracks and DeepLabCut individuals land here). */
  id?: string;
  /** SCALE= (units per pixel), when known. */
  scale?: number;
  /** Landmarks in TPS coordinates; null = missing. */
  landmarks: TpsLandmark[];
}

export interface LandmarkTable {
  landmarkNames?: string[];
  specimens: TableSpecimen[];
}

/** A problem found while reading a file: where (1-based line, field when known) and what. */
export interface InteropIssue {
  file: string;
  line: number;
  field?: string;
  message: string;
}

/** What an import gives back: what could be read, and what could not. */
export interface ImportResult {
  table: LandmarkTable;
  issues: InteropIssue[];
}

const NAMES_COMMENT = /^#\s*landmark names:\s*(.*)$/i;

/** A specimen's display name in exports: IMAGE= file name, else ID=, else `specimen N`. */
export function tableName(s: TableSpecimen, index: number): string {
  if (s.image && s.image.trim()) return imageBaseName(s.image);
  if (s.id && s.id.trim()) return s.id.trim();
  return `specimen ${index + 1}`;
}

/** The names a TPS header comment declares, if any. */
export function landmarkNamesOf(doc: TpsDocument): string[] | undefined {
  for (const line of doc.header ?? []) {
    const m = NAMES_COMMENT.exec(line.trim());
    if (m) return splitNames(m[1]);
  }
  return undefined;
}

function splitNames(text: string): string[] {
  return text.split(',').map((n) => n.trim());
}

export function tableFromTps(doc: TpsDocument): LandmarkTable {
  const names = landmarkNamesOf(doc);
  const specimens = doc.specimens.map((s: TpsSpecimen) => {
    const out: TableSpecimen = { landmarks: s.landmarks.map((p) => (p ? { x: p.x, y: p.y } : null)) };
    const image = getField(s, 'IMAGE');
    const id = getField(s, 'ID');
    const scale = getScale(s);
    if (image !== undefined) out.image = image;
    if (id !== undefined) out.id = id;
    if (scale !== undefined) out.scale = scale;
    return out;
  });
  return names ? { landmarkNames: names, specimens } : { specimens };
}

/** A TPS document for writing (writeTps): LF, final newline, names in the header comment. */
export function tpsFromTable(table: LandmarkTable): TpsDocument {
  const doc: TpsDocument = {
    specimens: table.specimens.map((s) => {
      const fields = [];
      if (s.image !== undefined) fields.push({ key: 'IMAGE', value: s.image, line: 0 });
      if (s.id !== undefined) fields.push({ key: 'ID', value: s.id, line: 0 });
      if (s.scale !== undefined) fields.push({ key: 'SCALE', value: String(s.scale), line: 0 });
      return { landmarks: s.landmarks.map((p) => (p ? { x: p.x, y: p.y } : null)), fields, curves: [], line: 0 };
    }),
    diagnostics: [],
    eol: '\n',
    finalNewline: true,
  };
  // Names a format made up (lm1, lm2, ...) say nothing: only real ones go into the header.
  const generic = table.landmarkNames?.every((n, j) => n === `lm${j + 1}`) ?? true;
  if (table.landmarkNames?.length && !generic) {
    if (table.landmarkNames.some((n) => n.includes(','))) throw new Error('landmark names cannot contain commas in a TPS header');
    doc.header = [`# landmark names: ${table.landmarkNames.join(', ')}`];
  }
  return doc;
}

/** The image heights a conversion between TPS (y up) and image pixels (y down) needs. */
export type HeightOf = (image: string) => number | undefined;
