/**
 * What to annotate next (active learning): of a folder's photos predicted by a model, those the
 * model is least sure of are the ones whose manual landmarks teach it most. Ranked by the
 * prediction's own notes in COMMENT= (../tps/review.ts): the largest landmark doubt first, then
 * the lowest confidence. Pure.
 */
import { getField, type TpsDocument, type TpsSpecimen } from '../tps/model';
import { parsePredictionNotes } from '../tps/review';

export interface AnnotationCandidate {
  /** Index of the specimen in the predicted file. */
  index: number;
  /** The largest doubt of its landmarks (px), NaN when the file has no doubt notes. */
  maxDoubtPx: number;
  confidence?: number;
}

/** Every predicted specimen, the one most worth annotating first. */
export function rankForAnnotation(doc: TpsDocument): AnnotationCandidate[] {
  const out = doc.specimens.map((s, index): AnnotationCandidate => {
    const notes = parsePredictionNotes(getField(s, 'COMMENT'));
    const doubts = (notes.doubtPx ?? []).map(Math.abs);
    return { index, maxDoubtPx: doubts.length ? Math.max(...doubts) : NaN, ...(notes.confidence !== undefined ? { confidence: notes.confidence } : {}) };
  });
  const key = (c: AnnotationCandidate) => (Number.isNaN(c.maxDoubtPx) ? -Infinity : c.maxDoubtPx);
  return out.sort((a, b) => key(b) - key(a) || (a.confidence ?? 1) - (b.confidence ?? 1) || a.index - b.index);
}

/** The `n` specimens to annotate first, in that order (copies: the predicted file is not touched). */
export function annotationBatch(doc: TpsDocument, n: number): { specimens: TpsSpecimen[]; ranked: AnnotationCandidate[] } {
  const ranked = rankForAnnotation(doc).slice(0, Math.max(0, n));
  return { specimens: ranked.map((c) => structuredClone(doc.specimens[c.index])), ranked };
}
