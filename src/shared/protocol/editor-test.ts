/**
 * Test-only conversation between the extension and the editor webview, apart from the product
 * protocol (./editor.ts) so that what ships to users carries no test message. Only the test API
 * sends these (src/extension/extension.ts returns it in ExtensionMode.Test alone), as
 * requests keyed by id (./requests.ts): each reply says what the webview drew once the request
 * settled, so a test awaits its own answer instead of polling render reports.
 */
import type { RenderReport } from './editor';
import type { RequestMessage, ResponseMessage } from './requests';

/**
 * A user action, run through the code path the real input runs. Coordinates are image pixels
 * (origin top-left, y down).
 */
export type TestAction =
  /** As if the user dragged landmark `landmark` of `specimen` to (x, y): the code a drag ends with. */
  | { kind: 'move'; specimen: number; landmark: number; x: number; y: number }
  /** An add as the user asks for it (add mode click): inside the photo only, confirmed beyond the file's common count. */
  | { kind: 'add'; specimen: number; x: number; y: number }
  /**
   * A left click on the photo at (x, y) of `specimen` (default: the one shown), through the
   * handler a real click runs: placing mode, add mode (`ctrlKey`: Ctrl/Cmd+click), bounds, and
   * what a click that edits nothing does.
   */
  | { kind: 'click'; specimen?: number; x: number; y: number; ctrlKey?: boolean }
  /** A keydown on the focused element, as the keyboard sends it. */
  | { kind: 'key'; key: string; shiftKey?: boolean; ctrlKey?: boolean };

/** The test requests the editor webview answers (a type, not an interface: RequestMap is a Record). */
export type EditorTestMethods = {
  /**
   * Runs an action; replies with the render report once it settled: after the document's
   * `update` when the action posted an edit, and after the photo loaded when it showed another
   * specimen.
   */
  action: { params: TestAction; result: RenderReport };
  /** Replies with a report of what is drawn now (once the current photo loaded). */
  report: { params: Record<string, never>; result: RenderReport };
};

/** Extension (test API) -> webview. */
export type HostToWebviewTest = RequestMessage<EditorTestMethods>;
/** Webview -> extension (test API). */
export type WebviewToHostTest = ResponseMessage<EditorTestMethods>;
