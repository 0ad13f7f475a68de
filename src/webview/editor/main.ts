/**
 * The visual TPS editor webview: draws a specimen's photo with numbered landmarks, zoom and pan,
 * drag/add/delete/mark-missing, a specimen list and a landmark table. Talks to the extension only
 * through src/shared/protocol/editor.ts; every change is posted as an edit and comes back as an
 * `update`, so the extension's document stays the single source of truth (undo/redo, save).
 */
import type {
  EditorSettings,
  HostToWebview,
  ImageInfo,
  RenderReport,
  ScreenBox,
  SpecimenView,
  TestAction,
  WebviewToHost,
} from '../../shared/protocol/editor';
import type { LandmarkEdit } from '../../shared/editing/edits';
import type { TpsPoint } from '../../shared/tps/model';
import { reviewFlagsFor, toleranceSummary, type ReviewFlags, type ReviewTolerance, type ToleranceFlags } from '../../shared/tps/review';
import {
  blankFrame,
  fitView,
  imageToScreen,
  insideFrame,
  photoFrame,
  roundCoord,
  screenToImage,
  toImage,
  toTps,
  zoomAt,
  type Frame,
  type View,
} from './geometry';
import { h, svg } from './dom';
import { commonLandmarkCount, keyboardHint, type KeyFocus, type SlotState } from './status';

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

interface SavedState {
  current: number;
  selectedLandmark: number | null;
  /** The review tolerance set in this view's field (wins over the setting), if any. */
  tolerance?: ReviewTolerance;
}

const scriptStart = performance.now();
const vscode = acquireVsCodeApi();
const post = (m: WebviewToHost) => vscode.postMessage(m);

// ---------------------------------------------------------------- state
let specimens: SpecimenView[] = [];
let fileName = '';
let problems: string[] = [];
let settings: EditorSettings = { landmarkSize: 7 };
let current = 0;
let selected: number | null = null;
let addMode = false;
/**
 * Missing landmark that the next click on the photo places, null when not placing. Placing is
 * an explicit mode (P, Enter, the Place button) so that a stray click never edits.
 */
let placing: number | null = null;
/** An add waiting for the user's yes: it would give the specimen more landmarks than the others have. */
let pendingAdd: { specimen: number; point: TpsPoint; question: string; accept: string } | null = null;
/** Specimens the user already allowed more landmarks than the file's common count (asked once each). */
const extraAllowed = new Set<number>();
/** A one-off message in the status line (why a click did nothing); cleared by the next action. */
let note = '';
/** The current photo is still loading (said in the status line, not over the drawing). */
let loading = false;
let view: View = { scale: 1, tx: 0, ty: 0 };
let fitScale = 1;
/** Frame the current view was fitted for (to keep zoom between same-size photos). */
let viewFrameKey = '';
const images = new Map<number, ImageInfo>();
const requested = new Set<number>();
/** Frames of blank canvases, fixed once computed so edits do not shift the canvas. */
const blankFrames = new Map<number, Frame>();
/** Specimen whose photo element finished loading (src). */
let loadedSrc = '';
let imageError = '';
/** When the current photo's src was set, and how long it took to load. */
let srcSetAt = 0;
let imageLoadMs: number | undefined;
/** A marker being dragged: its live image position. */
/**
 * A marker being dragged: its live image position, where the pointer went down (screen) and the
 * offset from the pointer to the marker's centre (image), so a drag moves the marker by the
 * pointer's displacement and a click with a pixel of jitter does not move it at all.
 */
let drag: { landmark: number; pointerId: number; pos: TpsPoint; moved: boolean; start: TpsPoint; grab: TpsPoint } | null = null;
/** Screen pixels a pointer must travel before a press on a marker becomes a drag. */
const DRAG_THRESHOLD_PX = 3;
let pan: { pointerId: number; x: number; y: number; tx: number; ty: number } | null = null;
/** Specimen list in file order, or least confident prediction first (R). */
let reviewOrder = false;
/** What to check first in a predicted file (recomputed from the specimens' COMMENT notes). */
let flags: ReviewFlags | ToleranceFlags = { specimens: [], landmarks: new Map() };
/** The tolerance typed in this view's field; undefined: the setting's. */
let viewTolerance: ReviewTolerance | undefined;
/** Actions waiting for a specimen's frame (tests can act on a specimen not yet shown). */
const pendingFrame: { specimen: number; run: () => void }[] = [];

// ---------------------------------------------------------------- DOM
const app = document.getElementById('app') as HTMLElement;
app.textContent = '';
app.removeAttribute('data-loading');

const specimenList = h('ul', { id: 'specimen-list', role: 'listbox', tabindex: '0', 'aria-label': 'Specimens' });
const specimenCount = h('div', { class: 'sidebar-title' });
const btnPrev = button('‹ Prev', 'Previous specimen in the list (PageUp)', () => stepSpecimen(-1));
const btnNext = button('Next ›', 'Next specimen in the list (PageDown)', () => stepSpecimen(1));
const btnReview = button('Check first', 'List the predictions to check first (R): with a tolerance, the specimens above it; else the least confident first, flagged: the 10% least confident specimens and the 10% most doubtful landmarks of this file', () => setReviewOrder(!reviewOrder));
btnReview.id = 'review-order';
const toleranceInput = h('input', {
  id: 'review-tolerance',
  type: 'number',
  min: '0',
  step: 'any',
  placeholder: '10%',
  title: "Tolerance: flag a predicted landmark whose doubt bound exceeds it (0 or empty: the 10% least confident specimens and the file's 10% most doubtful landmarks). For this file view; the default is the setting landmarks.review.tolerance.",
  'aria-label': 'Review tolerance',
}) as HTMLInputElement;
const toleranceUnit = h('select', { id: 'review-tolerance-unit', 'aria-label': 'Review tolerance unit', title: 'px: photo pixels; mm: SCALE units (specimens without SCALE are not compared)' }, [
  h('option', { value: 'px' }, ['px']),
  h('option', { value: 'mm' }, ['mm']),
]) as HTMLSelectElement;
const reviewSummary = h('div', { id: 'review-summary', class: 'review-summary', role: 'status' });
const reviewBox = h('div', { class: 'review-box' }, [btnReview, h('label', { class: 'review-tolerance', title: toleranceInput.title }, ['tol. ', toleranceInput, toleranceUnit]), reviewSummary]);
function onToleranceInput(): void {
  const v = toleranceInput.value.trim() === '' ? 0 : Number(toleranceInput.value);
  if (!Number.isFinite(v) || v < 0) return;
  viewTolerance = { value: v, unit: toleranceUnit.value === 'mm' ? 'mm' : 'px' };
  saveState();
  refreshFlags();
  renderSpecimenList();
  renderLandmarkTable();
  draw();
  report();
}
toleranceInput.addEventListener('input', onToleranceInput);
toleranceInput.addEventListener('change', onToleranceInput);
toleranceUnit.addEventListener('change', onToleranceInput);
const title = h('span', { class: 'title', id: 'specimen-title' });
const btnZoomOut = button('−', 'Zoom out (-)', () => zoomBy(1 / 1.25));
const btnZoomIn = button('+', 'Zoom in (+)', () => zoomBy(1.25));
const btnFit = button('Fit', 'Fit to window (0)', () => fit());
const zoomLabel = h('span', { class: 'zoom', id: 'zoom-label' });
const btnAdd = button('Add', 'Add mode (A): click on the photo to add a landmark; Ctrl/Cmd+click adds anytime', () => setAddMode(!addMode));
const btnPlace = button('Place', 'Place the selected missing landmark (P or Enter), then click on the photo; Esc cancels', () => setPlacing(placing === null));
btnPlace.id = 'place';
const btnMissing = button('Missing', 'Mark the selected landmark missing (M)', () => markMissing());
const btnDelete = button('Delete', 'Delete the selected landmark (Delete)', () => deleteSelected());
const banner = h('div', { class: 'banner', id: 'banner', role: 'alert' });
const viewport = h('div', { id: 'viewport', tabindex: '0', 'aria-label': 'Specimen photo with landmarks' });
const photo = h('img', { id: 'photo', alt: '', draggable: 'false' }) as HTMLImageElement;
const blank = h('div', { id: 'blank' });
const overlay = svg('svg', { id: 'overlay', role: 'group', 'aria-label': 'Landmarks' }) as SVGSVGElement;
/** Above the viewport, never over it: a notice must not hide landmarks near the top. */
const notice = h('div', { id: 'notice', role: 'status' });
const statusLeft = h('span', { id: 'status-left' });
const statusNote = h('span', { id: 'status-note', role: 'status', 'aria-live': 'polite' });
const statusRight = h('span', { id: 'status-right' });
const statusKeys = h('div', { id: 'status-keys', class: 'status-row' });
const confirmText = h('span', { id: 'confirm-text' });
const btnConfirm = button('Add', 'Add the landmark anyway (Enter)', () => acceptAdd());
btnConfirm.id = 'confirm-accept';
const btnCancel = button('Cancel', 'Do not add it (Esc)', () => cancelAdd());
btnCancel.id = 'confirm-cancel';
// In the status bar, whose height does not change: asking must not move the photo under the pointer.
const confirmBox = h('span', { id: 'confirm', role: 'alert' }, [confirmText, btnConfirm, btnCancel]);
confirmBox.hidden = true;
const landmarkTable = h('tbody', { id: 'landmark-rows' });
const doubtHeader = h('th', { title: "⚑: among the file's most doubtful predicted landmarks, check it; ✓: corrected by hand since the prediction. Hover a cell for the model's doubt in photo pixels." }, ['⚑']);

