/** HTML shell for the workbench webviews: strict CSP with a nonce, theme colours from VS Code. */
import * as path from 'path';
// Types only: the page is also built in plain Chromium tests, where no vscode module exists.
import type * as vscode from 'vscode';
import { webviewPage } from '../webview-page';
import { RESULTS_CSS, SHAPE_CSS, TRAINING_CSS } from './webview-css';

/**
 * A page that loads only its own bundle (dist/webview/<name>.js) with a nonce, images from the
 * webview's allowed roots, and nothing remote.
 */
export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, name: WorkbenchView, title: string): string {
  const script = webview.asWebviewUri(extensionUri.with({ path: path.posix.join(extensionUri.path, 'dist', 'webview', `${name}.js`) }));
  return workbenchPage(webview, script.toString(), name, title);
}

export type WorkbenchView = 'training' | 'results' | 'shape';

/** The same page for a given script URI (no vscode API: webview tests build it in plain Chromium). */
export function workbenchPage(webview: Pick<vscode.Webview, 'cspSource'>, scriptUri: string, name: WorkbenchView, title: string): string {
  return webviewPage(webview, {
    title,
    scriptUri,
    head: (nonce) => `<style nonce="${nonce}">${BASE_CSS}${{ training: TRAINING_CSS, results: RESULTS_CSS, shape: SHAPE_CSS }[name]}</style>`,
    body: `<div id="app" data-view="${name}"></div>`,
  });
}

const BASE_CSS = `
:root { --manual: #2ea043; --predicted: #f0883e; --err: #e5534b; }
body.vscode-light { --manual: #1a7f37; --predicted: #bc4c00; --err: #cf222e; }
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground);
  background: var(--vscode-editor-background); margin: 0; padding: 12px 16px; }
h1 { font-size: 1.3em; font-weight: 600; margin: 0 0 4px; }
h2 { font-size: 1.1em; font-weight: 600; margin: 18px 0 6px; }
.muted { color: var(--vscode-descriptionForeground); }
button { background: var(--vscode-button-background); color: var(--vscode-button-foreground); border: none;
  padding: 4px 12px; cursor: pointer; border-radius: 2px; font: inherit; }
button:hover { background: var(--vscode-button-hoverBackground); }
button.secondary { background: var(--vscode-button-secondaryBackground); color: var(--vscode-button-secondaryForeground); }
button:disabled { opacity: 0.5; cursor: default; }
button:focus-visible, .card:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: 2px; }
table { border-collapse: collapse; }
th, td { padding: 2px 10px; text-align: right; border-bottom: 1px solid var(--vscode-editorWidget-border, #8884); }
th { font-weight: 600; }
td:first-child, th:first-child { text-align: left; }
.banner { padding: 6px 10px; margin: 8px 0; border-left: 3px solid var(--vscode-editorWarning-foreground, orange);
  background: var(--vscode-textBlockQuote-background); }
.banner.error { border-left-color: var(--vscode-editorError-foreground, red); }
.row { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
canvas { display: block; }
select { background: var(--vscode-dropdown-background); color: var(--vscode-dropdown-foreground);
  border: 1px solid var(--vscode-dropdown-border, transparent); font: inherit; padding: 1px 4px; }
`;
