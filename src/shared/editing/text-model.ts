/**
 * A TPS file open for editing, as text: the text is the truth, each landmark edit is written into
 * it as a line patch (./patch.ts), and the model an editor shows is the parse of the current text,
 * so what is shown is what a save writes and what reopening the file reads. Undo and redo put
 * back the very lines an edit replaced, so undoing every edit gives back the original bytes.
 * Pure (no vscode, no fs): the Landmark Editor's document (src/extension/editor/document.ts)
 * wraps it, and unit tests drive the same code.
 */
import { invertEdit, prepareEdit, type LandmarkEdit } from './edits';
import { patchForEdit, type PatchOptions } from './patch';
import { parseTpsWithSource, type ParsedTps } from '../tps/parse';
import type { TpsDocument } from '../tps/model';
import { applyPatch, invertPatch, isEmptyPatch, joinSource, patchFits, splitSource, type LinePatch, type SourceText } from '../tps/source';

export class TpsTextModel {
  private source!: SourceText;
  private currentText!: string;
  private currentParse!: ParsedTps;
  /** The line patch each applied edit wrote, keyed by the edit object `apply` returned. */
  private readonly patches = new WeakMap<LandmarkEdit, LinePatch>();

  constructor(
    text: string,
    private readonly file?: string,
  ) {
    this.reset(text);
  }

  get text(): string {
    return this.currentText;
  }

  get parsed(): ParsedTps {
    return this.currentParse;
  }

  get doc(): TpsDocument {
    return this.currentParse.doc;
  }

  /** Replaces the whole text (revert, reload); earlier edits undo by their meaning from now on. */
  reset(text: string): void {
    this.setSource(splitSource(text), text);
  }

  private setSource(source: SourceText, text = joinSource(source)): void {
    this.source = source;
    this.currentText = text;
    this.currentParse = parseTpsWithSource(text, this.file);
  }

  /**
   * Checks `edit` against the current model (prepareEdit: throws EditError), writes it, and
   * returns it as written (coordinates rounded as the file writes them), the object to hand back
   * to undo/redo. Undefined when the edit would change no byte of the file (a landmark dropped
   * where it was): then nothing happened, and there is nothing to undo.
   */
  apply(edit: LandmarkEdit, options: PatchOptions = {}): LandmarkEdit | undefined {
    const prepared = prepareEdit(this.currentParse.doc, edit);
    const { edit: written, patch } = patchForEdit(this.source, this.currentParse, prepared, options);
    if (isEmptyPatch(patch)) return undefined;
    this.setSource(applyPatch(this.source, patch));
    this.patches.set(written, patch);
    return written;
  }

  /** Undoes an edit `apply` returned (the latest not yet undone, as an undo stack does). */
  undo(edit: LandmarkEdit): void {
    const patch = this.patches.get(edit);
    this.step(patch && invertPatch(patch), invertEdit(edit));
  }

  /** Redoes an edit that `undo` undid. */
  redo(edit: LandmarkEdit): void {
    this.step(this.patches.get(edit), edit);
  }

  /**
   * Puts `patch` in when the lines it replaces are still there (the normal case: undo and redo
   * in stack order). Otherwise (the text was reset under the undo stack) writes the edit by its
   * meaning into the current text, or leaves the text when it no longer applies (its specimen
   * or landmark is gone).
   */
  private step(patch: LinePatch | undefined, edit: LandmarkEdit): void {
    if (patch && patchFits(this.source, patch)) {
      this.setSource(applyPatch(this.source, patch));
      return;
    }
    let prepared: LandmarkEdit;
    try {
      prepared = prepareEdit(this.currentParse.doc, edit);
    } catch {
      return; // nothing left to undo or redo in this text
    }
    const meant = edit.comment ? { ...prepared, comment: edit.comment } : prepared;
    // subpixel: an undo writes back a value the file held, which must not be rounded again
    const { patch: fresh } = patchForEdit(this.source, this.currentParse, meant, { precision: 'subpixel' });
    this.setSource(applyPatch(this.source, fresh));
  }
}
