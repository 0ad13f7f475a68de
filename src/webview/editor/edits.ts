/**
 * Edits of the document, as the webview asks for them: each is posted to the host, which applies
 * it (undo/redo, save) and sends the specimens back in an `update`; nothing here changes the
 * landmarks themselves. Coordinates go out in TPS coordinates, rounded as the file writes them.
 */
import type { LandmarkEdit } from '../../shared/editing/edits';
import type { TpsPoint } from '../../shared/tps/model';
import { setNote } from './actions';
import { frameOf } from './frames';
import { insideFrame, roundCoord, toImage, toTps } from './geometry';
import { post } from './host';
import { ui } from './layout';
import { draw, renderConfirm } from './render';
import { report } from './report';
import { commonCountFor } from './slots';
import { saveState, state } from './state';

function postEdit(edit: LandmarkEdit): void {
  state.note = '';
  state.editsPosted++;
  post({ type: 'edit', edit });
}

/** Moves (or places) landmark `landmark` of `specimen` to image point `imagePoint`. */
export function commitMove(specimen: number, landmark: number, imagePoint: TpsPoint): void {
  const frame = frameOf(specimen);
  if (!frame) return;
  const t = toTps(imagePoint, frame);
  const to = { x: roundCoord(t.x, frame), y: roundCoord(t.y, frame) };
  const from = state.specimens[specimen]?.landmarks[landmark] ?? null;
  postEdit({ kind: 'move', specimen, index: landmark, from, to });
}

function commitAdd(specimen: number, imagePoint: TpsPoint): void {
  const frame = frameOf(specimen);
  const sp = state.specimens[specimen];
  if (!frame || !sp) return;
  const t = toTps(imagePoint, frame);
  const index = sp.landmarks.length;
  postEdit({ kind: 'add', specimen, index, point: { x: roundCoord(t.x, frame), y: roundCoord(t.y, frame) } });
  state.selected = index;
  saveState();
}

/**
 * An add as the user asks for it: on the photo only, and, when it would give the specimen more
 * landmarks than the file's other specimens have (tpsDig2 files share one count), only after a
 * yes in the status bar (Enter / Add), asked once per specimen.
 */
export function requestAdd(specimen: number, imagePoint: TpsPoint): void {
  const frame = frameOf(specimen);
  const { specimens } = state;
  const sp = specimens[specimen];
  if (!frame || !sp) return;
  if (!insideFrame(imagePoint, frame)) {
    setNote(`Outside the ${frame.blank ? 'canvas' : 'photo'}: nothing added; click on the ${frame.blank ? 'canvas' : 'photo'}`);
    return;
  }
  const common = commonCountFor(specimen);
  const count = sp.landmarks.length + 1;
  if (common !== null && count > common && !state.extraAllowed.has(specimen)) {
    const others = specimens.length - 1;
    const sharing = specimens.filter((s, i) => i !== specimen && s.landmarks.length === common).length;
    const who = sharing === others ? (others === 1 ? 'the other specimen has' : `the other ${others} have`) : `most others (${sharing} of ${others}) have`;
    state.pendingAdd = {
      specimen,
      point: imagePoint,
      question: `This specimen would have ${count} landmarks; ${who} ${common}.`,
      accept: `add landmark ${count}`,
    };
    ui.btnConfirm.textContent = `Add landmark ${count}`;
    renderConfirm();
    draw();
    report();
    return;
  }
  commitAdd(specimen, imagePoint);
}

export function acceptAdd(): void {
  const p = state.pendingAdd;
  if (!p) return;
  state.pendingAdd = null;
  state.extraAllowed.add(p.specimen);
  renderConfirm();
  commitAdd(p.specimen, p.point);
  draw();
  report();
}

export function cancelAdd(): void {
  if (!state.pendingAdd) return;
  state.pendingAdd = null;
  renderConfirm();
  setNote('Not added');
  draw();
}

export function markMissing(): void {
  const { selected, current } = state;
  const sp = state.specimens[current];
  if (selected === null || !sp || !sp.landmarks[selected]) return;
  postEdit({ kind: 'setMissing', specimen: current, index: selected, previous: sp.landmarks[selected] });
}

export function deleteSelected(): void {
  const { selected, current } = state;
  const sp = state.specimens[current];
  if (selected === null || !sp || selected >= sp.landmarks.length) return;
  const index = selected;
  postEdit({ kind: 'delete', specimen: current, index, previous: sp.landmarks[index] });
  state.selected = sp.landmarks.length > 1 ? Math.min(index, sp.landmarks.length - 2) : null;
  saveState();
}

/** Moves the selected landmark by (dx, dy) image pixels. */
export function nudge(dx: number, dy: number): void {
  const { selected, current } = state;
  const sp = state.specimens[current];
  const frame = frameOf(current);
  if (selected === null || !sp || !frame) return;
  const p = sp.landmarks[selected];
  if (!p) return;
  const img = toImage(p, frame);
  commitMove(current, selected, { x: img.x + dx, y: img.y + dy });
}
