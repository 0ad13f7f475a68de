/**
 * Retraining from corrections: the specimens of a predicted file that a person corrected (a
 * landmark moved, placed or marked missing flips its doubt negative in COMMENT=, see
 * ../tps/review.ts), and the training file that adds them to the manual one. Pure.
 */
import { getField, type TpsDocument, type TpsSpecimen } from '../tps/model';
import { parsePredictionNotes } from '../tps/review';
import { writeTps } from '../tps/write';
import { sameSpecimen } from '../names';

/** Whether a doubt value marks a landmark checked by hand (negative, or the -0 of a zero doubt). */
function checked(v: number): boolean {
  return v < 0 || Object.is(v, -0);
}

/** Indices of the specimens with at least one landmark corrected by hand. */
export function correctedSpecimens(doc: TpsDocument): number[] {
  return doc.specimens.flatMap((s, i) => ((parsePredictionNotes(getField(s, 'COMMENT')).doubtPx ?? []).some(checked) ? [i] : []));
}

/** The model a predicted file names in its COMMENT= (`predicted by <model> (...)`), if any. */
export function predictingModel(doc: TpsDocument): string | undefined {
  for (const s of doc.specimens) {
    const m = /(?:^|;|,)\s*(?:to annotate: )?predicted by ([^\s(;]+)/.exec(getField(s, 'COMMENT') ?? '');
    if (m) return m[1];
  }
  return undefined;
}

export interface RetrainingSet {
  /** The manual file's text, unchanged, with the corrected specimens after it. */
  text: string;
  added: number;
  /** Corrected specimens left out, and why (already annotated, another landmark count). */
  skipped: { image: string; why: string }[];
}

/**
 * The manual file followed by each corrected specimen (its IMAGE= given by `imageFor`, relative
 * to the manual file; COMMENT= saying where it came from). The manual lines are kept byte for byte.
 */
export function retrainingSet(manualText: string, manual: TpsDocument, corrected: readonly TpsSpecimen[], imageFor: (s: TpsSpecimen) => string | undefined): RetrainingSet {
  const skipped: RetrainingSet['skipped'] = [];
  const counts = new Map<number, number>();
  for (const s of manual.specimens) counts.set(s.landmarks.length, (counts.get(s.landmarks.length) ?? 0) + 1);
  const common = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  const names = manual.specimens.map((s) => getField(s, 'IMAGE') ?? '');
  const add: TpsSpecimen[] = [];
  for (const s of corrected) {
    const image = imageFor(s);
    const label = image ?? getField(s, 'IMAGE') ?? '?';
    if (!image) skipped.push({ image: label, why: 'its photo cannot be found' });
    else if (names.some((n) => n && sameSpecimen(n, image))) skipped.push({ image: label, why: 'the manual file already has this photo' });
    else if (common !== undefined && s.landmarks.length !== common) skipped.push({ image: label, why: `${s.landmarks.length} landmarks, the manual file has ${common}` });
    else {
      const comment = getField(s, 'COMMENT') ?? '';
      const source = /predicted by [^\s(;]+/.exec(comment)?.[0] ?? 'a prediction';
      add.push({
        landmarks: s.landmarks.map((p) => (p ? { x: p.x, y: p.y } : null)),
        fields: [
          { key: 'IMAGE', value: image, line: 0 },
          ...s.fields.filter((f) => ['ID', 'SCALE'].includes(f.key.toUpperCase())).map((f) => ({ ...f, line: 0 })),
          { key: 'COMMENT', value: `corrected by hand from ${source}`, line: 0 },
        ],
        curves: [],
        line: 0,
      });
    }
  }
  if (add.length === 0) return { text: manualText, added: 0, skipped };
  const eol = manual.lineEnding === 'CRLF' || manual.lineEnding === 'CRCRLF' ? '\r\n' : manual.lineEnding === 'CR' ? '\r' : '\n';
  const appended = writeTps({ specimens: add, diagnostics: [], eol: '\n', finalNewline: true }, { eol: eol === '\r' ? '\n' : eol });
  const sep = manualText === '' || /[\r\n]$/.test(manualText) ? '' : eol;
  return { text: manualText + sep + appended, added: add.length, skipped };
}
