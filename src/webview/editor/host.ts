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

/** Test messages out (src/shared/protocol/editor-test.ts): replies and render reports, only ever asked for by tests. */
export function postTest(m: WebviewToHostTest): void {
  host.postMessage(m);
}
