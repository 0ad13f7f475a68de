/**
 * What a prediction says about its own reliability, kept in the specimen's COMMENT= so that it
 * travels with the TPS file (other tools keep COMMENT verbatim):
 *   COMMENT=predicted by <model> (...); confidence 0.734; expected px 8.2; expected mm 0.41; doubt px 12.1 5 80.3 ...
 * `confidence` (0..1, higher = more trustworthy) ranks specimens; `expected px` (and `expected mm`
 * when the specimen has SCALE) is the specimen's expected error per landmark, from calibrated
 * models; `doubt px` is one value per landmark in original pixels: for calibrated models the
 * bound its error stays under 90% of the time (older models: a raw disagreement). A
 * negative doubt marks a landmark corrected by hand since the prediction (the editor flips the
 * sign when you move, place or mark it missing; undo flips it back), so it is no longer flagged
 * but still counts when the file's most doubtful share is worked out.
 * Which to check first: the least confident `share` of the specimens and the most doubtful
 * `share` of the landmarks in the file (on the benchmark the 10% least confident hold 27-36% of
 * the big errors). Pure.
 */

export interface PredictionNotes {
  confidence?: number;
  /** Expected error per landmark of the specimen, original pixels (calibrated models). */
  expectedPx?: number;
  /** The same in SCALE units (mm), written when the specimen has SCALE. */
  expectedMm?: number;
  /** Per landmark, original pixels; negative = corrected by hand since. */
  doubtPx?: number[];
}

const CONFIDENCE = /(?:^|;)\s*confidence\s+(-?[\d.]+(?:e-?\d+)?)\s*(?=;|$)/i;
const EXPECTED = /(?:^|;)\s*expected (px|mm)\s+(-?[\d.]+(?:e-?\d+)?)\s*(?=;|$)/gi;
const DOUBT = /(?:^|;)\s*doubt px((?:\s+-?[\d.]+(?:e-?\d+)?)*)\s*(?=;|$)/i;

/** The notes in a COMMENT= value (nothing when it has none). */
export function parsePredictionNotes(comment: string | undefined): PredictionNotes {
  if (!comment) return {};
  const out: PredictionNotes = {};
  const c = CONFIDENCE.exec(comment);
  if (c && Number.isFinite(+c[1])) out.confidence = +c[1];
  for (const m of comment.matchAll(EXPECTED)) {
    if (!Number.isFinite(+m[2])) continue;
    if (m[1].toLowerCase() === 'px') out.expectedPx ??= +m[2];
    else out.expectedMm ??= +m[2];
  }
  const d = DOUBT.exec(comment);
  if (d) {
    const values = d[1].trim().split(/\s+/).filter(Boolean).map(Number);
    if (values.length && values.every(Number.isFinite)) out.doubtPx = values;
  }
  return out;
}

/** Writes a doubt value as the COMMENT carries it: 1 decimal, no trailing ".0". */
function formatDoubt(v: number): string {
  const r = Math.round(v * 10) / 10;
  return Object.is(r, -0) || (r === 0 && v < 0) ? '-0' : String(r); // -0: a checked landmark of doubt 0
}

/** `base` followed by the notes, as the engine writes a predicted specimen's COMMENT=. */
export function formatPredictionComment(base: string, notes: PredictionNotes): string {
  let s = base;
  if (notes.confidence !== undefined) s += `; confidence ${notes.confidence.toFixed(3)}`;
  if (notes.expectedPx !== undefined && Number.isFinite(notes.expectedPx)) s += `; expected px ${formatDoubt(Math.max(0, notes.expectedPx))}`;
  if (notes.expectedMm !== undefined && Number.isFinite(notes.expectedMm)) s += `; expected mm ${Number(Math.max(0, notes.expectedMm).toPrecision(3))}`;
  if (notes.doubtPx?.length) s += `; doubt px ${notes.doubtPx.map((v) => formatDoubt(Math.max(0, v))).join(' ')}`;
  return s;
}

/** Expected error in mm from one in px and the specimen's SCALE= (units per pixel); undefined without a usable scale. */
export function expectedMmOf(expectedPx: number | undefined, scale: number | undefined): number | undefined {
  return expectedPx !== undefined && scale !== undefined && scale > 0 && Number.isFinite(scale) ? expectedPx * scale : undefined;
}

/** The COMMENT with its doubt list replaced (the rest kept verbatim). */
export function withDoubt(comment: string, doubtPx: number[]): string {
  const list = `doubt px ${doubtPx.map(formatDoubt).join(' ')}`;
  return comment.replace(DOUBT, (m) => m.replace(/doubt px.*$/i, list).replace(/\s+$/, ''));
}

/**
 * How a landmark edit changes the doubt list: `move`/`setMissing` mark landmark `index` as checked
 * (sign flipped to negative), `delete` drops its value, `add` inserts a checked 0 (-0). Returns the
 * new COMMENT, or undefined when the comment carries no doubt list (nothing to change).
 */
export function commentAfterEdit(comment: string | undefined, kind: 'move' | 'setMissing' | 'delete' | 'add', index: number): string | undefined {
  if (!comment) return undefined;
  const d = parsePredictionNotes(comment).doubtPx;
  if (!d) return undefined;
  const next = d.slice();
  if (kind === 'add') next.splice(Math.min(index, next.length), 0, -0);
  else if (index >= next.length) return undefined;
  else if (kind === 'delete') next.splice(index, 1);
  else next[index] = -Math.abs(next[index]);
  const out = withDoubt(comment, next);
  return out === comment ? undefined : out;
}

