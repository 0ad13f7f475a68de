/**
 * The TPS custom document: the parsed file plus its edits, apart from any webview.
 * Edits go through `applyEdit` and are reported to VS Code (via `onDidEdit`) with undo/redo,
 * so dirty state, undo, redo, save, revert and hot exit behave as in any VS Code editor.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { parseTps } from '../../shared/tps/parse';
import { writeTps } from '../../shared/tps/write';
import type { TpsDiagnostic, TpsDocument } from '../../shared/tps/model';
import { applyEdit, describeEdit, invertEdit, prepareEdit, type LandmarkEdit } from '../../shared/editing/edits';

const decoder = new TextDecoder('utf-8');
const encoder = new TextEncoder();

export interface EditEvent {
  label: string;
  edit: LandmarkEdit;
}

export class TpsEditorDocument implements vscode.CustomDocument {
  /** Opens a document from disk, or from a hot-exit backup when VS Code gives one. */
  static async open(uri: vscode.Uri, backupId: string | undefined): Promise<TpsEditorDocument> {
    const source = backupId ? vscode.Uri.parse(backupId) : uri;
    const text = await readText(source);
    const diskText = backupId ? await readText(uri).catch(() => '') : text;
    const doc = new TpsEditorDocument(uri, text, diskText);
    doc.restoredFromBackup = backupId !== undefined;
    return doc;
  }

  /** Opened from a hot-exit backup: unsaved until saved or reverted (VS Code shows it dirty too). */
  private restoredFromBackup = false;

  private model: TpsDocument;
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
    text: string,
    diskText: string,
  ) {
    this.model = parseTps(text, uri.fsPath);
    this.diskText = diskText;
  }

  get tps(): TpsDocument {
    return this.model;
  }

  get diagnostics(): TpsDiagnostic[] {
    return this.model.diagnostics;
  }

  /** Whether there are unsaved edits (by our own count; VS Code keeps its own). */
  get isDirty(): boolean {
    return this.editDepth !== 0 || this.restoredFromBackup;
  }

  /** The text a save would write now. */
  getText(): string {
    return writeTps(this.model);
  }

  /** Applies a user edit (validated against the model) and reports it for undo/redo. */
  makeEdit(edit: LandmarkEdit): LandmarkEdit {
    const prepared = prepareEdit(this.model, edit);
    applyEdit(this.model, prepared);
    this.editDepth++;
    this.onDidChangeModelEmitter.fire();
    this.onDidEditEmitter.fire({ label: describeEdit(prepared), edit: prepared });
    return prepared;
  }

  /** Undo of a reported edit (called by VS Code). */
  undo(edit: LandmarkEdit): void {
    applyEdit(this.model, invertEdit(edit));
    this.editDepth--;
    this.onDidChangeModelEmitter.fire();
  }

  /** Redo of a reported edit (called by VS Code). */
  redo(edit: LandmarkEdit): void {
    applyEdit(this.model, edit);
    this.editDepth++;
    this.onDidChangeModelEmitter.fire();
  }

  async save(_cancellation?: vscode.CancellationToken): Promise<void> {
    await this.saveAs(this.uri);
    this.editDepth = 0;
    this.restoredFromBackup = false;
  }

  async saveAs(target: vscode.Uri, _cancellation?: vscode.CancellationToken): Promise<void> {
    const text = this.getText();
    await writeAtomic(target, text);
    if (target.toString() === this.uri.toString()) this.diskText = text;
  }

  async revert(_cancellation?: vscode.CancellationToken): Promise<void> {
    const text = await readText(this.uri);
    this.diskText = text;
    this.model = parseTps(text, this.uri.fsPath);
    this.editDepth = 0;
    this.restoredFromBackup = false;
    this.onDidChangeModelEmitter.fire();
  }

  /**
   * The file changed on disk. Reloads when there are no unsaved edits and the text is not
   * what we wrote ourselves; returns whether it reloaded.
   */
  async reloadFromDisk(): Promise<boolean> {
    if (this.isDirty) return false;
    let text: string;
    try {
      text = await readText(this.uri);
    } catch {
      return false;
    }
    if (text === this.diskText) return false;
    this.diskText = text;
    this.model = parseTps(text, this.uri.fsPath);
    this.onDidChangeModelEmitter.fire();
    return true;
  }

  async backup(destination: vscode.Uri, _cancellation?: vscode.CancellationToken): Promise<vscode.CustomDocumentBackup> {
    await writeAtomic(destination, this.getText());
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

async function readText(uri: vscode.Uri): Promise<string> {
  return decoder.decode(await vscode.workspace.fs.readFile(uri));
}

/**
 * Writes a temporary file beside the target, then renames it over the target (atomic on one
 * file system). Local files go through Node's fs (vscode.workspace.fs.rename was seen to hang on
 * code-server); other schemes through vscode.workspace.fs.writeFile.
 */
export async function writeAtomic(target: vscode.Uri, text: string): Promise<void> {
  const bytes = encoder.encode(text);
  const suffix = `${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2, 8)}.tmp`;
  if (target.scheme === 'file') {
    const file = target.fsPath;
    const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${suffix}`);
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    try {
      await fs.promises.writeFile(tmp, bytes);
      await fs.promises.rename(tmp, file);
    } catch (e) {
      await fs.promises.rm(tmp, { force: true });
      throw new Error(`cannot save ${file}: ${e instanceof Error ? e.message : String(e)}`);
    }
    return;
  }
  // Other schemes (remote file systems, VS Code's user data for backups): the provider's own write.
  await vscode.workspace.fs.writeFile(target, bytes);
}