viewport.append(blank, photo, overlay);
app.append(
  h('div', { class: 'layout' }, [
    h('aside', { class: 'sidebar' }, [specimenCount, reviewBox, specimenList]),
    h('main', { class: 'main' }, [
      h('div', { class: 'toolbar', role: 'toolbar' }, [
        btnPrev,
        btnNext,
        title,
        h('span', { class: 'sep' }),
        btnZoomOut,
        zoomLabel,
        btnZoomIn,
        btnFit,
        h('span', { class: 'sep' }),
        btnAdd,
        btnPlace,
        btnMissing,
        btnDelete,
      ]),
      banner,
      notice,
      viewport,
      h('div', { class: 'statusbar' }, [h('div', { class: 'status-row' }, [statusLeft, statusNote, confirmBox, statusRight]), statusKeys]),
    ]),
    h('aside', { class: 'landmarks' }, [
      h('div', { class: 'sidebar-title' }, ['Landmarks']),
      h('table', { class: 'landmark-table' }, [
        h('thead', {}, [h('tr', {}, [h('th', {}, ['#']), h('th', {}, ['x']), h('th', {}, ['y']), doubtHeader])]),
        landmarkTable,
      ]),
      h('div', { class: 'help' }, [
        'Drag a landmark to move it. Tab/Shift+Tab: next/previous landmark; arrows nudge it (Shift: ×10); ',
        'M: missing; P or Enter: place a missing landmark, then click on the photo; Delete: remove; A: add mode; PageUp/PageDown or ←/→: specimens; R: least confident first; wheel, +/−, 0: zoom; drag the photo to pan. ',
        'Dashed rings: flagged predicted landmarks, the most doubtful of the file or, with a tolerance (tol.), those whose doubt bound exceeds it (ring size ≈ the doubt); moving one marks it checked.',
      ]),
    ]),
  ]),
);

function button(label: string, tip: string, onClick: () => void): HTMLButtonElement {
  const b = h('button', { type: 'button', title: tip, 'aria-label': tip }, [label]) as HTMLButtonElement;
  b.addEventListener('click', onClick);
  return b;
}

// ---------------------------------------------------------------- frames and view
function frameOf(index: number): Frame | undefined {
  const info = images.get(index);
  if (info?.src && info.width && info.height && !imageErrorFor(index)) return photoFrame(info.width, info.height);
  if (info && (!info.src || imageErrorFor(index))) {
    let f = blankFrames.get(index);
    if (!f) {
      f = info.width && info.height ? { ...photoFrame(info.width, info.height), blank: true } : blankFrame(specimens[index]?.landmarks ?? [], (specimens[index]?.curves ?? []).flatMap((c) => c.points));
      blankFrames.set(index, f);
    }
    return f;
  }
  return undefined;
}

function imageErrorFor(index: number): boolean {
  return index === current && imageError !== '';
}

function viewportSize(): { w: number; h: number } {
  const r = viewport.getBoundingClientRect();
  return { w: Math.max(1, r.width), h: Math.max(1, r.height) };
}

function fit(): void {
  const frame = frameOf(current);
  if (!frame) return;
  const { w, h: hh } = viewportSize();
  view = fitView(frame, w, hh);
  fitScale = view.scale;
  draw();
}

function zoomBy(factor: number, sx?: number, sy?: number): void {
  const { w, h: hh } = viewportSize();
  view = zoomAt(view, factor, sx ?? w / 2, sy ?? hh / 2, fitScale);
  draw();
}

// ---------------------------------------------------------------- specimens
/** The tolerance in force: this view's field, else the setting (value 0: the 10% rule). */
function reviewTolerance(): ReviewTolerance {
  return viewTolerance ?? { value: settings.reviewTolerance ?? 0, unit: settings.reviewToleranceUnit ?? 'px' };
}

function byTolerance(f: ReviewFlags | ToleranceFlags): f is ToleranceFlags {
  return 'tolerance' in f;
}

/** Why a landmark is flagged, for tooltips. */
function landmarkFlagReason(): string {
  return byTolerance(flags) ? `its doubt bound is above the tolerance of ${flags.tolerance.value} ${flags.tolerance.unit}` : 'among the 10% most doubtful landmarks of this file';
}

