/**
 * The user's input: buttons, the tolerance field, pointer (drag a marker, click the photo, pan,
 * wheel zoom), keyboard, and focus (the status line says what the keys do where it is). Each
 * handler turns an event into an action of actions.ts or edits.ts; `listenToInput` wires them once.
 */
import type { TpsPoint } from '../../shared/tps/model';
import { selectLandmark, setAddMode, setNote, setPlacing, setReviewOrder, setViewTolerance, showSpecimen, stepSpecimen } from './actions';
import { acceptAdd, cancelAdd, commitMove, deleteSelected, markMissing, nudge, requestAdd } from './edits';
import { fit, frameOf, zoomBy } from './frames';
import { insideFrame, screenToImage, toImage, toTps } from './geometry';
import { ui } from './layout';
import { draw, markerElement, renderLandmarkTable, renderSpecimenWindow, statusText, updateStatus } from './render';
import { lastReportedStatus, report } from './report';
import { listOrder } from './review';
import { fmt, slotState } from './slots';
import { saveState, state } from './state';

/** Screen pixels a pointer must travel before a press on a marker becomes a drag. */
const DRAG_THRESHOLD_PX = 3;

// ---------------------------------------------------------------- pointer
function localPoint(e: MouseEvent): TpsPoint {
  const r = ui.viewport.getBoundingClientRect();
  return { x: e.clientX - r.left, y: e.clientY - r.top };
}

function startDrag(e: PointerEvent, landmark: number): void {
  if (e.button !== 0) return;
  // The photo under the marker must not start a pan (or take the click) as well.
  e.stopPropagation();
  e.preventDefault();
  const frame = frameOf(state.current);
  const p = state.specimens[state.current]?.landmarks[landmark];
  if (!frame || !p) return;
  state.selected = landmark;
  saveState();
  const at = toImage(p, frame);
  const s = localPoint(e);
  const pointer = screenToImage(s, state.view);
  state.drag = { landmark, pointerId: e.pointerId, pos: at, moved: false, start: s, grab: { x: at.x - pointer.x, y: at.y - pointer.y } };
  ui.viewport.setPointerCapture(e.pointerId);
  renderLandmarkTable();
  draw();
  markerElement(landmark)?.focus({ preventScroll: true });
}

/**
 * What a left click on the photo at image point `img` does before any pan: places the landmark
 * being placed, or adds one (add mode, Ctrl/Cmd+click). A click outside the photo never edits.
 * Returns false when the click is an ordinary one (pan, and on release `stillClick`).
 */
export function photoClick(img: TpsPoint, add: boolean): boolean {
  const frame = frameOf(state.current);
  const sp = state.specimens[state.current];
  if (!frame || !sp) return false;
  const { pendingAdd, placing } = state;
  if (pendingAdd) {
    setNote(`Answer first: Enter ${pendingAdd.accept}, Esc cancels`);
    return true;
  }
  if (placing !== null) {
    if (!insideFrame(img, frame)) {
      setNote(`Outside the ${frame.blank ? 'canvas' : 'photo'}: not placed; click on the ${frame.blank ? 'canvas' : 'photo'} to place landmark ${placing + 1}`);
      return true;
    }
    state.placing = null;
    commitMove(state.current, placing, img);
    return true;
  }
  if (state.addMode || add) {
    requestAdd(state.current, img);
    return true;
  }
  return false;
}

/** A click on the photo that did not drag: deselects, except a missing landmark (says how to place it). */
export function stillClick(): void {
  const { selected } = state;
  const slot = selected !== null ? slotState(state.current, selected) : null;
  if (selected !== null && slot === 'missing') setNote(`Not placed: press P or Enter, then click, to place landmark ${selected + 1}`);
  else if (selected !== null && slot === 'unreadable') setNote(`Landmark ${selected + 1} is unreadable in the file: fix its row in the text view (Open as text)`);
  else if (selected !== null) selectLandmark(null, false);
}

/** The landmark index of the marker `target` is part of, if any. */
function markerIndex(target: EventTarget | null): number | undefined {
  const marker = target instanceof Element ? target.closest('#overlay g.marker') : null;
  const i = Number(marker?.getAttribute('data-landmark'));
  return marker && Number.isInteger(i) ? i : undefined;
}

function endPointer(e: PointerEvent, cancelled: boolean): void {
  const { drag, pan } = state;
  if (drag && e.pointerId === drag.pointerId) {
    state.drag = null;
    if (drag.moved && !cancelled) commitMove(state.current, drag.landmark, drag.pos);
    else draw();
  }
  if (pan && e.pointerId === pan.pointerId) {
    const still = Math.hypot(e.clientX - pan.x, e.clientY - pan.y) < 3;
    state.pan = null;
    ui.viewport.classList.remove('panning');
    if (still && !cancelled) stillClick();
    report();
  }
}

