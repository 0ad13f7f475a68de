/**
 * What the user's commands do, whatever sent them (a button, a key, a click, the host): change
 * specimen, select a landmark, toggle the add and placing modes, order the list, set the
 * tolerance; each then redraws what it changed and reports.
 */
import { post } from './host';
import { ui } from './layout';
import { applyImage, requestImage } from './photo';
import { draw, markerElement, renderConfirm, renderLandmarkTable, renderSpecimenList, updateStatus } from './render';
import { report } from './report';
import { listOrder, refreshFlags } from './review';
import { slotState } from './slots';
import { saveState, state } from './state';

export function showSpecimen(index: number, options: { keepSelection?: boolean } = {}): void {
  if (state.specimens.length === 0) return;
  const next = Math.max(0, Math.min(state.specimens.length - 1, index));
  const changed = next !== state.current;
  state.current = next;
  if (changed || !options.keepSelection) state.selected = options.keepSelection ? state.selected : null;
  if (changed) {
    state.placing = null;
    state.pendingAdd = null;
    renderConfirm();
  }
  state.note = '';
  state.imageError = '';
  saveState();
  post({ type: 'selected', specimen: state.current });
  requestImage(state.current);
  requestImage(state.current + 1);
  requestImage(state.current - 1);
  renderSpecimenList();
  renderLandmarkTable();
  applyImage();
  report();
}

/** The specimen `delta` places from the current one in the list's order. */
export function stepSpecimen(delta: number): void {
  const order = listOrder();
  const k = order.indexOf(state.current);
  const next = order[Math.max(0, Math.min(order.length - 1, k + delta))];
  if (next !== undefined) showSpecimen(next);
}

export function setReviewOrder(on: boolean): void {
  state.reviewOrder = on;
  ui.btnReview.setAttribute('aria-pressed', String(on));
  ui.btnReview.classList.toggle('active', on);
  renderSpecimenList();
  draw();
  report();
}

/** The tolerance typed in this view's field (wins over the setting; kept in the view's state). */
export function setViewTolerance(value: number, unit: 'px' | 'mm'): void {
  state.viewTolerance = { value, unit };
  saveState();
  refreshFlags();
  renderSpecimenList();
  renderLandmarkTable();
  draw();
  report();
}

export function selectLandmark(i: number | null, focus: boolean): void {
  state.selected = i;
  state.note = '';
  saveState();
  // Focus before drawing: drawMarkers gives a focused marker its focus back, and a marker that
  // gets the focus selects itself (Escape on a focused marker would select it again). A missing
  // landmark has no marker: the photo takes the keys then (P, Enter, arrows).
  const marker = i !== null ? markerElement(i) : null;
  const focusedMarker = (document.activeElement as Element | null)?.closest('#overlay g.marker') ?? null;
  if (focus || (focusedMarker !== null && focusedMarker !== marker)) (marker ?? ui.viewport).focus({ preventScroll: true });
  draw();
  renderLandmarkTable();
  report();
}

export function setAddMode(on: boolean): void {
  state.addMode = on;
  if (on) state.placing = null;
  state.note = '';
  draw();
  report();
}

/** Enters (or leaves) placing mode for the selected landmark; only a missing one can be placed. */
export function setPlacing(on: boolean): void {
  if (on) {
    const { selected } = state;
    const slot = selected !== null ? slotState(state.current, selected) : null;
    if (selected === null || slot === 'point' || slot === null) {
      setNote('P places a missing landmark: select one in the landmark table first (M marks the selected landmark missing)');
      return;
    }
    if (slot === 'unreadable') {
      setNote(`Landmark ${selected + 1} is unreadable in the file: fix its row in the text view (Open as text)`);
      return;
    }
    state.placing = selected;
    state.addMode = false;
  } else state.placing = null;
  state.note = '';
  draw();
  report();
}

/** A one-off message in the status line (why something did nothing). */
export function setNote(text: string): void {
  state.note = text;
  updateStatus();
  report();
}
