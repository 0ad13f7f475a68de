/**
 * Registers the visual TPS editor (custom editor `landmarks.tpsEditor`) and its commands
 * (landmarks.openAsText, landmarks.openInEditor). Returns an API to look inside the editor
 * (the shape view reads its unsaved text) and, for the integration tests, to drive it through
 * the webview's own code paths (test requests; activate() hands it out in ExtensionMode.Test only).
 */
import * as path from 'path';
import * as vscode from 'vscode';
import type { RenderReport, TestAction } from '../../shared/protocol/editor-test';
import type { TpsLandmark } from '../../shared/tps/model';
import { ImageCache } from './images';
import { getField } from '../../shared/tps/model';
import { imageBaseName, stripImageExtension } from '../../shared/tps/resolve';
import { TPS_EDITOR_VIEW_TYPE, TpsEditorProvider } from './provider';

export interface TpsEditorState {
  uri: string;
  /** Whether the webview said `ready`. */
  ready: boolean;
  dirty: boolean;
  specimens: number;
  /** Specimen the webview shows. */
  selected: number;
  /** Landmarks per specimen, TPS coordinates (y up), null = missing. */
  landmarks: TpsLandmark[][];
  /** The text a save would write now. */
  text: string;
  /** Milliseconds from opening the panel to the webview's `ready` and to its first drawn specimen. */
  timing: { readyMs?: number; firstRenderMs?: number };
}

export interface TpsEditorApi {
  readonly viewType: string;
  /** State of the editor for `uri` (default: the active or most recent one). */
  state(uri?: vscode.Uri): TpsEditorState | undefined;
  /** The webview's last render report. */
  lastRender(uri?: vscode.Uri): RenderReport | undefined;
  /** Waits for a render report matching `predicate` (default: any) from the editor of `uri`. */
  waitForRender(uri: vscode.Uri | undefined, predicate?: (r: RenderReport) => boolean, timeoutMs?: number): Promise<RenderReport>;
  /**
   * Runs a test action (e.g. a landmark move in image pixels) through the webview's own input
   * path; resolves with the webview's render report once the action settled (its edit applied).
   */
  testAction(action: TestAction, uri?: vscode.Uri, timeoutMs?: number): Promise<RenderReport>;
  /** Asks the webview for a report of what it draws now. */
  report(uri?: vscode.Uri, timeoutMs?: number): Promise<RenderReport>;
  /** Shows specimen `specimen` in the editor. */
  select(specimen: number, uri?: vscode.Uri): Promise<void>;
}

function targetUri(arg: unknown, provider: TpsEditorProvider): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active && /\.tps$/i.test(active.path)) return active;
  const tab = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (tab instanceof vscode.TabInputCustom || tab instanceof vscode.TabInputText) return tab.uri;
  return provider.session()?.document.uri;
}

async function waitForSession(provider: TpsEditorProvider, uri: vscode.Uri, timeoutMs: number) {
  const start = Date.now();
  for (;;) {
    const s = provider.session(uri);
    if (s) return s;
    if (Date.now() - start > timeoutMs) throw new Error(`the Landmark Editor did not open ${uri.fsPath}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function registerTpsEditor(context: vscode.ExtensionContext): TpsEditorApi {
  const output = vscode.window.createOutputChannel('Landmarks Editor', { log: true });
  const cacheDir = path.join(context.globalStorageUri.fsPath, 'image-cache');
  // Render reports are for the integration tests alone (lastRender, waitForRender, timings).
  const testMode = context.extensionMode === vscode.ExtensionMode.Test;
  const provider = new TpsEditorProvider(context, new ImageCache(cacheDir), (m) => output.info(m), testMode);

  context.subscriptions.push(
    output,
    vscode.window.registerCustomEditorProvider(TPS_EDITOR_VIEW_TYPE, provider, {
      supportsMultipleEditorsPerDocument: false,
      webviewOptions: { retainContextWhenHidden: false },
    }),
    vscode.commands.registerCommand('landmarks.openAsText', async (arg?: unknown) => {
      const uri = targetUri(arg, provider);
      if (!uri) return void vscode.window.showWarningMessage('Open as text: no TPS file is active.');
      await vscode.commands.executeCommand('vscode.openWith', uri, 'default');
    }),
    vscode.commands.registerCommand('landmarks.openInEditor', async (arg?: unknown) => {
      const uri = targetUri(arg, provider);
      if (!uri) return void vscode.window.showWarningMessage('Open in Landmark Editor: no TPS file is active.');
      await vscode.commands.executeCommand('vscode.openWith', uri, TPS_EDITOR_VIEW_TYPE);
    }),
  );

  /**
   * Internal command for other views (results, predictions): opens `uri` in the Landmark Editor
   * at a specimen, given by 0-based index or by image name (case and extension ignored).
   */
  context.subscriptions.push(
    vscode.commands.registerCommand('landmarks.editor.showSpecimen', async (uri: vscode.Uri, specimen: number | string, landmark?: number) => {
      await vscode.commands.executeCommand('vscode.openWith', uri, TPS_EDITOR_VIEW_TYPE);
      const session = await waitForSession(provider, uri, 30_000);
      let index = typeof specimen === 'number' ? specimen : -1;
      if (typeof specimen === 'string') {
        const want = stripImageExtension(imageBaseName(specimen)).toLowerCase();
        index = session.document.tps.specimens.findIndex((s) => stripImageExtension(imageBaseName(getField(s, 'IMAGE') ?? '')).toLowerCase() === want);
        if (index < 0) throw new Error(`${path.basename(uri.fsPath)} has no specimen with IMAGE=${specimen}`);
      }
      await session.whenReady();
      await session.post({ type: 'select', specimen: index, ...(landmark !== undefined ? { landmark } : {}) });
    }),
  );

  const need = (uri?: vscode.Uri) => {
    const s = provider.session(uri);
    if (!s) throw new Error(`no Landmark Editor is open${uri ? ` for ${uri.fsPath}` : ''}`);
    return s;
  };

  return {
    viewType: TPS_EDITOR_VIEW_TYPE,
    state(uri) {
      const s = provider.session(uri);
      if (!s) return undefined;
      const tps = s.document.tps;
      return {
        uri: s.document.uri.toString(),
        ready: s.ready,
        dirty: s.document.isDirty,
        specimens: tps.specimens.length,
        selected: s.selected,
        landmarks: tps.specimens.map((sp) => sp.landmarks.map((p) => (p ? { x: p.x, y: p.y } : null))),
        text: s.document.getText(),
        timing: { ...s.timing },
      };
    },
    lastRender: (uri) => provider.session(uri)?.lastRender,
    waitForRender: (uri, predicate = () => true, timeoutMs = 20000) => need(uri).waitForRender(predicate, timeoutMs),
    testAction: (action, uri, timeoutMs = 20000) => need(uri).testRequest('action', action, timeoutMs),
    report: (uri, timeoutMs = 20000) => need(uri).testRequest('report', {}, timeoutMs),
    async select(specimen, uri) {
      const s = need(uri);
      await s.whenReady();
      await s.post({ type: 'select', specimen });
    },
  };
}
