/**
 * What to check first in a predicted file: the review flags (by tolerance or the 10% rule, from
 * src/shared/tps/review.ts), the sidebar's review controls, and the list's order.
 */
import { reviewFlagsFor, toleranceSummary, type ReviewFlags, type ReviewTolerance, type ToleranceFlags } from '../../shared/tps/review';
import { ui } from './layout';
import { state } from './state';

/** The tolerance in force: this view's field, else the setting (value 0: the 10% rule). */
export function reviewTolerance(): ReviewTolerance {
  return state.viewTolerance ?? { value: state.settings.reviewTolerance ?? 0, unit: state.settings.reviewToleranceUnit ?? 'px' };
}

export function byTolerance(f: ReviewFlags | ToleranceFlags): f is ToleranceFlags {
  return 'tolerance' in f;
}

/** Why a landmark is flagged, for tooltips. */
export function landmarkFlagReason(): string {
  const flags = state.flags;
  return byTolerance(flags) ? `its doubt bound is above the tolerance of ${flags.tolerance.value} ${flags.tolerance.unit}` : 'among the 10% most doubtful landmarks of this file';
}

/** Recomputes the flags from the specimens and the tolerance, and shows the review controls of a predicted file. */
export function refreshFlags(): void {
  const { specimens } = state;
  const tol = reviewTolerance();
  const flags = reviewFlagsFor(
    specimens.map((s) => ({ confidence: s.confidence, doubtPx: s.doubtPx, ...(s.scale !== undefined ? { scale: s.scale } : {}) })),
    tol,
  );
  state.flags = flags;
  const predicted = specimens.some((s) => s.confidence !== undefined || s.doubtPx !== undefined);
  ui.reviewBox.hidden = !predicted;
  ui.btnReview.hidden = !predicted;
  if (document.activeElement !== ui.toleranceInput) ui.toleranceInput.value = tol.value > 0 ? String(tol.value) : '';
  ui.toleranceUnit.value = tol.unit;
  ui.reviewSummary.textContent = byTolerance(flags) ? toleranceSummary(flags) : predicted ? `${new Set([...flags.specimens, ...flags.landmarks.keys()]).size} of ${specimens.length} specimens flagged (10% rule)` : '';
  ui.doubtHeader.hidden = !predicted;
  if (!predicted) state.reviewOrder = false;
}

/** Specimen indices in the order the list shows them. */
export function listOrder(): number[] {
  const { specimens, flags } = state;
  const idx = specimens.map((_, i) => i);
  if (!state.reviewOrder) return idx;
  const c = (i: number): number => specimens[i].confidence ?? Number.POSITIVE_INFINITY;
  const byConfidence = (a: number, b: number): number => (c(a) === c(b) ? a - b : c(a) < c(b) ? -1 : 1);
  if (!byTolerance(flags)) return idx.sort(byConfidence);
  // By tolerance: the flagged specimens first (largest bound first), then the others by confidence.
  const flagged = new Set(flags.specimens);
  return [...flags.specimens, ...idx.filter((i) => !flagged.has(i)).sort(byConfidence)];
}
