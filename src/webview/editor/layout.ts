/**
 * The editor's page: builds every element once, in place, and names them for the other modules
 * (`ui`). Only structure and static texts here; what the elements do is wired in input.ts and
 * what they show is written by render.ts.
 */
import { el, svg } from '../common/dom';

function button(label: string, tip: string, id?: string): HTMLButtonElement {
  return el('button', { type: 'button', title: tip, 'aria-label': tip, ...(id ? { id } : {}) }, label);
}

const app = document.getElementById('app') as HTMLElement;
app.textContent = '';
app.removeAttribute('data-loading');

const toleranceInput = el('input', {
  id: 'review-tolerance',
  type: 'number',
  min: '0',
  step: 'any',
  placeholder: '10%',
  title: "Tolerance: flag a predicted landmark whose doubt bound exceeds it (0 or empty: the 10% least confident specimens and the file's 10% most doubtful landmarks). For this file view; the default is the setting landmarks.review.tolerance.",
  'aria-label': 'Review tolerance',
});

export const ui = {
  specimenList: el('ul', { id: 'specimen-list', role: 'listbox', tabindex: '0', 'aria-label': 'Specimens' }),
  specimenCount: el('div', { class: 'sidebar-title' }),
  btnPrev: button('‹ Prev', 'Previous specimen in the list (PageUp)'),
  btnNext: button('Next ›', 'Next specimen in the list (PageDown)'),
  btnReview: button(
    'Check first',
    'List the predictions to check first (R): with a tolerance, the specimens above it; else the least confident first, flagged: the 10% least confident specimens and the 10% most doubtful landmarks of this file',
    'review-order',
  ),
  toleranceInput,
  toleranceUnit: el(
    'select',
    { id: 'review-tolerance-unit', 'aria-label': 'Review tolerance unit', title: 'px: photo pixels; mm: SCALE units (specimens without SCALE are not compared)' },
    el('option', { value: 'px' }, 'px'),
    el('option', { value: 'mm' }, 'mm'),
  ),
  reviewSummary: el('div', { id: 'review-summary', class: 'review-summary', role: 'status' }),
  reviewBox: el('div', { class: 'review-box' }),
  title: el('span', { class: 'title', id: 'specimen-title' }),
  btnZoomOut: button('−', 'Zoom out (-)'),
  btnZoomIn: button('+', 'Zoom in (+)'),
  btnFit: button('Fit', 'Fit to window (0)'),
  zoomLabel: el('span', { class: 'zoom', id: 'zoom-label' }),
  btnAdd: button('Add', 'Add mode (A): click on the photo to add a landmark; Ctrl/Cmd+click adds anytime'),
  btnPlace: button('Place', 'Place the selected missing landmark (P or Enter), then click on the photo; Esc cancels', 'place'),
  btnMissing: button('Missing', 'Mark the selected landmark missing (M)'),
  btnDelete: button('Delete', 'Delete the selected landmark (Delete)'),
  banner: el('div', { class: 'banner', id: 'banner', role: 'alert' }),
  viewport: el('div', { id: 'viewport', tabindex: '0', 'aria-label': 'Specimen photo with landmarks' }),
  photo: el('img', { id: 'photo', alt: '', draggable: 'false' }),
  blank: el('div', { id: 'blank' }),
  overlay: svg('svg', { id: 'overlay', role: 'group', 'aria-label': 'Landmarks' }),
  /** Above the viewport, never over it: a notice must not hide landmarks near the top. */
  notice: el('div', { id: 'notice', role: 'status' }),
  statusLeft: el('span', { id: 'status-left' }),
  statusNote: el('span', { id: 'status-note', role: 'status', 'aria-live': 'polite' }),
  statusRight: el('span', { id: 'status-right' }),
  statusKeys: el('div', { id: 'status-keys', class: 'status-row' }),
  confirmText: el('span', { id: 'confirm-text' }),
  btnConfirm: button('Add', 'Add the landmark anyway (Enter)', 'confirm-accept'),
  btnCancel: button('Cancel', 'Do not add it (Esc)', 'confirm-cancel'),
  confirmBox: el('span', { id: 'confirm', role: 'alert' }),
  landmarkTable: el('tbody', { id: 'landmark-rows' }),
  doubtHeader: el(
    'th',
    { title: "⚑: among the file's most doubtful predicted landmarks, check it; ✓: corrected by hand since the prediction. Hover a cell for the model's doubt in photo pixels." },
    '⚑',
  ),
};

ui.reviewBox.append(ui.btnReview, el('label', { class: 'review-tolerance', title: toleranceInput.title }, 'tol. ', toleranceInput, ui.toleranceUnit), ui.reviewSummary);
// In the status bar, whose height does not change: asking must not move the photo under the pointer.
ui.confirmBox.append(ui.confirmText, ui.btnConfirm, ui.btnCancel);
ui.confirmBox.hidden = true;
ui.viewport.append(ui.blank, ui.photo, ui.overlay);

app.append(
  el(
    'div',
    { class: 'layout' },
    el('aside', { class: 'sidebar' }, ui.specimenCount, ui.reviewBox, ui.specimenList),
    el(
      'main',
      { class: 'main' },
      el(
        'div',
        { class: 'toolbar', role: 'toolbar' },
        ui.btnPrev,
        ui.btnNext,
        ui.title,
        el('span', { class: 'sep' }),
        ui.btnZoomOut,
        ui.zoomLabel,
        ui.btnZoomIn,
        ui.btnFit,
        el('span', { class: 'sep' }),
        ui.btnAdd,
        ui.btnPlace,
        ui.btnMissing,
        ui.btnDelete,
      ),
      ui.banner,
      ui.notice,
      ui.viewport,
      el('div', { class: 'statusbar' }, el('div', { class: 'status-row' }, ui.statusLeft, ui.statusNote, ui.confirmBox, ui.statusRight), ui.statusKeys),
    ),
    el(
      'aside',
      { class: 'landmarks' },
      el('div', { class: 'sidebar-title' }, 'Landmarks'),
      el(
        'table',
        { class: 'landmark-table' },
        el('thead', {}, el('tr', {}, el('th', {}, '#'), el('th', {}, 'x'), el('th', {}, 'y'), ui.doubtHeader)),
        ui.landmarkTable,
      ),
      el(
        'div',
        { class: 'help' },
        'Drag a landmark to move it. Tab/Shift+Tab: next/previous landmark; arrows nudge it (Shift: ×10); ',
        'M: missing; P or Enter: place a missing landmark, then click on the photo; Delete: remove; A: add mode; PageUp/PageDown or ←/→: specimens; R: least confident first; wheel, +/−, 0: zoom; drag the photo to pan. ',
        'Dashed rings: flagged predicted landmarks, the most doubtful of the file or, with a tolerance (tol.), those whose doubt bound exceeds it (ring size ≈ the doubt); moving one marks it checked.',
      ),
    ),
  ),
);
