/** The editor webview's line to the extension: messages of src/shared/protocol/editor.ts out. */
import type { WebviewToHost } from '../../shared/protocol/editor';
import type { WebviewToHostTest } from '../../shared/protocol/editor-test';
import { vscodeApi } from '../common/vscode-api';

/** When the script started (render reports say how long the first drawing took). */
export const scriptStart = performance.now();

export const host = vscodeApi<WebviewToHost | WebviewToHostTest>();

export function post(m: WebviewToHost): void {
  host.postMessage(m);
}

/** Replies to a test request (src/shared/protocol/editor-test.ts); only test runs ask any. */
export function postTest(m: WebviewToHostTest): void {
  host.postMessage(m);
}
