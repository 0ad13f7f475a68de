/**
 * The TPS custom document: the file's text plus its edits, apart from any webview.
 * The text is the truth (../../shared/editing/text-model.ts): an edit is written into it as a
 * line patch that changes only the lines the edit touches, and the model the editor shows is the
 * parse of that text, so what you see is what a save writes and what a reopen reads. Edits are
 * reported to VS Code (via `onDidEdit`) with undo/redo, so dirty state, undo, redo, save, revert
 * and hot exit behave as in any VS Code editor; undo puts back the very lines an edit replaced.
 */
import * as vscode from 'vscode';
import type { TpsDiagnostic, TpsDocument } from '../../shared/tps/model';
import { describeEdit, type LandmarkEdit } from '../../shared/editing/edits';
import { TpsTextModel } from '../../shared/editing/text-model';
import { decodeTpsBytes, encodeTpsText, type DecodedText, type TpsEncoding } from '../../shared/tps/encoding';
import type { CoordinatePrecision } from '../../shared/tps/style';
import { writeFileAtomic } from '../../shared/node/atomic-write';

export interface EditEvent {
  label: string;
  edit: LandmarkEdit;
}

/** `landmarks.editor.coordinatePrecision`: how a moved landmark is rounded when written. */
export function coordinatePrecision(scope?: vscode.Uri): CoordinatePrecision {
  const v = vscode.workspace.getConfiguration('landmarks.editor', scope).get<string>('coordinatePrecision', 'file');
  return v === 'subpixel' ? 'subpixel' : 'file';
}

export class TpsEditorDocument implements vscode.CustomDocument {
  /** Opens a document from disk, or from a hot-exit backup when VS Code gives one. */
  static async open(uri: vscode.Uri, backupId: string | undefined): Promise<TpsEditorDocument> {
    const source = backupId ? vscode.Uri.parse(backupId) : uri;
    const content = await readText(source);
    const diskText = backupId ? await readText(uri).then((d) => d.text).catch(() => '') : content.text;
    const doc = new TpsEditorDocument(uri, content, diskText);
    doc.restoredFromBackup = backupId !== undefined;
    return doc;
  }

  /** Opened from a hot-exit backup: unsaved until saved or reverted (VS Code shows it dirty too). */
  private restoredFromBackup = false;

  private readonly model: TpsTextModel;
  /** How the file's bytes were read, so a save writes them back the same way. */
  private encoding: TpsEncoding;
  /** The file's text as last read from or written to disk (to tell our own writes apart). */
  private diskText: string;
  /** Edits applied since the last save/revert; empty = clean. */
  private editDepth = 0;

  private readonly onDidDisposeEmitter = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.onDidDisposeEmitter.event;
  /** The content changed (edit, undo, redo, revert, reload): webviews redraw. */
  private readonly onDidChangeModelEmitter = new vscode.EventEmitter<void>();
  readonly onDidChangeModel = this.onDidChangeModelEmitter.event;
  /** A user edit: the provider forwards it to VS Code with undo/redo. */
  private readonly onDidEditEmitter = new vscode.EventEmitter<EditEvent>();
  readonly onDidEdit = this.onDidEditEmitter.event;

  private constructor(
    readonly uri: vscode.Uri,
    content: DecodedText,
    diskText: string,
  ) {
    this.encoding = content.encoding;
    this.model = new TpsTextModel(content.text, uri.fsPath);
    this.diskText = diskText;
  }

  get tps(): TpsDocument {
    return this.model.doc;
  }

  get diagnostics(): TpsDiagnostic[] {
    return this.model.doc.diagnostics;
  }

  /** Whether there are unsaved edits (by our own count; VS Code keeps its own). */
  get isDirty(): boolean {
    return this.editDepth !== 0 || this.restoredFromBackup;
  }

  /** The text a save would write now: the file as read, with the edits' lines patched in. */
  getText(): string {
    return this.model.text;
  }

  /**
   * Applies a user edit (validated against the model, coordinates rounded as the setting and the
   * file's number style say) and reports it for undo/redo. An edit that changes no byte of the
   * file (a landmark dropped where it was) is not reported: it neither dirties the document nor
   * adds an undo step. Returns the edit as written.
   */
  makeEdit(edit: LandmarkEdit): LandmarkEdit {
    const written = this.model.apply(edit, { precision: coordinatePrecision(this.uri) });
    this.onDidChangeModelEmitter.fire(); // also when nothing changed: the webview puts a dragged marker back
    if (!written) return edit;
    this.editDepth++;
    this.onDidEditEmitter.fire({ label: describeEdit(written), edit: written });
    return written;
  }

