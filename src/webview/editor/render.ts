/**
 * Writes the state into the page: the photo's transform, the landmark markers and curves, the
 * toolbar's buttons, the status line, the specimen list and the landmark table. Reads `state`,
 * never changes what the user is doing (except ending a placing mode that no longer applies);
 * events on what it draws are handled in input.ts (delegated, so redrawing keeps them).
 */
import type { TpsPoint } from '../../shared/tps/model';
import { svg, el } from '../common/dom';
import { frameOf, frameWord } from './frames';
import { imageToScreen, toImage, type Frame } from './geometry';
import { ui } from './layout';
import { byTolerance, landmarkFlagReason, listOrder } from './review';
import { commonCountFor, countText, fmt, slotCounts, slotState } from './slots';
import { state } from './state';
import { keyboardHint, type KeyFocus } from './status';

/** Above this many specimens the list draws only the rows in view (files of thousands). */
const WINDOWED_LIST_FROM = 1000;
/** Row height of the windowed list, px (fixed so a row's place is its index times this). */
const LIST_ROW_PX = 20;

/** Image-pixel positions of the current specimen's landmarks (a dragged one where the pointer has it). */
export function landmarkImagePositions(frame: Frame): (TpsPoint | null)[] {
  const lms = state.specimens[state.current]?.landmarks ?? [];
  return lms.map((p, i) => {
    if (state.drag && state.drag.landmark === i) return state.drag.pos;
    return p ? toImage(p, frame) : null;
  });
}

/** Placing mode lasts while its landmark is selected and still missing (an undo may fill it). */
function syncModes(): void {
  if (state.placing !== null && (state.placing !== state.selected || slotState(state.current, state.placing) !== 'missing')) state.placing = null;
}

/** The photo, its markers, the toolbar and the status line. */
export function draw(): void {
  syncModes();
  const { current, selected, placing, addMode, view } = state;
  const frame = frameOf(current);
  const sp = state.specimens[current];
  ui.title.textContent = sp ? `${sp.name}  (${current + 1} / ${state.specimens.length})` : state.fileName;
  const order = listOrder();
  ui.btnPrev.disabled = order.indexOf(current) <= 0;
  ui.btnNext.disabled = order.indexOf(current) >= order.length - 1;
  ui.btnAdd.setAttribute('aria-pressed', String(addMode));
  ui.btnAdd.classList.toggle('active', addMode);
  ui.viewport.classList.toggle('add-mode', addMode || placing !== null);
  ui.btnPlace.disabled = placing === null && (selected === null || slotState(current, selected) !== 'missing');
  ui.btnPlace.setAttribute('aria-pressed', String(placing !== null));
  ui.btnPlace.classList.toggle('active', placing !== null);
  ui.btnMissing.disabled = selected === null || !sp?.landmarks[selected];
  ui.btnDelete.disabled = selected === null;
  ui.zoomLabel.textContent = `${Math.round(view.scale * 100)}%`;
  ui.photo.style.transform = `translate(${view.tx}px, ${view.ty}px) scale(${view.scale})`;
  ui.blank.style.transform = `translate(${view.tx + (frame?.x0 ?? 0) * view.scale}px, ${view.ty + (frame?.y0 ?? 0) * view.scale}px) scale(${view.scale})`;
  ui.photo.classList.toggle('pixelated', view.scale >= 3);
  drawMarkers(frame);
  updateStatus();
}

/** The marker of landmark `i`, if drawn. */
export function markerElement(i: number): SVGGElement | null {
  return ui.overlay.querySelector(`[data-landmark="${i}"]`);
}

