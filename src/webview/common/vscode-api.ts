/** The webview side of postMessage, typed per conversation. */
export interface VsCodeApi<Out> {
  postMessage(msg: Out): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi<Out>(): VsCodeApi<Out>;

// VS Code allows one acquireVsCodeApi() call per page: every module asks here.
let api: unknown;
export function vscodeApi<Out>(): VsCodeApi<Out> {
  api ??= acquireVsCodeApi<Out>();
  return api as VsCodeApi<Out>;
}
