/**
 * Landmark edits on a TPS document: the pure model behind the visual editor's undo/redo.
 * An edit carries enough to be inverted (the previous value), so undo is `apply(invert(e))`.
 * Coordinates are TPS coordinates (tpsDig: origin bottom-left, y up), as stored in the document.
 * No vscode, no DOM, no fs.
 */
import { getField, setField, type TpsDocument, type TpsLandmark, type TpsPoint, type TpsSpecimen } from '../tps/model';
import { commentAfterEdit } from '../tps/review';

/**
 * A predicted specimen's COMMENT= carries per-landmark doubt (../tps/review.ts); an edit of a
 * landmark marks it checked there, so the change of COMMENT travels with the edit (and its undo).
 */
export interface CommentChange {
  from: string;
  to: string;
}

export type LandmarkEdit = (

  /** Move landmark `index` to `to` (from null: place a missing landmark). */
  | { kind: 'move'; specimen: number; index: number; from: TpsLandmark; to: TpsPoint }
  /** Insert a new landmark slot at `index` (== count appends). */
  | { kind: 'add'; specimen: number; index: number; point: TpsLandmark }
  /** Remove landmark slot `index` (later landmarks are renumbered). */
  | { kind: 'delete'; specimen: number; index: number; previous: TpsLandmark }
  /** Mark landmark `index` missing (written as tpsDig's -1 -1 code). */
  | { kind: 'setMissing'; specimen: number; index: number; previous: TpsLandmark }
) & { comment?: CommentChange };

export class EditError extends Error {}

function slots(doc: TpsDocument, specimen: number): TpsLandmark[] {
  const s = doc.specimens[specimen];
  if (!s) throw new EditError(`specimen ${specimen + 1} does not exist (the file has ${doc.specimens.length})`);
  return s.landmarks;
}

function finitePoint(p: TpsPoint, what: string): void {
  if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) throw new EditError(`${what}: coordinates must be finite numbers`);
}

function copy(p: TpsLandmark): TpsLandmark {
  return p ? { x: p.x, y: p.y } : null;
}

/**
 * Checks an edit against the document and fills its "previous" values from the document
 * (so a stale webview cannot corrupt undo). Throws EditError naming the specimen/landmark.
 */
export function prepareEdit(doc: TpsDocument, edit: LandmarkEdit): LandmarkEdit {
  const prepared = prepareLandmarks(doc, edit);
  const before = getField(doc.specimens[edit.specimen], 'COMMENT');
  const after = commentAfterEdit(before, edit.kind, edit.index);
  const rest = { ...prepared };
  delete rest.comment; // never trust a comment change sent by the webview
  return before !== undefined && after !== undefined ? { ...rest, comment: { from: before, to: after } } : rest;
}

function prepareLandmarks(doc: TpsDocument, edit: LandmarkEdit): LandmarkEdit {
  const lms = slots(doc, edit.specimen);
  const where = `specimen ${edit.specimen + 1}, landmark ${edit.index + 1}`;
  const inRange = (max: number) => {
    if (!Number.isInteger(edit.index) || edit.index < 0 || edit.index > max)
      throw new EditError(`${where}: no such landmark (the specimen has ${lms.length})`);
  };
  switch (edit.kind) {
    case 'move':
      inRange(lms.length - 1);
      finitePoint(edit.to, where);
      return { ...edit, from: copy(lms[edit.index]), to: { x: edit.to.x, y: edit.to.y } };
    case 'add':
      inRange(lms.length);
      if (edit.point) finitePoint(edit.point, where);
      return { ...edit, point: copy(edit.point) };
    case 'delete':
      inRange(lms.length - 1);
      return { ...edit, previous: copy(lms[edit.index]) };
    case 'setMissing':
      inRange(lms.length - 1);
      return { ...edit, previous: copy(lms[edit.index]) };
  }
}

/**
 * Keeps a specimen's unreadable slots (TpsSpecimen.unreadable) on the same landmarks as slots
 * are written, added or deleted: a written slot is readable now, later ones renumber.
 */
function shiftUnreadable(s: TpsSpecimen, edit: LandmarkEdit): void {
  if (!s.unreadable) return;
  const i = edit.index;
  const next =
    edit.kind === 'add'
      ? s.unreadable.map((j) => (j >= i ? j + 1 : j))
      : edit.kind === 'delete'
        ? s.unreadable.filter((j) => j !== i).map((j) => (j > i ? j - 1 : j))
        : s.unreadable.filter((j) => j !== i);
  if (next.length) s.unreadable = next;
  else delete s.unreadable;
}

/** Applies a prepared edit in place. */
export function applyEdit(doc: TpsDocument, edit: LandmarkEdit): void {
  const lms = slots(doc, edit.specimen);
  if (edit.comment) setField(doc.specimens[edit.specimen], 'COMMENT', edit.comment.to);
  shiftUnreadable(doc.specimens[edit.specimen], edit);
  switch (edit.kind) {
    case 'move':
      lms[edit.index] = { x: edit.to.x, y: edit.to.y };
      return;
    case 'add':
      lms.splice(edit.index, 0, copy(edit.point));
      return;
    case 'delete':
      lms.splice(edit.index, 1);
      return;
    case 'setMissing':
      lms[edit.index] = null;
      return;
  }
}

/** The edit that undoes `edit` (as a list: a move back to "missing" is a setMissing). */
export function invertEdit(edit: LandmarkEdit): LandmarkEdit {
  const inverse = invertLandmarks(edit);
  return edit.comment ? { ...inverse, comment: { from: edit.comment.to, to: edit.comment.from } } : inverse;
}

function invertLandmarks(edit: LandmarkEdit): LandmarkEdit {
  const { specimen, index } = edit;
  switch (edit.kind) {
    case 'move':
      return edit.from
        ? { kind: 'move', specimen, index, from: edit.to, to: edit.from }
        : { kind: 'setMissing', specimen, index, previous: edit.to };
    case 'add':
      return { kind: 'delete', specimen, index, previous: edit.point };
    case 'delete':
      return { kind: 'add', specimen, index, point: edit.previous };
    case 'setMissing':
      return edit.previous
        ? { kind: 'move', specimen, index, from: null, to: edit.previous }
        : { kind: 'setMissing', specimen, index, previous: null };
  }
}

/** Short label for VS Code's undo stack and the status line. */
export function describeEdit(edit: LandmarkEdit): string {
  const lm = `landmark ${edit.index + 1} of specimen ${edit.specimen + 1}`;
  switch (edit.kind) {
    case 'move':
      return edit.from ? `Move ${lm}` : `Place ${lm}`;
    case 'add':
      return `Add ${lm}`;
    case 'delete':
      return `Delete ${lm}`;
    case 'setMissing':
      return `Mark ${lm} missing`;
  }
}
