/**
 * The visual TPS editor: a CustomEditorProvider over TpsEditorDocument.
 * Documents hold the model and edits; sessions connect one document to one webview panel.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { getField } from '../../shared/tps/model';
import { TpsEditorDocument } from './document';
import { editorHtml } from './html';
import type { ImageCache } from './images';
import { createListingCache, findSpecimenImage } from './imageLookup';
import { EditorSession, editorSettings } from './session';

export const TPS_EDITOR_VIEW_TYPE = 'landmarks.tpsEditor';

/**
 * Calls `onChange` (debounced) when `file` changes on disk, including atomic replacements by
 * rename. Both VS Code's watcher and Node's (inotify) on the folder: VS Code's may be excluded by
 * files.watcherExclude or slow on remote hosts.
 */
function watchFile(file: string, onChange: () => void): vscode.Disposable {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const fire = () => {
    clearTimeout(timer);
    timer = setTimeout(onChange, 150);
  };
  const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.dirname(file)), path.basename(file)));
  const disposables: vscode.Disposable[] = [watcher, watcher.onDidChange(fire), watcher.onDidCreate(fire)];
  let nodeWatcher: fs.FSWatcher | undefined;
  try {
    nodeWatcher = fs.watch(path.dirname(file), { persistent: false }, (_event, name) => {
      if (name === null || name.toString() === path.basename(file)) fire();
    });
    nodeWatcher.on('error', () => nodeWatcher?.close());
  } catch {
    // folder not watchable: VS Code's watcher alone
  }
  return {
    dispose() {
      clearTimeout(timer);
      nodeWatcher?.close();
      disposables.forEach((d) => d.dispose());
    },
  };
}

export class TpsEditorProvider implements vscode.CustomEditorProvider<TpsEditorDocument> {
  private readonly changeEmitter = new vscode.EventEmitter<vscode.CustomDocumentEditEvent<TpsEditorDocument>>();
  readonly onDidChangeCustomDocument = this.changeEmitter.event;
  /** Open panels, most recently active last. */
  readonly sessions: EditorSession[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly images: ImageCache,
    private readonly log: (message: string) => void,
    /** Sessions ask their webview for render reports (only the test API reads them). */
    private readonly watchRenders = false,
  ) {
    context.subscriptions.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('landmarks.editor') && !e.affectsConfiguration('landmarks.review')) return;
        const settings = editorSettings();
        for (const s of this.sessions) if (s.ready) void s.post({ type: 'settings', settings });
      }),
    );
  }

  async openCustomDocument(
    uri: vscode.Uri,
    openContext: vscode.CustomDocumentOpenContext,
    _token: vscode.CancellationToken,
  ): Promise<TpsEditorDocument> {
    const document = await TpsEditorDocument.open(uri, openContext.backupId);
    const subscriptions: vscode.Disposable[] = [
      document.onDidEdit(({ label, edit }) =>
        this.changeEmitter.fire({
          document,
          label,
          undo: () => document.undo(edit),
          redo: () => document.redo(edit),
        }),
      ),
    ];
    if (uri.scheme === 'file') subscriptions.push(watchFile(uri.fsPath, () => void document.reloadFromDisk()));
    document.onDidDispose(() => subscriptions.forEach((d) => d.dispose()));
    return document;
  }

  async resolveCustomEditor(
    document: TpsEditorDocument,
    panel: vscode.WebviewPanel,
    _token: vscode.CancellationToken,
  ): Promise<void> {
    const ext = this.context.extensionUri;
    panel.webview.options = {
      enableScripts: true,
      localResourceRoots: [
        vscode.Uri.joinPath(ext, 'dist', 'webview'),
        vscode.Uri.joinPath(ext, 'media'),
        vscode.Uri.file(this.images.folder),
        ...(await this.imageRoots(document)),
      ],
    };
    const session = new EditorSession(document, panel, this.images, this.log, this.watchRenders);
    this.sessions.push(session);
    panel.onDidChangeViewState(() => {
      if (panel.active) this.bringToFront(session);
    });
    panel.onDidDispose(() => {
      const i = this.sessions.indexOf(session);
      if (i >= 0) this.sessions.splice(i, 1);
      session.dispose();
    });
    panel.webview.html = editorHtml(
      panel.webview,
      panel.webview.asWebviewUri(vscode.Uri.joinPath(ext, 'dist', 'webview', 'editor.js')),
      panel.webview.asWebviewUri(vscode.Uri.joinPath(ext, 'media', 'editor.css')),
      path.basename(document.uri.fsPath),
    );
  }

  /** The folders the webview may load photos from: the TPS file's folder and each photo's. */
  private async imageRoots(document: TpsEditorDocument): Promise<vscode.Uri[]> {
    const dirs = new Set<string>();
    if (document.uri.scheme === 'file') {
      dirs.add(path.dirname(document.uri.fsPath));
      const cache = createListingCache();
      for (const s of document.tps.specimens) {
        const found = await findSpecimenImage(document.uri.fsPath, getField(s, 'IMAGE'), cache);
        if (found.path) dirs.add(path.dirname(found.path));
      }
    }
    for (const f of vscode.workspace.workspaceFolders ?? []) if (f.uri.scheme === 'file') dirs.add(f.uri.fsPath);
    return [...dirs].map((d) => vscode.Uri.file(d));
  }

  private bringToFront(session: EditorSession): void {
    const i = this.sessions.indexOf(session);
    if (i >= 0) this.sessions.splice(i, 1);
    this.sessions.push(session);
  }

  /** The session of `uri`, or of the active panel, or the most recent one. */
  session(uri?: vscode.Uri): EditorSession | undefined {
    if (uri) {
      const key = uri.toString();
      for (let i = this.sessions.length - 1; i >= 0; i--) if (this.sessions[i].document.uri.toString() === key) return this.sessions[i];
      return undefined;
    }
    return this.sessions.find((s) => s.panel.active) ?? this.sessions[this.sessions.length - 1];
  }

  saveCustomDocument(document: TpsEditorDocument, cancellation: vscode.CancellationToken): Thenable<void> {
    return document.save(cancellation);
  }

  saveCustomDocumentAs(document: TpsEditorDocument, destination: vscode.Uri, cancellation: vscode.CancellationToken): Thenable<void> {
    return document.saveAs(destination, cancellation);
  }

  revertCustomDocument(document: TpsEditorDocument, cancellation: vscode.CancellationToken): Thenable<void> {
    return document.revert(cancellation);
  }

  backupCustomDocument(
    document: TpsEditorDocument,
    context: vscode.CustomDocumentBackupContext,
    cancellation: vscode.CancellationToken,
  ): Thenable<vscode.CustomDocumentBackup> {
    return document.backup(context.destination, cancellation);
  }
}
