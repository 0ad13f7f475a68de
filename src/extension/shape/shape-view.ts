/**
 * The shape view: "Landmarks: Show shape analysis" on a TPS file (explorer, editor title, palette,
 * or from the results view on the predicted file). Runs the generalized Procrustes analysis in
 * the extension host (pure and fast: no engine needed) and shows the consensus, the aligned
 * cloud, the PC1/PC2 scatter and the specimens by Procrustes distance; a click on a specimen opens
 * it in the Landmark Editor, where an outlier is usually a landmark placed or numbered wrong.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { parseTps } from '../../shared/tps/parse';
import { shapeViewModel } from '../../shared/morphometrics/shape-model';
import type { ShapeFromView, ShapeRendered, ShapeToView, ShapeViewModel } from '../../shared/protocol/shape';
import { RenderWaiters } from '../workbench/render-waiters';
import { webviewHtml } from '../workbench/webview-html';

export class ShapePanel implements vscode.Disposable {
  readonly panel: vscode.WebviewPanel;
  private readonly renders = new RenderWaiters<ShapeRendered>('shape view');

  constructor(
    extensionUri: vscode.Uri,
    readonly uri: vscode.Uri,
    readonly model: ShapeViewModel,
  ) {
    this.panel = vscode.window.createWebviewPanel('landmarks.shape', model.title, vscode.ViewColumn.Active, {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')],
    });
    this.panel.webview.html = webviewHtml(this.panel.webview, extensionUri, 'shape', model.title);
    this.panel.webview.onDidReceiveMessage((m: ShapeFromView) => void this.onMessage(m));
  }

  get lastRendered(): ShapeRendered | undefined {
    return this.renders.last;
  }

  waitForRender(pred: (r: ShapeRendered) => boolean = () => true, timeoutMs = 30_000): Promise<ShapeRendered> {
    return this.renders.wait(pred, timeoutMs);
  }

  /** What a click on a specimen does: that specimen in the Landmark Editor. */
  async openSpecimen(index: number): Promise<void> {
    await vscode.commands.executeCommand('landmarks.editor.showSpecimen', this.uri, index);
  }

  private async onMessage(m: ShapeFromView): Promise<void> {
    try {
      switch (m.type) {
        case 'ready':
          await this.panel.webview.postMessage({ type: 'show', model: this.model } satisfies ShapeToView);
          return;
        case 'openSpecimen':
          await this.openSpecimen(m.index);
          return;
        case 'rendered':
          this.renders.report(m.report);
          return;
      }
    } catch (e) {
      void vscode.window.showErrorMessage(`Shape view: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  dispose(): void {
    this.panel.dispose();
  }
}

export interface ShapeViewApi {
  /** The most recent shape view, if any is open. */
  current(): ShapePanel | undefined;
}

function tpsUri(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  const tab = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if ((tab instanceof vscode.TabInputCustom || tab instanceof vscode.TabInputText) && /\.tps$/i.test(tab.uri.path)) return tab.uri;
  return undefined;
}

/** `unsavedText(uri)`: the text the Landmark Editor would save for `uri`, when it has that file open. */
export function registerShapeView(context: vscode.ExtensionContext, unsavedText: (uri: vscode.Uri) => string | undefined): ShapeViewApi {
  let current: ShapePanel | undefined;
  context.subscriptions.push(
    vscode.commands.registerCommand('landmarks.shapeView', async (arg?: unknown) => {
      let uri = tpsUri(arg);
      if (!uri) {
        const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'TPS landmarks': ['tps', 'TPS'] }, title: 'Shape analysis of a TPS file' });
        uri = picked?.[0];
        if (!uri) return;
      }
      const name = path.basename(uri.fsPath);
      // Unsaved edits count: the text the open editor (visual or text) would save, else the file.
      const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri!.toString());
      const text = unsavedText(uri) ?? open?.getText() ?? new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      const model = shapeViewModel(parseTps(text, uri.fsPath), name);
      if (model.specimens.length === 0) {
        const why = model.leftOut[0]?.reason ?? 'the file has no specimen';
        void vscode.window.showWarningMessage(`Shape analysis of ${name}: no specimen can be aligned (${why}).`);
        return;
      }
      current?.dispose();
      current = new ShapePanel(context.extensionUri, uri, model);
      const panel = current;
      panel.panel.onDidDispose(() => {
        if (current === panel) current = undefined;
      });
    }),
  );
  return { current: () => current };
}
