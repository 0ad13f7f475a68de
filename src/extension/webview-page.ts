/**
 * The page skeleton every webview of the extension uses (custom editor, training and results
 * panels): a strict Content-Security-Policy with a fresh nonce, only the webview's own origin for
 * images, styles and fonts, and one nonce'd local script. No runtime vscode import (unit-testable).
 */
import * as crypto from 'crypto';
import type * as vscode from 'vscode';

/** A fresh nonce: 16 random bytes, base64 letters and digits only. */
export function webviewNonce(): string {
  return crypto.randomBytes(16).toString('base64').replace(/[^A-Za-z0-9]/g, '');
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

export interface WebviewPage {
  /** Plain text; escaped here. */
  title: string;
  /** The page's bundle, already a webview URI. */
  scriptUri: string;
  /** Styles for <head> (a nonce'd <link> or <style>), given the page's nonce. */
  head: (nonce: string) => string;
  /** The markup the script starts from. */
  body: string;
}

export function webviewPage(webview: Pick<vscode.Webview, 'cspSource'>, page: WebviewPage): string {
  const nonce = webviewNonce();
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data: blob:`,
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(page.title)}</title>
${page.head(nonce)}
</head>
<body>
${page.body}
<script nonce="${nonce}" src="${page.scriptUri}"></script>
</body>
</html>`;
}
