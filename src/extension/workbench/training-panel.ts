/**
 * The live training view: a webview panel with training and validation loss curves, the run's
 * settings, and at the end where the model went and its validation error per landmark.
 * One panel per run; the host keeps the messages it sent so a reloaded webview redraws them.
 */
import * as vscode from 'vscode';
import type { TrainingFromView, TrainingToView } from '../../shared/protocol/views';
import { RenderWaiters } from './render-waiters';
import { webviewHtml } from './webview-html';

export type TrainingRendered = Extract<TrainingFromView, { type: 'rendered' }>;

export interface TrainingPanelHandlers {
  onCancel(): void;
  onOpenResults(): void;
  onRevealModel(): void;
}

export class TrainingPanel implements vscode.Disposable {
  readonly panel: vscode.WebviewPanel;
  private readonly history: TrainingToView[] = [];
  private ready = false;
  private disposed = false;
  private readonly renders = new RenderWaiters<TrainingRendered>('training view');

  constructor(extensionUri: vscode.Uri, title: string, private readonly handlers: TrainingPanelHandlers) {
    this.panel = vscode.window.createWebviewPanel(
      'landmarks.training',
      title,
      { viewColumn: vscode.ViewColumn.Active, preserveFocus: true },
      { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')] },
    );
    this.panel.webview.html = webviewHtml(this.panel.webview, extensionUri, 'training', title);
    this.panel.webview.onDidReceiveMessage((m: TrainingFromView) => this.onMessage(m));
    this.panel.onDidDispose(() => {
      this.disposed = true;
    });
  }

  /** The last render report the webview sent. */
  get lastRendered(): TrainingRendered | undefined {
    return this.renders.last;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  post(msg: TrainingToView): void {
    // Progress batches are many: keep only the last batch message per epoch in the history, but
    // every one carrying a stage metric (a preset of stages runs in "epoch 1": its curves are those points).
    const prev = this.history[this.history.length - 1];
    if (msg.type === 'progress' && prev?.type === 'progress' && prev.epoch === msg.epoch && prev.valLoss === undefined && prev.metric === undefined) {
      this.history[this.history.length - 1] = msg;
    } else this.history.push(msg);
    if (this.ready && !this.disposed) void this.panel.webview.postMessage(msg);
  }

  /** Resolves with the first render report matching `pred` (tests). */
  waitForRender(pred: (r: TrainingRendered) => boolean = () => true, timeoutMs = 20000): Promise<TrainingRendered> {
    return this.renders.wait(pred, timeoutMs);
  }

  private onMessage(m: TrainingFromView): void {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        for (const h of this.history) void this.panel.webview.postMessage(h);
        return;
      case 'cancel':
        this.handlers.onCancel();
        return;
      case 'openResults':
        this.handlers.onOpenResults();
        return;
      case 'revealModel':
        this.handlers.onRevealModel();
        return;
      case 'showLog':
        void vscode.commands.executeCommand('landmarks.showLog');
        return;
      case 'rendered':
        this.renders.report(m);
        return;
    }
  }

  reveal(): void {
    if (!this.disposed) this.panel.reveal(undefined, true);
  }

  dispose(): void {
    this.panel.dispose();
  }
}
