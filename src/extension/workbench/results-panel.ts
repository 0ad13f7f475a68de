/**
 * The results view: a webview panel showing one evaluation (manual vs predicted) with photos,
 * error vectors, heatmaps and the per-landmark table. The host answers "open specimen" and
 * "export CSV" and records what the webview says it drew.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import type { ResultsFromView, ResultsModel, ResultsRendered, ResultsSection, ResultsToView } from '../../shared/protocol/views';
import { RenderWaiters } from './render-waiters';
import { webviewHtml } from './webview-html';

export interface ResultsPanelHandlers {
  openSpecimen(model: ResultsModel, name: string): void | Promise<void>;
  exportCsv(model: ResultsModel): void | Promise<void>;
  shapeOfPredicted(model: ResultsModel): void | Promise<void>;
}

export class ResultsPanel implements vscode.Disposable {
  readonly panel: vscode.WebviewPanel;
  private ready = false;
  private disposed = false;
  private readonly renders = new RenderWaiters<ResultsRendered>('results view');

  constructor(
    extensionUri: vscode.Uri,
    readonly model: ResultsModel,
    private readonly handlers: ResultsPanelHandlers,
  ) {
    this.panel = vscode.window.createWebviewPanel(
      'landmarks.results',
      model.title,
      vscode.ViewColumn.Active,
      {
        enableScripts: true,
        retainContextWhenHidden: true,
        localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), ...ResultsPanel.imageRoots(model)],
      },
    );
    this.panel.webview.html = webviewHtml(this.panel.webview, extensionUri, 'results', model.title);
    this.panel.webview.onDidReceiveMessage((m: ResultsFromView) => void this.onMessage(m));
    this.panel.onDidDispose(() => {
      this.disposed = true;
    });
  }

  get webview(): vscode.Webview {
    return this.panel.webview;
  }

  /** The last render report the webview sent. */
  get lastRendered(): ResultsRendered | undefined {
    return this.renders.last;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  waitForRender(pred: (r: ResultsRendered) => boolean = () => true, timeoutMs = 30000): Promise<ResultsRendered> {
    return this.renders.wait(pred, timeoutMs);
  }

  private async onMessage(m: ResultsFromView): Promise<void> {
    try {
      switch (m.type) {
        case 'ready':
          this.ready = true;
          await this.panel.webview.postMessage({ type: 'show', model: this.viewModel() } satisfies ResultsToView);
          return;
        case 'openSpecimen':
          await this.handlers.openSpecimen(this.model, m.name);
          return;
        case 'exportCsv':
          await this.handlers.exportCsv(this.model);
          return;
        case 'shapeOfPredicted':
          await this.handlers.shapeOfPredicted(this.model);
          return;
        case 'rendered':
          this.renders.report(m);
          return;
      }
    } catch (e) {
      void vscode.window.showErrorMessage(`Results view: ${(e as Error).message}`);
    }
  }

  /** The model with photo paths turned into webview URIs. */
  private viewModel(): ResultsModel {
    return {
      ...this.model,
      images: this.model.images.map((im) =>
        im.src ? { ...im, src: this.panel.webview.asWebviewUri(vscode.Uri.file(im.src)).toString() } : im,
      ),
    };
  }

  /** Scrolls the view to a section. */
  async reveal(section: ResultsSection): Promise<void> {
    const msg: ResultsToView = { type: 'reveal', section };
    await this.panel.webview.postMessage(msg);
  }

  get isReady(): boolean {
    return this.ready;
  }

  /** Folder roots the photos of a model live in (for localResourceRoots). */
  static imageRoots(model: ResultsModel): vscode.Uri[] {
    const dirs = new Set<string>();
    for (const im of model.images) if (im.src) dirs.add(path.dirname(im.src));
    return [...dirs].map((d) => vscode.Uri.file(d));
  }

  dispose(): void {
    this.panel.dispose();
  }
}