function refreshFlags(): void {
  const tol = reviewTolerance();
  flags = reviewFlagsFor(
    specimens.map((s) => ({ confidence: s.confidence, doubtPx: s.doubtPx, ...(s.scale !== undefined ? { scale: s.scale } : {}) })),
    tol,
  );
  const predicted = specimens.some((s) => s.confidence !== undefined || s.doubtPx !== undefined);
  reviewBox.hidden = !predicted;
  btnReview.hidden = !predicted;
  if (document.activeElement !== toleranceInput) toleranceInput.value = tol.value > 0 ? String(tol.value) : '';
  toleranceUnit.value = tol.unit;
  reviewSummary.textContent = byTolerance(flags) ? toleranceSummary(flags) : predicted ? `${new Set([...flags.specimens, ...flags.landmarks.keys()]).size} of ${specimens.length} specimens flagged (10% rule)` : '';
  doubtHeader.hidden = !predicted;
  if (!predicted) reviewOrder = false;
}

/** Specimen indices in the order the list shows them. */
function listOrder(): number[] {
  const idx = specimens.map((_, i) => i);
  if (!reviewOrder) return idx;
  const c = (i: number): number => specimens[i].confidence ?? Number.POSITIVE_INFINITY;
  const byConfidence = (a: number, b: number): number => (c(a) === c(b) ? a - b : c(a) < c(b) ? -1 : 1);
  if (!byTolerance(flags)) return idx.sort(byConfidence);
  // By tolerance: the flagged specimens first (largest bound first), then the others by confidence.
  const flagged = new Set(flags.specimens);
  return [...flags.specimens, ...idx.filter((i) => !flagged.has(i)).sort(byConfidence)];
}

/** The specimen `delta` places from the current one in the list's order. */
function stepSpecimen(delta: number): void {
  const order = listOrder();
  const k = order.indexOf(current);
  const next = order[Math.max(0, Math.min(order.length - 1, k + delta))];
  if (next !== undefined) showSpecimen(next);
}

function setReviewOrder(on: boolean): void {
  reviewOrder = on;
  btnReview.setAttribute('aria-pressed', String(on));
  btnReview.classList.toggle('active', on);
  renderSpecimenList();
  draw();
  report();
}

function showSpecimen(index: number, options: { keepSelection?: boolean } = {}): void {
  if (specimens.length === 0) return;
  const next = Math.max(0, Math.min(specimens.length - 1, index));
  const changed = next !== current;
  current = next;
  if (changed || !options.keepSelection) selected = options.keepSelection ? selected : null;
  if (changed) {
    placing = null;
    pendingAdd = null;
    renderConfirm();
  }
  note = '';
  imageError = '';
  saveState();
  post({ type: 'selected', specimen: current });
  requestImage(current);
  requestImage(current + 1);
  requestImage(current - 1);
  renderSpecimenList();
  renderLandmarkTable();
  applyImage();
  report();
}

function requestImage(index: number): void {
  if (index < 0 || index >= specimens.length || requested.has(index)) return;
  requested.add(index);
  post({ type: 'requestImage', specimen: index });
}

/** Warms the browser's cache for a neighbour's photo so next/previous is instant. */
function prefetch(info: ImageInfo): void {
  if (!info.src || Math.abs(info.specimen - current) !== 1) return;
  const img = new Image();
  img.src = info.src;
  void img.decode().catch(() => undefined);
}

function applyImage(): void {
  const info = images.get(current);
  const frame = frameOf(current);
  if (!info || !frame) {
    photo.hidden = true;
    blank.hidden = true;
    notice.hidden = true;
    loading = true;
    draw();
    return;
  }
  const key = `${frame.blank ? 'blank' : 'photo'}:${frame.x0},${frame.y0},${frame.width}x${frame.height}`;
  if (info.src && !imageError) {
    if (photo.getAttribute('src') !== info.src) {
      loadedSrc = '';
      srcSetAt = performance.now();
      imageLoadMs = undefined;
      photo.src = info.src;
    }
    photo.hidden = false;
    blank.hidden = true;
    photo.style.width = `${frame.width}px`;
    photo.style.height = `${frame.height}px`;
    notice.hidden = true;
    loading = loadedSrc !== info.src;
  } else {
    photo.hidden = true;
    photo.removeAttribute('src');
    loadedSrc = '';
    blank.hidden = false;
    blank.style.width = `${frame.width}px`;
    blank.style.height = `${frame.height}px`;
    loading = false;
    notice.hidden = false;
    notice.textContent = `${imageError || info.problem || 'No photo.'} Landmarks are drawn on a blank canvas.`;
  }
  if (key !== viewFrameKey) {
    viewFrameKey = key;
    fit();
  } else draw();
  pendingFrame.splice(0).forEach((p) => (p.specimen === current ? p.run() : pendingFrame.push(p)));
}

photo.addEventListener('load', () => {
  loadedSrc = photo.getAttribute('src') ?? '';
  imageLoadMs = Math.round(performance.now() - srcSetAt);
  loading = false;
  draw();
  report();
});
photo.addEventListener('error', () => {
  if (!photo.getAttribute('src')) return;
  imageError = `The photo could not be decoded by the browser (${images.get(current)?.path ?? 'unknown file'}).`;
  post({ type: 'log', level: 'error', message: imageError });
  applyImage();
  report();
});

// ---------------------------------------------------------------- drawing
function landmarkImagePositions(frame: Frame): (TpsPoint | null)[] {
  const lms = specimens[current]?.landmarks ?? [];
  return lms.map((p, i) => {
    if (drag && drag.landmark === i) return drag.pos;
    return p ? toImage(p, frame) : null;
  });
}

/** Placing mode lasts while its landmark is selected and still missing (an undo may fill it). */
function syncModes(): void {
  if (placing !== null && (placing !== selected || slotState(current, placing) !== 'missing')) placing = null;
}

function draw(): void {
  syncModes();
  const frame = frameOf(current);
  const sp = specimens[current];
  title.textContent = sp ? `${sp.name}  (${current + 1} / ${specimens.length})` : fileName;
  const order = listOrder();
  btnPrev.disabled = order.indexOf(current) <= 0;
  btnNext.disabled = order.indexOf(current) >= order.length - 1;
  btnAdd.setAttribute('aria-pressed', String(addMode));
  btnAdd.classList.toggle('active', addMode);
  viewport.classList.toggle('add-mode', addMode || placing !== null);
  btnPlace.disabled = placing === null && (selected === null || slotState(current, selected) !== 'missing');
  btnPlace.setAttribute('aria-pressed', String(placing !== null));
  btnPlace.classList.toggle('active', placing !== null);
  btnMissing.disabled = selected === null || !sp?.landmarks[selected];
  btnDelete.disabled = selected === null;
  zoomLabel.textContent = `${Math.round(view.scale * 100)}%`;
  const transform = `translate(${view.tx}px, ${view.ty}px) scale(${view.scale})`;
  photo.style.transform = transform;
  blank.style.transform = `translate(${view.tx + (frame?.x0 ?? 0) * view.scale}px, ${view.ty + (frame?.y0 ?? 0) * view.scale}px) scale(${view.scale})`;
  photo.classList.toggle('pixelated', view.scale >= 3);
  drawMarkers(frame);
  updateStatus();
}