function drawMarkers(frame: Frame | undefined): void {
  const { overlay } = ui;
  const focusedIndex = (document.activeElement as Element | null)?.getAttribute?.('data-landmark');
  overlay.textContent = '';
  if (!frame) return;
  const r = state.settings.landmarkSize;
  const { current, selected, view } = state;
  const sp = state.specimens[current];
  const positions = landmarkImagePositions(frame);
  drawCurves(frame);
  const doubtful = new Set(state.flags.landmarks.get(current) ?? []);
  positions.forEach((p, i) => {
    if (!p) return;
    const s = imageToScreen(p, view);
    const doubt = sp.doubtPx?.[i];
    const lm = sp.landmarks[i];
    const g = svg('g', {
      class: `marker${i === selected ? ' selected' : ''}${doubtful.has(i) ? ' doubtful' : ''}`,
      tabindex: '0',
      role: 'button',
      'data-landmark': String(i),
      transform: `translate(${s.x.toFixed(2)} ${s.y.toFixed(2)})`,
      'aria-label': `Landmark ${i + 1} at x ${fmt(lm?.x)}, y ${fmt(lm?.y)}${doubtful.has(i) ? ', flagged: check it' : ''}`,
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
    tip.textContent = `Landmark ${i + 1}: x ${fmt(lm?.x)}, y ${fmt(lm?.y)}${doubtful.has(i) && doubt !== undefined ? ` (check it: the model's doubt ${Math.round(doubt)} px, ${landmarkFlagReason()})` : ''}`;
    g.append(tip);
    const label = svg('text', { class: 'label', x: String(r + 3), y: String(-r - 2) });
    label.textContent = String(i + 1);
    g.append(label);
    overlay.append(g);
  });
  // Redrawing replaced the focused marker: give its successor the focus back.
  if (focusedIndex !== null && focusedIndex !== undefined) {
    (overlay.querySelector(`[data-landmark="${focusedIndex}"]`) as SVGGElement | null)?.focus({ preventScroll: true });
  }
}

/** CURVES= runs as open polylines, OUTLINES= as closed ones, each point a small dot (semilandmarks). */
function drawCurves(frame: Frame): void {
  for (const c of state.specimens[state.current]?.curves ?? []) {
    if (c.points.length === 0) continue;
    const screen = c.points.map((p) => imageToScreen(toImage(p, frame), state.view));
    const closed = /^OUTLINES$/i.test(c.key);
    const g = svg('g', { class: `curve${closed ? ' outline' : ''}`, 'aria-label': `${closed ? 'Outline' : 'Curve'} of ${c.points.length} points` });
    g.append(svg(closed ? 'polygon' : 'polyline', { class: 'curve-line', points: screen.map((q) => `${q.x.toFixed(1)},${q.y.toFixed(1)}`).join(' ') }));
    for (const q of screen) g.append(svg('circle', { class: 'curve-point', cx: q.x.toFixed(1), cy: q.y.toFixed(1), r: '2' }));
    ui.overlay.append(g);
  }
}

function keyFocus(): KeyFocus {
  const a = document.activeElement;
  if (!a || a === document.body) return 'other';
  if (ui.specimenList.contains(a)) return 'list';
  if (a.closest('#overlay g.marker')) return 'marker';
  if (a === ui.viewport) return 'photo';
  if (a.tagName === 'BUTTON') return 'button';
  return 'other';
}

/** The status line: counts and selection, the one-off note, and what the keys do where the focus is. */
export function updateStatus(): void {
  const { current, selected, placing, addMode, note } = state;
  const sp = state.specimens[current];
  ui.statusNote.textContent = note || (state.loading ? 'Loading photo…' : '');
  ui.statusNote.classList.toggle('warn', note !== '');
  if (!sp) {
    ui.statusLeft.textContent = '';
    ui.statusKeys.textContent = '';
    return;
  }
  const slot = selected !== null ? slotState(current, selected) : null;
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
            : slot === 'unreadable'
              ? `Landmark ${n} is unreadable in the file: fix its row in the text view (Open as text)`
              : `Landmark ${n} is missing: press P or Enter to place it`;
  const common = commonCountFor(current);
  const odd = common !== null && sp.landmarks.length !== common ? ` ⚠ the other specimens have ${common}` : '';
  ui.statusLeft.textContent = `${countText(sp)}${odd} · ${sel}`;
  const focus = keyFocus();
  const marker = focus === 'marker' ? (document.activeElement as Element).closest('#overlay g.marker') : null;
  ui.statusKeys.textContent = keyboardHint({
    focus,
    hasFocus: document.hasFocus(),
    selected,
    selectedState: slot,
    placing,
    adding: addMode ? sp.landmarks.length + 1 : null,
    asking: state.pendingAdd ? state.pendingAdd.accept : null,
    nextMarker: !!marker?.nextElementSibling,
    markers: ui.overlay.querySelector('g.marker') !== null,
    ...(focus === 'button' ? { button: (document.activeElement as HTMLElement).textContent ?? '' } : {}),
  });
}

/** The status line as a person reads it (for the render report). */
export function statusText(): string {
  return [ui.confirmBox.hidden ? ui.statusLeft : ui.confirmText, ui.statusNote, ui.statusKeys]
    .map((e) => e.textContent ?? '')
    .filter((t) => t !== '')
    .join(' | ');
}

function specimenRow(i: number, flagged: ReadonlySet<number>, top?: number): HTMLElement {
  const { flags, current } = state;
  const s = state.specimens[i];
  const c = slotCounts(s);
  const info = state.images.get(i);
  const flaggedLandmarks = flags.landmarks.get(i);
  const why = [
    ...(flagged.has(i) && !byTolerance(flags) ? [`confidence ${s.confidence?.toFixed(2)}: among the 10% least confident predictions of this file`] : []),
    ...(flaggedLandmarks
      ? [`landmark${flaggedLandmarks.length === 1 ? '' : 's'} ${flaggedLandmarks.map((j) => j + 1).join(', ')} ${byTolerance(flags) ? `above the tolerance of ${flags.tolerance.value} ${flags.tolerance.unit}` : 'among the 10% most doubtful'}`]
      : []),
  ];
  const li = el(
    'li',
    { id: `specimen-${i}`, role: 'option', 'aria-selected': String(i === current), 'data-specimen': String(i), class: i === current ? 'current' : '' },
    el('span', { class: 'num' }, String(i + 1)),
    el('span', { class: 'name', title: s.imageField ?? s.name }, s.name),
    el('span', { class: 'count', title: countText(s) }, `${s.landmarks.length}${c.missing ? ` (${c.missing}?)` : ''}${c.unreadable ? ` ⚠${c.unreadable}` : ''}`),
    ...(info && !info.src ? [el('span', { class: 'badge', title: info.problem ?? 'no photo' }, 'no photo')] : []),
    ...(why.length ? [el('span', { class: 'badge check', title: why.join('; ') }, 'check')] : []),
  );
  if (top !== undefined) {
    li.classList.add('windowed');
    li.style.top = `${top}px`;
  }
  return li;
}

export function renderSpecimenList(): void {
  const { specimens, current } = state;
  const { specimenList } = ui;
  ui.specimenCount.textContent = `${specimens.length} specimen${specimens.length === 1 ? '' : 's'}`;
  specimenList.textContent = '';
  // A Set: a file of 20,000 specimens must not cost 20,000 x 20,000 look-ups.
  const flagged = new Set(state.flags.specimens);
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
export function renderSpecimenWindow(order: readonly number[], flagged: ReadonlySet<number>, reveal: boolean): void {
  const { specimenList } = ui;
  specimenList.classList.add('windowed');
  const pos = order.indexOf(state.current);
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
  const spacer = el('li', { class: 'spacer', 'aria-hidden': 'true' });
  spacer.style.height = `${order.length * LIST_ROW_PX}px`;
  specimenList.textContent = '';
  specimenList.append(spacer, ...[...rows].map((k) => specimenRow(order[k], flagged, k * LIST_ROW_PX)));
  // Only now, with the spacer back: emptying the list had clamped its scroll position to 0.
  if (specimenList.scrollTop !== scrollTop) specimenList.scrollTop = scrollTop;
  specimenList.setAttribute('aria-activedescendant', `specimen-${state.current}`);
}

export function renderLandmarkTable(): void {
  const { current, selected } = state;
  const sp = state.specimens[current];
  ui.landmarkTable.textContent = '';
  if (!sp) return;
  sp.landmarks.forEach((p, i) => {
    const slot = slotState(current, i);
    const tr = el(
      'tr',
      { class: `${i === selected ? 'selected' : ''}${slot === 'point' ? '' : ` ${slot}`}`, 'data-landmark': String(i) },
      el('td', {}, String(i + 1)),
      // Unreadable is not missing: the row is in the file but cannot be read; the text view fixes it.
      slot === 'unreadable'
        ? el('td', { colspan: '2', title: 'The row of this landmark in the file cannot be read: fix it in the text view (Open as text)' }, '⚠ unreadable')
        : el('td', {}, p ? fmt(p.x) : 'missing'),
      ...(slot === 'unreadable' ? [] : [el('td', {}, p ? fmt(p.y) : '')]),
      ...(ui.doubtHeader.hidden ? [] : [doubtCell(sp.doubtPx?.[i], state.flags.landmarks.get(current)?.includes(i) ?? false)]),
    );
    ui.landmarkTable.append(tr);
  });
}

/** The doubt column: a flag for landmarks to check, a tick for corrected ones; the value in the tooltip. */
function doubtCell(v: number | undefined, flagged: boolean): HTMLElement {
  if (v === undefined) return el('td', { class: 'doubt' }, '');
  if (v < 0 || Object.is(v, -0)) return el('td', { class: 'doubt checked', title: `corrected by hand (the model's doubt was ${Math.round(-v)} px)` }, '✓');
  return el('td', { class: `doubt${flagged ? ' flagged' : ''}`, title: `the model's doubt: ${Math.round(v)} px${flagged ? ` (${landmarkFlagReason()}: check it)` : ''}` }, flagged ? '⚑' : '');
}

/** The question in the status bar (an add beyond the file's common count), in place of the counts. */
export function renderConfirm(): void {
  const { pendingAdd } = state;
  ui.confirmBox.hidden = pendingAdd === null;
  ui.statusLeft.hidden = pendingAdd !== null;
  ui.confirmText.textContent = pendingAdd ? `⚠ ${pendingAdd.question}` : '';
}

/** The banner of problems in the file. */
export function renderProblems(): void {
  const { problems, fileName } = state;
  ui.banner.hidden = problems.length === 0;
  ui.banner.textContent = problems.length ? `${problems.length} problem${problems.length === 1 ? '' : 's'} in ${fileName}: ${problems.slice(0, 3).join(' · ')}${problems.length > 3 ? ' …' : ''}` : '';
}
