/**
 * Test-only conversation between the extension and the editor webview, apart from the product
 * protocol (./editor.ts) so that what users run carries no test message. Only an extension in
 * ExtensionMode.Test sends these (src/extension/extension.ts hands out the test API in that
 * mode alone), as requests keyed by id (./requests.ts): each reply says what the webview drew
 * once the request settled, so a test awaits its own answer instead of polling.
 */
import type { RequestMessage, ResponseMessage } from './requests';

/** A rectangle in the webview's CSS pixels (origin: the webview's top-left). */
export interface ScreenBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** What the webview drew, posted after every render of a specimen once the host asked for them (`watch`), and the reply to `action` and `report`. */
export interface RenderReport {
  specimen: number;
  /** Landmark slots in the specimen. */
  landmarks: number;
  /** Markers drawn (slots minus missing and unreadable). */
  drawn: number;
  /** Slots without a point that are missing landmarks (not counting unreadable ones). */
  missing: number;
  /** 0-based slots whose row in the file cannot be read (SpecimenView.unreadable). */
  unreadable: number[];
  /** Curve / outline runs drawn, and their points. */
  curves: number;
  curvePoints: number;
  imageLoaded: boolean;
  /** Natural size of the image drawn (or of the blank canvas when there is no image). */
  imageWidth: number;
  imageHeight: number;
  /** Image-pixel positions (origin top-left) of the markers, null for missing ones. */
  positions: ({ x: number; y: number } | null)[];
  /** Current zoom (screen pixels per image pixel). */
  zoom: number;
  /** Marker radius in screen pixels. */
  markerRadius: number;
  selectedLandmark: number | null;
  /** Missing landmark that the next click on the photo places (placing mode), else null. */
  placing: number | null;
  /** Add mode: a click on the photo adds a landmark. */
  adding: boolean;
  /** A question shown before an edit is posted (adding beyond the file's common count), if any. */
  confirm?: string;
  /** The status line as shown: counts and selection, a one-off note, and what the keys do now. */
  status: string;
  /** Where things are on screen, to check that nothing covers the drawing area. */
  layout: {
    viewport: ScreenBox;
    /** The notice above the viewport (e.g. "Image not found"), null when hidden. */
    notice: ScreenBox | null;
    /** The banner of problems in the file, null when hidden. */
    banner: ScreenBox | null;
    /** Per landmark, the marker's outer ring; null for slots without a marker. */
    markers: (ScreenBox | null)[];
  };
  /** Landmarks of this specimen drawn with a doubt ring (among the file's most doubtful predictions). */
  doubtful: number[];
  /** Specimen indices in the order the list shows them (file order, or least confident first). */
  listOrder: number[];
  /** The review rule in force: a tolerance (with how many specimens it flags), or the 10% rule. */
  review?: { tolerance: number; unit: 'px' | 'mm'; flagged: number; compared: number; text: string };
  /** Problem shown to the user for this specimen (e.g. image missing). */
  problem?: string;
  /** Milliseconds since the webview script started, and from setting the photo's src to its load. */
  timing?: { sinceStartMs: number; imageLoadMs?: number };
}

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
  /** From now on the webview posts a `rendered` report after every render (the test API's waitForRender, timings). */
  watch: { params: Record<string, never>; result: null };
};

/** Extension (test API) -> webview. */
export type HostToWebviewTest = RequestMessage<EditorTestMethods>;
/** Webview -> extension (test API): replies, and the render reports asked for by `watch`. */
export type WebviewToHostTest = ResponseMessage<EditorTestMethods> | { type: 'rendered'; report: RenderReport };
