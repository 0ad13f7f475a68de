/** What a specimen's landmark slots hold, counted and said as the status line and list say it. */
import type { SpecimenView } from '../../shared/protocol/editor';
import { state } from './state';
import { commonLandmarkCount, type SlotState } from './status';

/** A coordinate as shown: 2 decimals at most, 4 significant digits below 1. */
export function fmt(v: number | undefined): string {
  if (v === undefined) return '–';
  return Math.abs(v) >= 1 ? String(Number(v.toFixed(2))) : String(Number(v.toPrecision(4)));
}

/** What slot `i` of specimen `index` holds (a null slot listed in `unreadable` is not missing). */
export function slotState(index: number, i: number): SlotState | null {
  const sp = state.specimens[index];
  if (!sp || i < 0 || i >= sp.landmarks.length) return null;
  if (sp.landmarks[i]) return 'point';
  return sp.unreadable?.includes(i) ? 'unreadable' : 'missing';
}

export function slotCounts(sp: SpecimenView): { missing: number; unreadable: number } {
  const unreadable = new Set(sp.unreadable ?? []);
  const nulls = sp.landmarks.map((p, i) => (p === null ? i : -1)).filter((i) => i >= 0);
  const u = nulls.filter((i) => unreadable.has(i)).length;
  return { missing: nulls.length - u, unreadable: u };
}

export function countText(sp: SpecimenView): string {
  const c = slotCounts(sp);
  const curves = sp.curves ?? [];
  const points = curves.reduce((n, cv) => n + cv.points.length, 0);
  const curveText = curves.length ? `, ${curves.length} curve${curves.length > 1 ? 's' : ''} (${points} points)` : '';
  return `${sp.landmarks.length} landmark${sp.landmarks.length === 1 ? '' : 's'}${c.missing ? `, ${c.missing} missing` : ''}${c.unreadable ? `, ${c.unreadable} unreadable` : ''}${curveText}`;
}

/** The other specimens' shared landmark count, for `index` (null when the file has no other). */
export function commonCountFor(index: number): number | null {
  return commonLandmarkCount(state.specimens.map((s) => s.landmarks.length), index);
}