function drawMarkers(frame: Frame | undefined): void {
  const focusedIndex = (document.activeElement as Element | null)?.getAttribute?.('data-landmark');
  overlay.textContent = '';
  if (!frame) return;
  const r = settings.landmarkSize;
  const positions = landmarkImagePositions(frame);
  drawCurves(frame);
  const doubtful = new Set(flags.landmarks.get(current) ?? []);
  positions.forEach((p, i) => {
    if (!p) return;
    const s = imageToScreen(p, view);
    const doubt = specimens[current].doubtPx?.[i];
    const g = svg('g', {
      class: `marker${i === selected ? ' selected' : ''}${doubtful.has(i) ? ' doubtful' : ''}`,
      tabindex: '0',
      role: 'button',
      'data-landmark': String(i),
      transform: `translate(${s.x.toFixed(2)} ${s.y.toFixed(2)})`,
      'aria-label': `Landmark ${i + 1} at x ${fmt(specimens[current].landmarks[i]?.x)}, y ${fmt(specimens[current].landmarks[i]?.y)}${doubtful.has(i) ? ', flagged: check it' : ''}`,
    });
    if (doubtful.has(i) && doubt !== undefined) g.append(svg('circle', { class: 'doubt-ring', r: String(Math.max(r + 6, doubt * view.scale).toFixed(1)) }));
    g.append(
      // Shown only while the marker has the keyboard (CSS), apart from the selection's colour.
      svg('circle', { class: 'focus-ring', r: String(r + 6) }),
      svg('circle', { class: 'halo', r: String(r + 3) }),
      svg('circle', { class: 'dot', r: String(r) }),
      svg('line', { class: 'cross', x1: '-2', x2: '2', y1: '0', y2: '0' }),
      svg('line', { class: 'cross', x1: '0', x2: '0', y1: '-2', y2: '2' }),
    );
    const tip = svg('title');
    const lm = specimens[current].landmarks[i];
    tip.textContent = `Landmark ${i + 1}: x ${fmt(lm?.x)}, y ${fmt(lm?.y)}${doubtful.has(i) && doubt !== undefined ? ` (check it: the model's doubt ${Math.round(doubt)} px, ${landmarkFlagReason()})` : ''}`;
    g.append(tip);
    const label = svg('text', { class: 'label', x: String(r + 3), y: String(-r - 2) });
    label.textContent = String(i + 1);
    g.append(label);
    g.addEventListener('pointerdown', (e) => startDrag(e as PointerEvent, i));
    g.addEventListener('focus', () => {
      if (selected !== i) {
        selected = i;
        saveState();
        draw();
        renderLandmarkTable();
        (overlay.querySelector(`[data-landmark="${i}"]`) as SVGGElement | null)?.focus();
      }
    });
    overlay.append(g);
  });
  if (focusedIndex !== null && focusedIndex !== undefined) {
    (overlay.querySelector(`[data-landmark="${focusedIndex}"]`) as SVGGElement | null)?.focus({ preventScroll: true });
  }
}

/** CURVES= runs as open polylines, OUTLINES= as closed ones, each point a small dot (semilandmarks). */
function drawCurves(frame: Frame): void {
  for (const c of specimens[current]?.curves ?? []) {
    if (c.points.length === 0) continue;
    const screen = c.points.map((p) => imageToScreen(toImage(p, frame), view));
    const closed = /^OUTLINES$/i.test(c.key);
    const g = svg('g', { class: `curve${closed ? ' outline' : ''}`, 'aria-label': `${closed ? 'Outline' : 'Curve'} of ${c.points.length} points` });
    g.append(svg(closed ? 'polygon' : 'polyline', { class: 'curve-line', points: screen.map((q) => `${q.x.toFixed(1)},${q.y.toFixed(1)}`).join(' ') }));
    for (const q of screen) g.append(svg('circle', { class: 'curve-point', cx: q.x.toFixed(1), cy: q.y.toFixed(1), r: '2' }));
    overlay.append(g);
  }
}

function fmt(v: number | undefined): string {
  if (v === undefined) return '–';
  return Math.abs(v) >= 1 ? String(Number(v.toFixed(2))) : String(Number(v.toPrecision(4)));
}

/** What slot `i` of specimen `index` holds (a null slot listed in `unreadable` is not missing). */
function slotState(index: number, i: number): SlotState | null {
  const sp = specimens[index];
  if (!sp || i < 0 || i >= sp.landmarks.length) return null;
  if (sp.landmarks[i]) return 'point';
  return sp.unreadable?.includes(i) ? 'unreadable' : 'missing';
}

function slotCounts(sp: SpecimenView): { missing: number; unreadable: number } {
  const unreadable = new Set(sp.unreadable ?? []);
  const nulls = sp.landmarks.map((p, i) => (p === null ? i : -1)).filter((i) => i >= 0);
  const u = nulls.filter((i) => unreadable.has(i)).length;
  return { missing: nulls.length - u, unreadable: u };
}

function countText(sp: SpecimenView): string {
  const c = slotCounts(sp);
  const curves = sp.curves ?? [];
  const points = curves.reduce((n, cv) => n + cv.points.length, 0);
  const curveText = curves.length ? `, ${curves.length} curve${curves.length > 1 ? 's' : ''} (${points} points)` : '';
  return `${sp.landmarks.length} landmark${sp.landmarks.length === 1 ? '' : 's'}${c.missing ? `, ${c.missing} missing` : ''}${c.unreadable ? `, ${c.unreadable} unreadable` : ''}${curveText}`;
}

/** The other specimens' shared landmark count, for `index` (null when the file has no other). */
function commonCountFor(index: number): number | null {
  return commonLandmarkCount(specimens.map((s) => s.landmarks.length), index);
}

function keyFocus(): KeyFocus {
  const a = document.activeElement;
  if (!a || a === document.body) return 'other';
  if (specimenList.contains(a)) return 'list';
  if (a.closest('#overlay g.marker')) return 'marker';
  if (a === viewport) return 'photo';
  if (a.tagName === 'BUTTON') return 'button';
  return 'other';
}

function setNote(text: string): void {
  note = text;
  updateStatus();
  report();
}

function updateStatus(): void {
  const sp = specimens[current];
  statusNote.textContent = note || (loading ? 'Loading photo…' : '');
  statusNote.classList.toggle('warn', note !== '');
  if (!sp) {
    statusLeft.textContent = '';
    statusKeys.textContent = '';
    return;
  }
  const state = selected !== null ? slotState(current, selected) : null;
  const lm = selected !== null ? sp.landmarks[selected] : undefined;
  const n = selected !== null ? selected + 1 : 0;
  const sel =
    placing !== null
      ? `Placing landmark ${placing + 1}: click on the ${frameWord()} to place it (Esc cancels)`
      : addMode
        ? `Add mode: click on the ${frameWord()} to add landmark ${sp.landmarks.length + 1} (Esc leaves)`
        : selected === null
          ? 'No landmark selected'
          : lm
            ? `Landmark ${n}: x ${fmt(lm.x)}, y ${fmt(lm.y)} (TPS)`
            : state === 'unreadable'
              ? `Landmark ${n} is unreadable in the file: fix its row in the text view (Open as text)`
              : `Landmark ${n} is missing: press P or Enter to place it`;
  const common = commonCountFor(current);
  const odd = common !== null && sp.landmarks.length !== common ? ` ⚠ the other specimens have ${common}` : '';
  statusLeft.textContent = `${countText(sp)}${odd} · ${sel}`;
  const focus = keyFocus();
  const marker = focus === 'marker' ? (document.activeElement as Element).closest('#overlay g.marker') : null;
  statusKeys.textContent = keyboardHint({
    focus,
    hasFocus: document.hasFocus(),
    selected,
    selectedState: state,
    placing,
    adding: addMode ? sp.landmarks.length + 1 : null,
    asking: pendingAdd ? pendingAdd.accept : null,
    nextMarker: !!marker?.nextElementSibling,
    markers: overlay.querySelector('g.marker') !== null,
    ...(focus === 'button' ? { button: (document.activeElement as HTMLElement).textContent ?? '' } : {}),
  });
}

/** "photo", or "canvas" when the photo is missing (landmarks are then drawn on a blank canvas). */
function frameWord(): string {
  return frameOf(current)?.blank ? 'canvas' : 'photo';
}

/** The status line as a person reads it (for the render report). */
function statusText(): string {
  return [confirmBox.hidden ? statusLeft : confirmText, statusNote, statusKeys]
    .map((e) => e.textContent ?? '')
    .filter((t) => t !== '')
    .join(' | ');
}

/** Above this many specimens the list draws only the rows in view (files of thousands). */
const WINDOWED_LIST_FROM = 1000;
/** Row height of the windowed list, px (fixed so a row's place is its index times this). */
const LIST_ROW_PX = 20;
let listScrollPending = false;

function specimenRow(i: number, flagged: ReadonlySet<number>, top?: number): HTMLElement {
  const s = specimens[i];
  const c = slotCounts(s);
  const info = images.get(i);
  const why = [
    ...(flagged.has(i) && !byTolerance(flags) ? [`confidence ${s.confidence?.toFixed(2)}: among the 10% least confident predictions of this file`] : []),
    ...(flags.landmarks.has(i)
      ? [`landmark${flags.landmarks.get(i)!.length === 1 ? '' : 's'} ${flags.landmarks.get(i)!.map((j) => j + 1).join(', ')} ${byTolerance(flags) ? `above the tolerance of ${flags.tolerance.value} ${flags.tolerance.unit}` : 'among the 10% most doubtful'}`]
      : []),
  ];
  const li = h('li', { id: `specimen-${i}`, role: 'option', 'aria-selected': String(i === current), 'data-specimen': String(i), class: i === current ? 'current' : '' }, [
    h('span', { class: 'num' }, [String(i + 1)]),
    h('span', { class: 'name', title: s.imageField ?? s.name }, [s.name]),
    h('span', { class: 'count', title: countText(s) }, [`${s.landmarks.length}${c.missing ? ` (${c.missing}?)` : ''}${c.unreadable ? ` ⚠${c.unreadable}` : ''}`]),
    ...(info && !info.src ? [h('span', { class: 'badge', title: info.problem ?? 'no photo' }, ['no photo'])] : []),
    ...(why.length ? [h('span', { class: 'badge check', title: why.join('; ') }, ['check'])] : []),
  ]);
  if (top !== undefined) {
    li.classList.add('windowed');
    li.style.top = `${top}px`;
  }
  li.addEventListener('click', () => showSpecimen(i));
  return li;
}

function renderSpecimenList(): void {
  specimenCount.textContent = `${specimens.length} specimen${specimens.length === 1 ? '' : 's'}`;
  specimenList.textContent = '';
  // A Set: a file of 20,000 specimens must not cost 20,000 x 20,000 look-ups.
  const flagged = new Set(flags.specimens);
  const order = listOrder();
  if (order.length >= WINDOWED_LIST_FROM) {
    renderSpecimenWindow(order, flagged, true);
    return;
  }
  specimenList.classList.remove('windowed');
  specimenList.append(...order.map((i) => specimenRow(i, flagged)));
  specimenList.setAttribute('aria-activedescendant', `specimen-${current}`);
  // The first specimen is in view already: scrolling to it would lay out the list for nothing.
  if (current > 0) document.getElementById(`specimen-${current}`)?.scrollIntoView({ block: 'nearest' });
}

/**
 * A long list as a window: a spacer as tall as every row, and only the rows in view (and the
 * current one, which the list's aria-activedescendant names) as elements.
 */
function renderSpecimenWindow(order: readonly number[], flagged: ReadonlySet<number>, reveal: boolean): void {
  specimenList.classList.add('windowed');
  const pos = order.indexOf(current);
  const height = specimenList.clientHeight || 600;
  let scrollTop = specimenList.scrollTop;
  if (reveal && pos >= 0) {
    const top = pos * LIST_ROW_PX;
    if (top < scrollTop || top + LIST_ROW_PX > scrollTop + height) scrollTop = Math.max(0, top - height / 2);
  }
  const first = Math.max(0, Math.floor(scrollTop / LIST_ROW_PX) - 10);
  const last = Math.min(order.length, Math.ceil((scrollTop + height) / LIST_ROW_PX) + 10);
  const rows = new Set<number>();
  for (let k = first; k < last; k++) rows.add(k);
  if (pos >= 0) rows.add(pos);
  const spacer = h('li', { class: 'spacer', 'aria-hidden': 'true' }, []);
  spacer.style.height = `${order.length * LIST_ROW_PX}px`;
  specimenList.textContent = '';
  specimenList.append(spacer, ...[...rows].map((k) => specimenRow(order[k], flagged, k * LIST_ROW_PX)));
  // Only now, with the spacer back: emptying the list had clamped its scroll position to 0.
  if (specimenList.scrollTop !== scrollTop) specimenList.scrollTop = scrollTop;
  specimenList.setAttribute('aria-activedescendant', `specimen-${current}`);
}

specimenList.addEventListener('scroll', () => {
  if (!specimenList.classList.contains('windowed') || listScrollPending) return;
  listScrollPending = true;
  requestAnimationFrame(() => {
    listScrollPending = false;
    renderSpecimenWindow(listOrder(), new Set(flags.specimens), false);
  });
});

function renderLandmarkTable(): void {
  const sp = specimens[current];
  landmarkTable.textContent = '';
  if (!sp) return;
  sp.landmarks.forEach((p, i) => {
    const state = slotState(current, i);
    const tr = h('tr', { class: `${i === selected ? 'selected' : ''}${state === 'point' ? '' : ` ${state}`}`, 'data-landmark': String(i) }, [
      h('td', {}, [String(i + 1)]),
      // Unreadable is not missing: the row is in the file but cannot be read; the text view fixes it.
      state === 'unreadable'
        ? h('td', { colspan: '2', title: 'The row of this landmark in the file cannot be read: fix it in the text view (Open as text)' }, ['⚠ unreadable'])
        : h('td', {}, [p ? fmt(p.x) : 'missing']),
      ...(state === 'unreadable' ? [] : [h('td', {}, [p ? fmt(p.y) : ''])]),
      ...(doubtHeader.hidden ? [] : [doubtCell(sp.doubtPx?.[i], flags.landmarks.get(current)?.includes(i) ?? false)]),
    ]);
    tr.addEventListener('click', () => selectLandmark(i, true));
    landmarkTable.append(tr);
  });
}

/** The doubt column: a flag for landmarks to check, a tick for corrected ones; the value in the tooltip. */
function doubtCell(v: number | undefined, flagged: boolean): HTMLElement {
  if (v === undefined) return h('td', { class: 'doubt' }, ['']);
  if (v < 0 || Object.is(v, -0)) return h('td', { class: 'doubt checked', title: `corrected by hand (the model's doubt was ${Math.round(-v)} px)` }, ['✓']);
  return h('td', { class: `doubt${flagged ? ' flagged' : ''}`, title: `the model's doubt: ${Math.round(v)} px${flagged ? ` (${landmarkFlagReason()}: check it)` : ''}` }, [flagged ? '⚑' : '']);
}

function selectLandmark(i: number | null, focus: boolean): void {
  selected = i;
  note = '';
  saveState();
  // Focus before drawing: drawMarkers gives a focused marker its focus back, and a marker that
  // gets the focus selects itself (Escape on a focused marker would select it again). A missing
  // landmark has no marker: the photo takes the keys then (P, Enter, arrows).
  const marker = i !== null ? (overlay.querySelector(`[data-landmark="${i}"]`) as SVGGElement | null) : null;
  const focusedMarker = (document.activeElement as Element | null)?.closest('#overlay g.marker') ?? null;
  if (focus || (focusedMarker !== null && focusedMarker !== marker)) (marker ?? viewport).focus({ preventScroll: true });
  draw();
  renderLandmarkTable();
  report();
}

function setAddMode(on: boolean): void {
  addMode = on;
  if (on) placing = null;
  note = '';
  draw();
  report();
}

/** Enters (or leaves) placing mode for the selected landmark; only a missing one can be placed. */
function setPlacing(on: boolean): void {
  if (on) {
    const state = selected !== null ? slotState(current, selected) : null;
    if (selected === null || state === 'point' || state === null) {
      setNote('P places a missing landmark: select one in the landmark table first (M marks the selected landmark missing)');
      return;
    }
    if (state === 'unreadable') {
      setNote(`Landmark ${selected + 1} is unreadable in the file: fix its row in the text view (Open as text)`);
      return;
    }
    placing = selected;
    addMode = false;
  } else placing = null;
  note = '';
  draw();
  report();
}

// ---------------------------------------------------------------- reporting
let reportTimer: ReturnType<typeof setTimeout> | undefined;
/** The status line in the last report posted (a focus change that alters it posts a new one). */
let lastReportedStatus = '';
/** Posts what was drawn once the drawing settles (after loads, edits, zooms). */
function report(): void {
  if (reportTimer) clearTimeout(reportTimer);
  reportTimer = setTimeout(() => {
    reportTimer = undefined;
    const frame = frameOf(current);
    const sp = specimens[current];
    if (specimens.length === 0) {
      // A file with no specimen (garbage, an empty file) still says what it drew: nothing, and why.
      post({ type: 'rendered', report: emptyReport() });
      return;
    }
    if (!frame || !sp) return;
    const info = images.get(current);
    const imageLoaded = !!info?.src && !imageError && loadedSrc === info.src && photo.complete && photo.naturalWidth > 0;
    if (info?.src && !imageError && !imageLoaded) return; // the load event reports
    const positions = landmarkImagePositions(frame).map((p) => (p ? { x: p.x, y: p.y } : null));
    const counts = slotCounts(sp);
    const r: RenderReport = {
      specimen: current,
      landmarks: sp.landmarks.length,
      drawn: overlay.querySelectorAll('g.marker').length,
      missing: counts.missing,
      unreadable: sp.landmarks.map((_, i) => i).filter((i) => slotState(current, i) === 'unreadable'),
      curves: overlay.querySelectorAll('g.curve').length,
      curvePoints: overlay.querySelectorAll('g.curve circle.curve-point').length,
      imageLoaded,
      imageWidth: imageLoaded ? photo.naturalWidth : frame.width,
      imageHeight: imageLoaded ? photo.naturalHeight : frame.height,
      positions,
      zoom: view.scale,
      markerRadius: settings.landmarkSize,
      selectedLandmark: selected,
      placing,
      adding: addMode,
      ...(pendingAdd ? { confirm: pendingAdd.question } : {}),
      status: statusText(),
      layout: {
        viewport: screenBox(viewport),
        notice: notice.hidden ? null : screenBox(notice),
        banner: banner.hidden ? null : screenBox(banner),
        markers: positions.map((_, i) => {
          const ring = overlay.querySelector(`g.marker[data-landmark="${i}"] circle.halo`);
          return ring ? screenBox(ring) : null;
        }),
      },
      doubtful: [...(flags.landmarks.get(current) ?? [])],
      listOrder: listOrder(),
      ...(byTolerance(flags)
        ? { review: { tolerance: flags.tolerance.value, unit: flags.tolerance.unit, flagged: flags.specimens.length, compared: flags.compared, text: reviewSummary.textContent ?? '' } }
        : {}),
      ...(frame.blank ? { problem: notice.textContent ?? 'no photo' } : {}),
      timing: { sinceStartMs: Math.round(performance.now() - scriptStart), ...(imageLoaded && imageLoadMs !== undefined ? { imageLoadMs } : {}) },
    };
    lastReportedStatus = r.status;
    post({ type: 'rendered', report: r });
  }, 30);
}

function emptyReport(): RenderReport {
  return {
    specimen: -1,
    landmarks: 0,
    drawn: 0,
    missing: 0,
    unreadable: [],
    curves: 0,
    curvePoints: 0,
    imageLoaded: false,
    imageWidth: 0,
    imageHeight: 0,
    positions: [],
    zoom: view.scale,
    markerRadius: settings.landmarkSize,
    selectedLandmark: null,
    placing: null,
    adding: false,
    status: statusText(),
    layout: { viewport: screenBox(viewport), notice: null, banner: banner.hidden ? null : screenBox(banner), markers: [] },
    doubtful: [],
    listOrder: [],
    problem: problems.length ? problems.join(' ') : 'this file has no specimen',
  };
}

function screenBox(el: Element): ScreenBox {
  const b = el.getBoundingClientRect();
  const r2 = (v: number) => Math.round(v * 100) / 100;
  return { x: r2(b.x), y: r2(b.y), width: r2(b.width), height: r2(b.height) };
}

// ---------------------------------------------------------------- edits
function postEdit(edit: LandmarkEdit): void {
  note = '';
  post({ type: 'edit', edit });
}

function commitMove(specimen: number, landmark: number, imagePoint: TpsPoint): void {
  const frame = frameOf(specimen);
  if (!frame) return;
  const t = toTps(imagePoint, frame);
  const to = { x: roundCoord(t.x, frame), y: roundCoord(t.y, frame) };
  const from = specimens[specimen]?.landmarks[landmark] ?? null;
  postEdit({ kind: 'move', specimen, index: landmark, from, to });
}

function commitAdd(specimen: number, imagePoint: TpsPoint): void {
  const frame = frameOf(specimen);
  const sp = specimens[specimen];
  if (!frame || !sp) return;
  const t = toTps(imagePoint, frame);
  const index = sp.landmarks.length;
  postEdit({ kind: 'add', specimen, index, point: { x: roundCoord(t.x, frame), y: roundCoord(t.y, frame) } });
  selected = index;
  saveState();
}

/**
 * An add as the user asks for it: on the photo only, and, when it would give the specimen more
 * landmarks than the file's other specimens have (tpsDig2 files share one count), only after a
 * yes in the status bar (Enter / Add), asked once per specimen.
 */
function requestAdd(specimen: number, imagePoint: TpsPoint): void {
  const frame = frameOf(specimen);
  const sp = specimens[specimen];
  if (!frame || !sp) return;
  if (!insideFrame(imagePoint, frame)) {
    setNote(`Outside the ${frame.blank ? 'canvas' : 'photo'}: nothing added; click on the ${frame.blank ? 'canvas' : 'photo'}`);
    return;
  }
  const common = commonCountFor(specimen);
  const count = sp.landmarks.length + 1;
  if (common !== null && count > common && !extraAllowed.has(specimen)) {
    const others = specimens.length - 1;
    const sharing = specimens.filter((s, i) => i !== specimen && s.landmarks.length === common).length;
    const who = sharing === others ? (others === 1 ? 'the other specimen has' : `the other ${others} have`) : `most others (${sharing} of ${others}) have`;
    pendingAdd = {
      specimen,
      point: imagePoint,
      question: `This specimen would have ${count} landmarks; ${who} ${common}.`,
      accept: `add landmark ${count}`,
    };
    btnConfirm.textContent = `Add landmark ${count}`;
    renderConfirm();
    draw();
    report();
    return;
  }
  commitAdd(specimen, imagePoint);
}

function acceptAdd(): void {
  const p = pendingAdd;
  if (!p) return;
  pendingAdd = null;
  extraAllowed.add(p.specimen);
  renderConfirm();
  commitAdd(p.specimen, p.point);
  draw();
  report();
}

function cancelAdd(): void {
  if (!pendingAdd) return;
  pendingAdd = null;
  renderConfirm();
  setNote('Not added');
  draw();
}

function renderConfirm(): void {
  confirmBox.hidden = pendingAdd === null;
  statusLeft.hidden = pendingAdd !== null;
  confirmText.textContent = pendingAdd ? `⚠ ${pendingAdd.question}` : '';
}

function markMissing(): void {
  const sp = specimens[current];
  if (selected === null || !sp || !sp.landmarks[selected]) return;
  postEdit({ kind: 'setMissing', specimen: current, index: selected, previous: sp.landmarks[selected] });
}

function deleteSelected(): void {
  const sp = specimens[current];
  if (selected === null || !sp || selected >= sp.landmarks.length) return;
  const index = selected;
  postEdit({ kind: 'delete', specimen: current, index, previous: sp.landmarks[index] });
  selected = sp.landmarks.length > 1 ? Math.min(index, sp.landmarks.length - 2) : null;
  saveState();
}

function nudge(dx: number, dy: number): void {
  const sp = specimens[current];
  const frame = frameOf(current);
  if (selected === null || !sp || !frame) return;
  const p = sp.landmarks[selected];
  if (!p) return;
  const img = toImage(p, frame);
  commitMove(current, selected, { x: img.x + dx, y: img.y + dy });
}

// ---------------------------------------------------------------- pointer input
function localPoint(e: MouseEvent): TpsPoint {
  const r = viewport.getBoundingClientRect();
  return { x: e.clientX - r.left, y: e.clientY - r.top };
}

function startDrag(e: PointerEvent, landmark: number): void {
  if (e.button !== 0) return;
  e.stopPropagation();
  e.preventDefault();
  const frame = frameOf(current);
  const p = specimens[current]?.landmarks[landmark];
  if (!frame || !p) return;
  selected = landmark;
  saveState();
  const at = toImage(p, frame);
  const s = localPoint(e);
  const pointer = screenToImage(s, view);
  drag = { landmark, pointerId: e.pointerId, pos: at, moved: false, start: s, grab: { x: at.x - pointer.x, y: at.y - pointer.y } };
  viewport.setPointerCapture(e.pointerId);
  renderLandmarkTable();
  draw();
  (overlay.querySelector(`[data-landmark="${landmark}"]`) as SVGGElement | null)?.focus({ preventScroll: true });
}

/**
 * What a left click on the photo at image point `img` does before any pan: places the landmark
 * being placed, or adds one (add mode, Ctrl/Cmd+click). A click outside the photo never edits.
 * Returns false when the click is an ordinary one (pan, and on release `stillClick`).
 */
function photoClick(img: TpsPoint, add: boolean): boolean {
  const frame = frameOf(current);
  const sp = specimens[current];
  if (!frame || !sp) return false;
  if (pendingAdd) {
    setNote(`Answer first: Enter ${pendingAdd.accept}, Esc cancels`);
    return true;
  }
  if (placing !== null) {
    if (!insideFrame(img, frame)) {
      setNote(`Outside the ${frame.blank ? 'canvas' : 'photo'}: not placed; click on the ${frame.blank ? 'canvas' : 'photo'} to place landmark ${placing + 1}`);
      return true;
    }
    const i = placing;
    placing = null;
    commitMove(current, i, img);
    return true;
  }
  if (addMode || add) {
    requestAdd(current, img);
    return true;
  }
  return false;
}

/** A click on the photo that did not drag: deselects, except a missing landmark (says how to place it). */
function stillClick(): void {
  const state = selected !== null ? slotState(current, selected) : null;
  if (selected !== null && state === 'missing') setNote(`Not placed: press P or Enter, then click, to place landmark ${selected + 1}`);
  else if (selected !== null && state === 'unreadable') setNote(`Landmark ${selected + 1} is unreadable in the file: fix its row in the text view (Open as text)`);
  else if (selected !== null) selectLandmark(null, false);
}

viewport.addEventListener('pointerdown', (e) => {
  if (e.button !== 0 && e.button !== 1) return;
  const frame = frameOf(current);
  if (!frame) return;
  const s = localPoint(e);
  const img = screenToImage(s, view);
  if (e.button === 0 && photoClick(img, e.ctrlKey || e.metaKey)) {
    e.preventDefault();
    viewport.focus({ preventScroll: true }); // Enter/Esc answer what the click asked
    return;
  }
  pan = { pointerId: e.pointerId, x: e.clientX, y: e.clientY, tx: view.tx, ty: view.ty };
  viewport.setPointerCapture(e.pointerId);
  viewport.classList.add('panning');
  viewport.focus({ preventScroll: true });
});

viewport.addEventListener('pointermove', (e) => {
  const s = localPoint(e);
  const frame = frameOf(current);
  if (frame) {
    const img = screenToImage(s, view);
    const t = toTps(img, frame);
    statusRight.textContent = `x ${fmt(t.x)}  y ${fmt(t.y)}`;
  }
  if (drag && e.pointerId === drag.pointerId) {
    if (!drag.moved && Math.hypot(s.x - drag.start.x, s.y - drag.start.y) < DRAG_THRESHOLD_PX) return;
    const pointer = screenToImage(s, view);
    drag.pos = { x: pointer.x + drag.grab.x, y: pointer.y + drag.grab.y };
    drag.moved = true;
    draw();
  } else if (pan && e.pointerId === pan.pointerId) {
    view = { ...view, tx: pan.tx + e.clientX - pan.x, ty: pan.ty + e.clientY - pan.y };
    draw();
  }
});

function endPointer(e: PointerEvent, cancelled: boolean): void {
  if (drag && e.pointerId === drag.pointerId) {
    const d = drag;
    drag = null;
    if (d.moved && !cancelled) commitMove(current, d.landmark, d.pos);
    else draw();
  }
  if (pan && e.pointerId === pan.pointerId) {
    const still = Math.hypot(e.clientX - pan.x, e.clientY - pan.y) < 3;
    pan = null;
    viewport.classList.remove('panning');
    if (still && !cancelled) stillClick();
    report();
  }
}
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
  const frame = frameOf(current);
  if (!frame) return;
  // Keep fitted views fitted when the panel is resized.
  if (Math.abs(view.scale - fitScale) < 1e-9) fit();
  else draw();
}).observe(viewport);

