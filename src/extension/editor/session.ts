/**
 * One open editor panel: wires a TpsEditorDocument to its webview through the editor protocol.
 * Knows nothing of drawing; it sends specimens and photos, receives edits and render reports.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import type { EditorSettings, HostToWebview, ImageInfo, WebviewToHost } from '../../shared/protocol/editor';
import type { EditorTestMethods, HostToWebviewTest, RenderReport, WebviewToHostTest } from '../../shared/protocol/editor-test';
import { RequestClient } from '../../shared/protocol/requests';
import { problemLines, specimenViews } from '../../shared/editing/views';
import { getField } from '../../shared/tps/model';
import type { TpsEditorDocument } from './document';
import type { ImageCache } from './images';
import { findSpecimenImage } from './imageLookup';

export function editorSettings(): EditorSettings {
  const size = vscode.workspace.getConfiguration('landmarks.editor').get<number>('landmarkSize', 7);
  const review = vscode.workspace.getConfiguration('landmarks.review');
  const tolerance = Number(review.get<number>('tolerance', 0));
  const unit = review.get<string>('toleranceUnit', 'px') === 'mm' ? 'mm' : 'px';
  return {
    landmarkSize: Math.min(30, Math.max(2, Number.isFinite(size) ? size : 7)),
    reviewTolerance: Number.isFinite(tolerance) && tolerance > 0 ? tolerance : 0,
    reviewToleranceUnit: unit,
  };
}

type RenderWaiter = { predicate: (r: RenderReport) => boolean; resolve: (r: RenderReport) => void };

export class EditorSession implements vscode.Disposable {
  ready = false;
  selected = 0;
  lastRender: RenderReport | undefined;
  /** Milliseconds from the panel's creation to the webview's `ready` and to its first render report. */
  readonly timing: { readyMs?: number; firstRenderMs?: number } = {};
  private readonly createdAt = Date.now();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly waiters = new Set<RenderWaiter>();
  private readonly readyWaiters: (() => void)[] = [];
  /** Test requests (editor-test.ts) waiting for the webview's reply; only the test API sends any. */
  private readonly testRequests = new RequestClient<EditorTestMethods>((m: HostToWebviewTest) => this.panel.webview.postMessage(m));

  constructor(
    readonly document: TpsEditorDocument,
    readonly panel: vscode.WebviewPanel,
    private readonly images: ImageCache,
    private readonly log: (message: string) => void,
    /** Ask the webview for a render report after every render (ExtensionMode.Test: the test API waits on them). */
    private readonly watchRenders: boolean,
  ) {
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: WebviewToHost | WebviewToHostTest) => {
        if (m.type === 'response') this.testRequests.settle(m);
        else if (m.type === 'rendered') this.onRendered(m.report);
        else this.onMessage(m);
      }),
      document.onDidChangeModel(() => this.postUpdate()),
    );
  }

  post(message: HostToWebview): Thenable<boolean> {
    return this.panel.webview.postMessage(message);
  }

  /** Resolves once the webview said `ready` and got its init. */
  whenReady(): Promise<void> {
    if (this.ready) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Resolves with the first render report (past or future) that satisfies `predicate`. */
  waitForRender(predicate: (r: RenderReport) => boolean, timeoutMs: number): Promise<RenderReport> {
    if (this.lastRender && predicate(this.lastRender)) return Promise.resolve(this.lastRender);
    return new Promise((resolve, reject) => {
      const waiter: RenderWaiter = {
        predicate,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`no matching render within ${timeoutMs} ms; last: ${JSON.stringify(this.lastRender)}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Asks the webview a test request (editor-test.ts) and resolves with its reply. */
  async testRequest<K extends keyof EditorTestMethods & string>(method: K, params: EditorTestMethods[K]['params'], timeoutMs: number): Promise<EditorTestMethods[K]['result']> {
    await this.whenReady();
    return this.testRequests.request(method, params, timeoutMs);
  }

  private onMessage(m: WebviewToHost): void {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.timing.readyMs ??= Date.now() - this.createdAt;
        void this.post({
          type: 'init',
          fileName: path.basename(this.document.uri.fsPath),
          specimens: specimenViews(this.document.tps),
          settings: editorSettings(),
          selected: this.selected,
          problems: problemLines(this.document.tps),
        }).then(() => this.readyWaiters.splice(0).forEach((f) => f()));
        // Right after init, so the first drawing is reported too.
        if (this.watchRenders) this.testRequests.request('watch', {}, 60_000).catch((e: Error) => this.log(`render reports not watched: ${e.message}`));
        return;
      case 'edit':
        try {
          this.document.makeEdit(m.edit);
        } catch (e) {
          const msg = e instanceof Error ? e.message : String(e);
          void vscode.window.showErrorMessage(`${path.basename(this.document.uri.fsPath)}: ${msg}`);
          this.postUpdate();
        }
        return;
      case 'requestImage':
        void this.sendImage(m.specimen);
        return;
      case 'selected':
        this.selected = m.specimen;
        return;
      case 'openAsText':
        void vscode.commands.executeCommand('vscode.openWith', this.document.uri, 'default');
        return;
      case 'log':
        this.log(`[webview ${path.basename(this.document.uri.fsPath)}] ${m.level}: ${m.message}`);
        return;
    }
  }

  private onRendered(report: RenderReport): void {
    this.lastRender = report;
    if (report.imageLoaded || report.problem) this.timing.firstRenderMs ??= Date.now() - this.createdAt;
    for (const w of [...this.waiters]) {
      if (w.predicate(report)) {
        this.waiters.delete(w);
        w.resolve(report);
      }
    }
  }

  private postUpdate(): void {
    if (!this.ready) return;
    void this.post({ type: 'update', specimens: specimenViews(this.document.tps), problems: problemLines(this.document.tps) });
  }

  private async sendImage(specimen: number): Promise<void> {
    const info = await this.imageInfo(specimen);
    void this.post({ type: 'image', image: info });
  }

  private async imageInfo(specimen: number): Promise<ImageInfo> {
    const s = this.document.tps.specimens[specimen];
    if (!s) return { specimen, problem: `no specimen ${specimen + 1}` };
    const field = getField(s, 'IMAGE');
    const found = await findSpecimenImage(this.document.uri.fsPath, field);
    if (!found.path) return { specimen, problem: found.problem };
    try {
      const img = await this.images.prepare(found.path);
      const src = this.panel.webview.asWebviewUri(vscode.Uri.file(img.displayPath)).toString();
      return { specimen, src: `${src}${src.includes('?') ? '&' : '?'}v=${img.version}`, width: img.width, height: img.height, path: img.path };
    } catch (e) {
      return { specimen, path: found.path, problem: `${e instanceof Error ? e.message : String(e)}.` };
    }
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
    this.waiters.clear();
    this.testRequests.dispose('the editor panel was closed');
  }
}