  /** Undo of a reported edit (called by VS Code). */
  undo(edit: LandmarkEdit): void {
    this.model.undo(edit);
    this.editDepth--;
    this.onDidChangeModelEmitter.fire();
  }

  /** Redo of a reported edit (called by VS Code). */
  redo(edit: LandmarkEdit): void {
    this.model.redo(edit);
    this.editDepth++;
    this.onDidChangeModelEmitter.fire();
  }

  private bytes(): Uint8Array {
    return encodeTpsText(this.model.text, this.encoding);
  }

  async save(_cancellation?: vscode.CancellationToken): Promise<void> {
    const bytes = this.bytes();
    // VS Code saves a custom document on Ctrl+S even when it is not dirty: a save that would
    // write what the file already holds leaves the file (and its modification time) alone.
    if (!(await holds(this.uri, bytes))) await writeAtomic(this.uri, bytes);
    this.diskText = this.model.text;
    this.editDepth = 0;
    this.restoredFromBackup = false;
  }

  async saveAs(target: vscode.Uri, _cancellation?: vscode.CancellationToken): Promise<void> {
    await writeAtomic(target, this.bytes());
    if (target.toString() === this.uri.toString()) this.diskText = this.model.text;
  }

  async revert(_cancellation?: vscode.CancellationToken): Promise<void> {
    const content = await readText(this.uri);
    this.load(content);
    this.editDepth = 0;
    this.restoredFromBackup = false;
    this.onDidChangeModelEmitter.fire();
  }

  private load(content: DecodedText): void {
    this.diskText = content.text;
    this.encoding = content.encoding;
    this.model.reset(content.text);
  }

  /**
   * The file changed on disk. Reloads when there are no unsaved edits and the text is not
   * what we wrote ourselves; returns whether it reloaded.
   */
  async reloadFromDisk(): Promise<boolean> {
    if (this.isDirty) return false;
    let content: DecodedText;
    try {
      content = await readText(this.uri);
    } catch {
      return false;
    }
    if (content.text === this.diskText) return false;
    this.load(content);
    this.onDidChangeModelEmitter.fire();
    return true;
  }

  async backup(destination: vscode.Uri, _cancellation?: vscode.CancellationToken): Promise<vscode.CustomDocumentBackup> {
    await writeAtomic(destination, this.bytes());
    return {
      id: destination.toString(),
      delete: async () => {
        try {
          await vscode.workspace.fs.delete(destination);
        } catch {
          // already gone
        }
      },
    };
  }

  dispose(): void {
    this.onDidDisposeEmitter.fire();
    this.onDidDisposeEmitter.dispose();
    this.onDidChangeModelEmitter.dispose();
    this.onDidEditEmitter.dispose();
  }
}

/** Whether the file at `uri` holds exactly `bytes` (false when it cannot be read). */
async function holds(uri: vscode.Uri, bytes: Uint8Array): Promise<boolean> {
  try {
    const onDisk = await vscode.workspace.fs.readFile(uri);
    return onDisk.length === bytes.length && onDisk.every((b, i) => b === bytes[i]);
  } catch {
    return false;
  }
}

async function readText(uri: vscode.Uri): Promise<DecodedText> {
  return decodeTpsBytes(await vscode.workspace.fs.readFile(uri));
}

/**
 * Saves a document's bytes. Local files through the shared atomic writer (temporary file beside
 * the target, fsync, rename; Node's fs because vscode.workspace.fs.rename was seen to hang on
 * code-server); other schemes through vscode.workspace.fs.writeFile.
 */
export async function writeAtomic(target: vscode.Uri, content: string | Uint8Array): Promise<void> {
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  if (target.scheme === 'file') {
    const file = target.fsPath;
    try {
      await writeFileAtomic(file, bytes);
    } catch (e) {
      throw new Error(`cannot save ${file}: ${e instanceof Error ? e.message : String(e)}`);
    }
    return;
  }
  // Other schemes (remote file systems, VS Code's user data for backups): the provider's own write.
  await vscode.workspace.fs.writeFile(target, bytes);
}
