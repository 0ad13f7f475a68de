/** The editor webview's HTML: strict CSP with a nonce, only local scripts and styles. */
import type * as vscode from 'vscode';
import { webviewPage } from '../webview-page';

export function editorHtml(webview: vscode.Webview, scriptUri: vscode.Uri, styleUri: vscode.Uri, title: string): string {
  return webviewPage(webview, {
    title,
    scriptUri: scriptUri.toString(),
    head: (nonce) => `<link rel="stylesheet" href="${styleUri.toString()}" nonce="${nonce}">`,
    body: '<div id="app" data-loading="true">Loading landmarks…</div>',
  });
}
