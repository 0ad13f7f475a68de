/** What the editor shows of a TPS document: names and landmarks per specimen. Pure. */
import { getField, getScale, type TpsDocument, type TpsSpecimen } from '../tps/model';
import type { SpecimenView } from '../protocol/editor';
import { parsePredictionNotes } from '../tps/review';

/** The file name part of an IMAGE= value (Windows or POSIX path). */
export function imageBaseName(image: string): string {
  const parts = image.trim().split(/[\\/]/);
  return parts[parts.length - 1] || image.trim();
}

/** Display name: IMAGE= file name, else ID=, else "Specimen N" (1-based). */
export function specimenName(s: TpsSpecimen, index: number): string {
  const image = getField(s, 'IMAGE');
  if (image && image.trim()) return imageBaseName(image);
  const id = getField(s, 'ID');
  if (id && id.trim()) return `ID ${id.trim()}`;
  return `Specimen ${index + 1}`;
}

export function specimenView(s: TpsSpecimen, index: number): SpecimenView {
  const image = getField(s, 'IMAGE');
  const id = getField(s, 'ID');
  const notes = parsePredictionNotes(getField(s, 'COMMENT'));
  return {
    index,
    name: specimenName(s, index),
    ...(image !== undefined ? { imageField: image } : {}),
    ...(id !== undefined ? { id } : {}),
    landmarks: s.landmarks.map((p) => (p ? { x: p.x, y: p.y } : null)),
    ...(s.unreadable?.length ? { unreadable: [...s.unreadable] } : {}),
    ...(s.curves.length ? { curves: s.curves.flatMap((c) => c.curves.map((points) => ({ key: c.key, points: points.map((p) => ({ x: p.x, y: p.y })) }))) } : {}),
    ...(notes.confidence !== undefined ? { confidence: notes.confidence } : {}),
    ...(notes.doubtPx ? { doubtPx: notes.doubtPx } : {}),
    ...(notes.doubtPx && getScale(s) !== undefined ? { scale: getScale(s) } : {}),
  };
}

export function specimenViews(doc: TpsDocument): SpecimenView[] {
  return doc.specimens.map(specimenView);
}

/** Parser errors as one-line messages for the editor's banner (warnings are left to the text view). */
export function problemLines(doc: TpsDocument): string[] {
  return doc.diagnostics
    .filter((d) => d.severity === 'error')
    .map((d) => `line ${d.line}${d.specimen !== undefined ? ` (specimen ${d.specimen + 1})` : ''}: ${d.message}`);
}