export interface ReviewFlags {
  /** Specimen indices to check first, least confident first. */
  specimens: number[];
  /** Per specimen index: its landmark indices among the file's most doubtful (not yet checked). */
  landmarks: Map<number, number[]>;
}

/**
 * The least confident `share` of the specimens that carry a confidence (at least one), and the
 * most doubtful `share` of all landmark values in the file (by |doubt|, at least one), leaving
 * out landmarks already checked by hand.
 */
export function reviewFlags(notes: PredictionNotes[], share = 0.1): ReviewFlags {
  const conf = notes
    .map((n, i) => ({ i, c: n.confidence }))
    .filter((x): x is { i: number; c: number } => x.c !== undefined)
    .sort((a, b) => a.c - b.c || a.i - b.i);
  const specimens = conf.slice(0, conf.length ? Math.max(1, Math.round(share * conf.length)) : 0).map((x) => x.i);
  const all = notes.flatMap((n, i) => (n.doubtPx ?? []).map((v, j) => ({ i, j, v }))).sort((a, b) => Math.abs(b.v) - Math.abs(a.v) || a.i - b.i || a.j - b.j);
  const top = all.slice(0, all.length ? Math.max(1, Math.round(share * all.length)) : 0);
  const landmarks = new Map<number, number[]>();
  for (const { i, j, v } of top) {
    if (v <= 0) continue;
    if (!landmarks.has(i)) landmarks.set(i, []);
    landmarks.get(i)!.push(j);
  }
  for (const l of landmarks.values()) l.sort((a, b) => a - b);
  return { specimens, landmarks };
}

/** A review tolerance: flag a landmark whose `doubt px` bound exceeds it. `value` <= 0: off. */
export interface ReviewTolerance {
  value: number;
  /** px: photo pixels; mm: SCALE units (SCALE= is units per pixel), for specimens that have SCALE. */
  unit: 'px' | 'mm';
}

/** Notes of one specimen, with its SCALE= (units per pixel) when it has one. */
export type ScaledNotes = PredictionNotes & { scale?: number };

export interface ToleranceFlags extends ReviewFlags {
  tolerance: ReviewTolerance;
  /** Specimens compared with the tolerance (they carry a doubt list, and a SCALE in mm). */
  compared: number;
  /** Specimens with a doubt list left out because the tolerance is in mm and they have no SCALE. */
  unscaled: number[];
}

/**
 * Flags by tolerance: a landmark is flagged when its doubt bound exceeds the tolerance (in mm,
 * converted through the specimen's SCALE: the bound in px times SCALE); a checked landmark
 * (negative doubt) never is. A specimen is flagged when one of its landmarks is, so how many
 * are flagged follows from the tolerance. Specimens come most doubtful first (largest bound over
 * the tolerance), then by index. In mm, a specimen without SCALE cannot be compared: it is listed
 * in `unscaled`, not flagged.
 */
export function reviewFlagsByTolerance(notes: readonly ScaledNotes[], tolerance: ReviewTolerance): ToleranceFlags {
  const landmarks = new Map<number, number[]>();
  const worst = new Map<number, number>();
  const unscaled: number[] = [];
  let compared = 0;
  notes.forEach((n, i) => {
    if (!n.doubtPx?.length) return;
    let factor = 1;
    if (tolerance.unit === 'mm') {
      if (n.scale === undefined || !(n.scale > 0)) {
        unscaled.push(i);
        return;
      }
      factor = n.scale;
    }
    compared++;
    n.doubtPx.forEach((v, j) => {
      if (!(v > 0)) return; // checked by hand (negative or -0), or no doubt
      const bound = v * factor;
      if (!(bound > tolerance.value)) return;
      if (!landmarks.has(i)) landmarks.set(i, []);
      landmarks.get(i)!.push(j);
      worst.set(i, Math.max(worst.get(i) ?? 0, bound));
    });
  });
  const specimens = [...landmarks.keys()].sort((a, b) => worst.get(b)! - worst.get(a)! || a - b);
  return { specimens, landmarks, tolerance: { ...tolerance }, compared, unscaled };
}

/** The flags the editor shows: by tolerance when one is set (value > 0), else the 10% rule. */
export function reviewFlagsFor(notes: readonly ScaledNotes[], tolerance?: ReviewTolerance): ReviewFlags | ToleranceFlags {
  return tolerance && tolerance.value > 0 && Number.isFinite(tolerance.value) ? reviewFlagsByTolerance(notes, tolerance) : reviewFlags([...notes]);
}

/** "3 of 34 specimens above 5 px" (and how many could not be compared for want of SCALE). */
export function toleranceSummary(f: ToleranceFlags): string {
  const t = `${Number(f.tolerance.value.toPrecision(6))} ${f.tolerance.unit}`;
  let s = `${f.specimens.length} of ${f.compared} specimen${f.compared === 1 ? '' : 's'} above ${t}`;
  if (f.unscaled.length) s += ` (${f.unscaled.length} without SCALE not compared)`;
  return s;
}