function listenToPointer(): void {
  const { viewport } = ui;
  // The markers, which render.ts redraws, have no listeners of their own: the viewport catches
  // their events first (capture phase), as a marker's own listener would have. Not the overlay:
  // Chrome puts an <svg> that has focus listeners in the Tab order.
  viewport.addEventListener(
    'pointerdown',
    (e) => {
      const i = markerIndex(e.target);
      if (i !== undefined) startDrag(e, i);
    },
    true,
  );
  // A marker that gets the keyboard's focus (Tab, a click) becomes the selected landmark. On
  // `focus`, as a marker's own listener had it: redrawing replaces the focused marker, and doing
  // it before focusin keeps the focus on its replacement.
  viewport.addEventListener(
    'focus',
    (e) => {
      const i = markerIndex(e.target);
      if (i === undefined || state.selected === i) return;
      state.selected = i;
      saveState();
      draw();
      renderLandmarkTable();
      markerElement(i)?.focus();
    },
    true,
  );

  viewport.addEventListener('pointerdown', (e) => {
    if (e.button !== 0 && e.button !== 1) return;
    const frame = frameOf(state.current);
    if (!frame) return;
    const s = localPoint(e);
    const img = screenToImage(s, state.view);
    if (e.button === 0 && photoClick(img, e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      viewport.focus({ preventScroll: true }); // Enter/Esc answer what the click asked
      return;
    }
    state.pan = { pointerId: e.pointerId, x: e.clientX, y: e.clientY, tx: state.view.tx, ty: state.view.ty };
    viewport.setPointerCapture(e.pointerId);
    viewport.classList.add('panning');
    viewport.focus({ preventScroll: true });
  });

  viewport.addEventListener('pointermove', (e) => {
    const s = localPoint(e);
    const frame = frameOf(state.current);
    if (frame) {
      const t = toTps(screenToImage(s, state.view), frame);
      ui.statusRight.textContent = `x ${fmt(t.x)}  y ${fmt(t.y)}`;
    }
    const { drag, pan } = state;
    if (drag && e.pointerId === drag.pointerId) {
      if (!drag.moved && Math.hypot(s.x - drag.start.x, s.y - drag.start.y) < DRAG_THRESHOLD_PX) return;
      const pointer = screenToImage(s, state.view);
      drag.pos = { x: pointer.x + drag.grab.x, y: pointer.y + drag.grab.y };
      drag.moved = true;
      draw();
    } else if (pan && e.pointerId === pan.pointerId) {
      state.view = { ...state.view, tx: pan.tx + e.clientX - pan.x, ty: pan.ty + e.clientY - pan.y };
      draw();
    }
  });

  viewport.addEventListener('pointerup', (e) => endPointer(e, false));
  viewport.addEventListener('pointercancel', (e) => endPointer(e, true));

  viewport.addEventListener(
    'wheel',
    (e) => {
      e.preventDefault();
      const s = localPoint(e);
      const delta = e.deltaMode === 1 ? e.deltaY * 16 : e.deltaY;
      zoomBy(Math.exp(-delta * 0.0015), s.x, s.y);
      report();
    },
    { passive: false },
  );

  new ResizeObserver(() => {
    const frame = frameOf(state.current);
    if (!frame) return;
    // Keep fitted views fitted when the panel is resized.
    if (Math.abs(state.view.scale - state.fitScale) < 1e-9) fit();
    else draw();
  }).observe(viewport);
}

// ---------------------------------------------------------------- keyboard
/** Runs what key `e` does here; false when the key is not the editor's (VS Code or the browser gets it). */
function onKey(e: KeyboardEvent): boolean {
  const target = e.target as Element | null;
  if (target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT')) return false;
  if (e.ctrlKey || e.metaKey || e.altKey) return false; // leave Ctrl+Z, Ctrl+S... to VS Code
  const step = e.shiftKey ? 10 : 1;
  const { selected, current, specimens } = state;
  // A question in the status bar takes Enter and Escape first, wherever the focus is.
  if (state.pendingAdd && e.key === 'Enter') {
    acceptAdd();
    return true;
  }
  if (state.pendingAdd && e.key === 'Escape') {
    cancelAdd();
    return true;
  }
  switch (e.key) {
    case 'PageUp':
      stepSpecimen(-1);
      return true;
    case 'PageDown':
      stepSpecimen(1);
      return true;
    case 'Home':
      stepSpecimen(-specimens.length);
      return true;
    case 'End':
      stepSpecimen(specimens.length);
      return true;
    case 'r':
    case 'R':
      if (ui.btnReview.hidden) return false;
      setReviewOrder(!state.reviewOrder);
      return true;
    case 'ArrowLeft':
    case 'ArrowRight':
    case 'ArrowUp':
    case 'ArrowDown': {
      const dx = e.key === 'ArrowLeft' ? -step : e.key === 'ArrowRight' ? step : 0;
      const dy = e.key === 'ArrowUp' ? -step : e.key === 'ArrowDown' ? step : 0;
      if (target === ui.specimenList) {
        stepSpecimen(dx || dy > 0 ? Math.sign(dx || dy) : -1);
        return true;
      }
      if (selected !== null && specimens[current]?.landmarks[selected]) nudge(dx, dy);
      else if (dx) stepSpecimen(dx / step);
      else return false;
      return true;
    }
    case 'Delete':
    case 'Backspace':
      deleteSelected();
      return true;
    case 'm':
    case 'M':
      markMissing();
      return true;
    case 'a':
    case 'A':
      setAddMode(!state.addMode);
      return true;
    case 'p':
    case 'P':
      setPlacing(state.placing === null);
      return true;
    case 'Enter':
      // Enter on a selected missing landmark starts placing it; elsewhere Enter is not ours.
      if (state.placing !== null || selected === null || slotState(current, selected) !== 'missing') return false;
      setPlacing(true);
      return true;
    case 'Escape':
      if (state.placing !== null) setPlacing(false);
      else if (state.addMode) setAddMode(false);
      else selectLandmark(null, true);
      return true;
    case '+':
    case '=':
      zoomBy(1.25);
      report();
      return true;
    case '-':
    case '_':
      zoomBy(1 / 1.25);
      report();
      return true;
    case '0':
    case 'f':
    case 'F':
      fit();
      report();
      return true;
    default:
      return false;
  }
}

function listenToKeyboard(): void {
  document.addEventListener('keydown', (e) => {
    // A focused button's own Enter/Space clicks it.
    if ((e.target as Element | null)?.tagName === 'BUTTON' && (e.key === 'Enter' || e.key === ' ')) return;
    if (onKey(e)) e.preventDefault();
  });

  // The status line says what the keys do where the focus is: follow the focus.
  const focusChanged = (): void => {
    updateStatus();
    if (statusText() !== lastReportedStatus()) report();
  };
  document.addEventListener('focusin', focusChanged);
  // After a focusout the new focus is not known yet (or there is none): look once it settled.
  document.addEventListener('focusout', () => setTimeout(focusChanged, 0));
  window.addEventListener('focus', focusChanged);
  window.addEventListener('blur', focusChanged);
}

// ---------------------------------------------------------------- controls
function listenToControls(): void {
  const click = (b: HTMLButtonElement, run: () => void) => b.addEventListener('click', run);
  click(ui.btnPrev, () => stepSpecimen(-1));
  click(ui.btnNext, () => stepSpecimen(1));
  click(ui.btnReview, () => setReviewOrder(!state.reviewOrder));
  click(ui.btnZoomOut, () => zoomBy(1 / 1.25));
  click(ui.btnZoomIn, () => zoomBy(1.25));
  click(ui.btnFit, () => fit());
  click(ui.btnAdd, () => setAddMode(!state.addMode));
  click(ui.btnPlace, () => setPlacing(state.placing === null));
  click(ui.btnMissing, () => markMissing());
  click(ui.btnDelete, () => deleteSelected());
  click(ui.btnConfirm, () => acceptAdd());
  click(ui.btnCancel, () => cancelAdd());

  const onToleranceInput = (): void => {
    const v = ui.toleranceInput.value.trim() === '' ? 0 : Number(ui.toleranceInput.value);
    if (!Number.isFinite(v) || v < 0) return;
    setViewTolerance(v, ui.toleranceUnit.value === 'mm' ? 'mm' : 'px');
  };
  ui.toleranceInput.addEventListener('input', onToleranceInput);
  ui.toleranceInput.addEventListener('change', onToleranceInput);
  ui.toleranceUnit.addEventListener('change', onToleranceInput);

  // Rows are redrawn often: one listener on each list, not one per row.
  ui.specimenList.addEventListener('click', (e) => {
    const row = (e.target as Element | null)?.closest('li[data-specimen]');
    const i = Number(row?.getAttribute('data-specimen'));
    if (row && Number.isInteger(i)) showSpecimen(i);
  });
  ui.landmarkTable.addEventListener('click', (e) => {
    const row = (e.target as Element | null)?.closest('tr[data-landmark]');
    const i = Number(row?.getAttribute('data-landmark'));
    if (row && Number.isInteger(i)) selectLandmark(i, true);
  });
  ui.specimenList.addEventListener('scroll', () => {
    if (!ui.specimenList.classList.contains('windowed') || state.listScrollPending) return;
    state.listScrollPending = true;
    requestAnimationFrame(() => {
      state.listScrollPending = false;
      renderSpecimenWindow(listOrder(), new Set(state.flags.specimens), false);
    });
  });
}

/** Wires every input handler (once, at start). */
export function listenToInput(): void {
  listenToControls();
  listenToPointer();
  listenToKeyboard();
}
