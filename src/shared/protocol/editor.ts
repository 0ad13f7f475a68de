/**
 * The protocol between the extension (the TPS custom editor provider) and the editor webview.
 * Pure types: imported by src/extension/editor (host side) and src/webview/editor (DOM side).
 * Every message is a member of a discriminated union on `type`. What only tests send or read
 * (test actions, render reports) is in ./editor-test.ts.
 *
 * Coordinates: landmarks travel in TPS coordinates (tpsDig: origin bottom-left, y up), exactly
 * as stored in the document. The webview converts to image pixels for drawing through
 * src/shared/tps/coords.ts, and converts drags back before posting an edit.
 */
import type { TpsLandmark, TpsPoint } from '../tps/model';
import type { LandmarkEdit } from '../editing/edits';

/** What the webview needs to draw one specimen. */
export interface SpecimenView {
  /** 0-based index in the document. */
  index: number;
  /** Display name: IMAGE= (file name), else ID=, else "Specimen N". */
  name: string;
  /** IMAGE= as written, if any. */
  imageField?: string;
  /** ID= if any. */
  id?: string;
  landmarks: TpsLandmark[];
  /** From a predicted specimen's COMMENT= (../tps/review.ts): 0..1, higher = more trustworthy. */
  confidence?: number;
  /** Per landmark, original pixels; negative = corrected by hand since the prediction. */
  doubtPx?: number[];
  /** SCALE= (units per pixel), when the specimen has one: converts a tolerance in mm. */
  scale?: number;
  /**
   * 0-based indices of landmark slots whose row in the file cannot be read; the slot is `null`
   * in `landmarks` (drawn as "unreadable", not "missing").
   */
  unreadable?: number[];
  /**
   * The specimen's CURVES= / OUTLINES= runs (one entry per POINTS= block), TPS coordinates.
   * Drawn, not edited: saving keeps their lines as they are.
   */
  curves?: SpecimenCurve[];
}

export interface SpecimenCurve {
  /** CURVES (an open curve of semilandmarks) or OUTLINES (a closed outline), as written. */
  key: string;
  points: TpsPoint[];
}

/** Where the photo of a specimen is, as the host found it. */
export interface ImageInfo {
  specimen: number;
  /** webview URI of a file the browser can show (JPEG/PNG; TIFF/BMP converted to PNG). */
  src?: string;
  /** Pixel size of the original photo (TPS coordinates refer to it). */
  width?: number;
  height?: number;
  /** Absolute path of the photo on disk, when found. */
  path?: string;
  /** Why there is no image: "IMAGE= missing", "not found: ...", "cannot read: ...". */
  problem?: string;
}

export interface EditorSettings {
  /** Marker radius in screen pixels, constant at any zoom. */
  landmarkSize: number;
  /**
   * Review tolerance (landmarks.review.tolerance / toleranceUnit): a predicted landmark whose
   * `doubt px` bound exceeds it is flagged (../tps/review.ts reviewFlagsByTolerance). 0 or
   * absent: the 10% rule. The editor's field can change it for one file view.
   */
  reviewTolerance?: number;
  reviewToleranceUnit?: 'px' | 'mm';
}

/** Extension -> webview. */
export type HostToWebview =
  | {
      type: 'init';
      fileName: string;
      specimens: SpecimenView[];
      settings: EditorSettings;
      /** Specimen to show first (state restored by the webview wins when valid). */
      selected: number;
      /** Errors from parsing the file, shown as a banner. */
      problems: string[];
    }
  /** The document changed (edit, undo, redo, revert): the full specimen list, cheap for TPS sizes. */
  | { type: 'update'; specimens: SpecimenView[]; problems: string[] }
  | { type: 'image'; image: ImageInfo }
  | { type: 'settings'; settings: EditorSettings }
  /** Show this specimen (from the outline, a results view or a test). */
  | { type: 'select'; specimen: number; landmark?: number };

/** Webview -> extension. */
export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'edit'; edit: LandmarkEdit }
  | { type: 'requestImage'; specimen: number }
  | { type: 'selected'; specimen: number }
  | { type: 'openAsText' }
  | { type: 'log'; level: 'info' | 'error'; message: string };