// ---------------------------------------------------------------- keyboard
function onKey(e: KeyboardEvent): boolean {
  const target = e.target as Element | null;
  if (target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT')) return false;
  if (e.ctrlKey || e.metaKey || e.altKey) return false; // leave Ctrl+Z, Ctrl+S... to VS Code
  const step = e.shiftKey ? 10 : 1;
  // A question in the status bar takes Enter and Escape first, wherever the focus is.
  if (pendingAdd && e.key === 'Enter') {
    acceptAdd();
    return true;
  }
  if (pendingAdd && e.key === 'Escape') {
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
      if (btnReview.hidden) return false;
      setReviewOrder(!reviewOrder);
      return true;
    case 'ArrowLeft':
    case 'ArrowRight':
    case 'ArrowUp':
    case 'ArrowDown': {
      const dx = e.key === 'ArrowLeft' ? -step : e.key === 'ArrowRight' ? step : 0;
      const dy = e.key === 'ArrowUp' ? -step : e.key === 'ArrowDown' ? step : 0;
      if (target === specimenList) {
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
      setAddMode(!addMode);
      return true;
    case 'p':
    case 'P':
      setPlacing(placing === null);
      return true;
    case 'Enter':
      // Enter on a selected missing landmark starts placing it; elsewhere Enter is not ours.
      if (placing !== null || selected === null || slotState(current, selected) !== 'missing') return false;
      setPlacing(true);
      return true;
    case 'Escape':
      if (placing !== null) setPlacing(false);
      else if (addMode) setAddMode(false);
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

document.addEventListener('keydown', (e) => {
  if ((e.target as Element | null)?.tagName === 'BUTTON' && (e.key === 'Enter' || e.key === ' ')) return;
  if (onKey(e)) e.preventDefault();
});

// The status line says what the keys do where the focus is: follow the focus.
function focusChanged(): void {
  updateStatus();
  if (statusText() !== lastReportedStatus) report();
}
document.addEventListener('focusin', focusChanged);
// After a focusout the new focus is not known yet (or there is none): look once it settled.
document.addEventListener('focusout', () => setTimeout(focusChanged, 0));
window.addEventListener('focus', focusChanged);
window.addEventListener('blur', focusChanged);

// ---------------------------------------------------------------- host messages
function saveState(): void {
  const s: SavedState = { current, selectedLandmark: selected, ...(viewTolerance ? { tolerance: viewTolerance } : {}) };
  vscode.setState(s);
}

function renderProblems(): void {
  banner.hidden = problems.length === 0;
  banner.textContent = problems.length ? `${problems.length} problem${problems.length === 1 ? '' : 's'} in ${fileName}: ${problems.slice(0, 3).join(' · ')}${problems.length > 3 ? ' …' : ''}` : '';
}

function runTestAction(action: TestAction): void {
  switch (action.kind) {
    case 'move':
    case 'add':
    case 'click': {
      const specimen = action.kind === 'click' ? (action.specimen ?? current) : action.specimen;
      const point = { x: action.x, y: action.y };
      const run = (): void => {
        if (action.kind === 'move') commitMove(specimen, action.landmark, point);
        else if (action.kind === 'add') requestAdd(specimen, point);
        else {
          if (!photoClick(point, !!action.ctrlKey)) stillClick();
          report();
        }
      };
      // A click, or an add that may ask first, happens on the specimen shown: show it first.
      if (frameOf(specimen) && (action.kind === 'move' || specimen === current)) run();
      else {
        pendingFrame.push({ specimen, run });
        showSpecimen(specimen);
      }
      return;
    }
    case 'key': {
      const target = document.activeElement ?? document.body;
      target.dispatchEvent(new KeyboardEvent('keydown', { key: action.key, shiftKey: !!action.shiftKey, ctrlKey: !!action.ctrlKey, bubbles: true, cancelable: true }));
      return;
    }
  }
}

window.addEventListener('message', (event: MessageEvent<HostToWebview>) => {
  const m = event.data;
  switch (m.type) {
    case 'init': {
      fileName = m.fileName;
      specimens = m.specimens;
      settings = m.settings;
      problems = m.problems;
      const saved = vscode.getState() as SavedState | undefined;
      viewTolerance = saved?.tolerance && Number.isFinite(saved.tolerance.value) ? saved.tolerance : undefined;
      refreshFlags();
      const start = saved && saved.current >= 0 && saved.current < specimens.length ? saved.current : m.selected;
      current = Math.max(0, Math.min(specimens.length - 1, start));
      selected = saved && saved.current === current ? saved.selectedLandmark : null;
      renderProblems();
      if (specimens.length === 0) {
        notice.hidden = false;
        notice.textContent = `${fileName} has no specimens.`;
        renderSpecimenList();
        draw();
        report();
        return;
      }
      showSpecimen(current, { keepSelection: true });
      return;
    }
    case 'update': {
      specimens = m.specimens;
      problems = m.problems;
      refreshFlags();
      if (current >= specimens.length) current = Math.max(0, specimens.length - 1);
      if (selected !== null && selected >= (specimens[current]?.landmarks.length ?? 0)) selected = null;
      renderProblems();
      renderSpecimenList();
      renderLandmarkTable();
      applyImage();
      report();
      return;
    }
    case 'image': {
      images.set(m.image.specimen, m.image);
      if (m.image.specimen === current) {
        applyImage();
        renderSpecimenList();
        report();
      } else prefetch(m.image);
      return;
    }
    case 'settings':
      settings = m.settings;
      refreshFlags();
      renderSpecimenList();
      renderLandmarkTable();
      draw();
      report();
      return;
    case 'select':
      showSpecimen(m.specimen);
      if (m.landmark !== undefined) selectLandmark(m.landmark, true);
      report();
      return;
    case 'testAction':
      runTestAction(m.action);
      return;
  }
});

window.addEventListener('error', (e) => post({ type: 'log', level: 'error', message: `${e.message} (${e.filename}:${e.lineno})` }));
post({ type: 'ready' });
