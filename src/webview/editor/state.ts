/**
 * Everything the editor webview knows and remembers, in one object: what the host sent (the
 * specimens, photos, settings), what the user is doing (selection, modes, a drag), and the view
 * (zoom, pan). Modules read and write `state`; nothing else of the editor is mutable at module
 * level, so one place says what there is to keep consistent.
 */
import type { EditorSettings, ImageInfo, SpecimenView } from '../../shared/protocol/editor';
import type { TpsPoint } from '../../shared/tps/model';
import type { ReviewFlags, ReviewTolerance, ToleranceFlags } from '../../shared/tps/review';
import type { Frame, View } from './geometry';
import { host } from './host';

/** What VS Code keeps of a view across hide/show and restarts (vscode.setState). */
export interface SavedState {
  current: number;
  selectedLandmark: number | null;
  /** The review tolerance set in this view's field (wins over the setting), if any. */
  tolerance?: ReviewTolerance;
}

/** An add waiting for the user's yes: it would give the specimen more landmarks than the others have. */
export interface PendingAdd {
  specimen: number;
  point: TpsPoint;
  question: string;
  accept: string;
}

/**
 * A marker being dragged: its live image position, where the pointer went down (screen) and the
 * offset from the pointer to the marker's centre (image), so a drag moves the marker by the
 * pointer's displacement and a click with a pixel of jitter does not move it at all.
 */
export interface Drag {
  landmark: number;
  pointerId: number;
  pos: TpsPoint;
  moved: boolean;
  start: TpsPoint;
  grab: TpsPoint;
}

export interface Pan {
  pointerId: number;
  x: number;
  y: number;
  tx: number;
  ty: number;
}

export const state = {
  // ------------------------------------------------ from the host
  specimens: [] as SpecimenView[],
  fileName: '',
  problems: [] as string[],
  settings: { landmarkSize: 7 } as EditorSettings,
  images: new Map<number, ImageInfo>(),
  /** Specimens whose photo was asked for (each once). */
  requested: new Set<number>(),
  /** Edits posted, and document updates received: a test request that edited waits for the update. */
  editsPosted: 0,
  updatesReceived: 0,

  // ------------------------------------------------ selection and modes
  current: 0,
  selected: null as number | null,
  addMode: false,
  /**
   * Missing landmark that the next click on the photo places, null when not placing. Placing is
   * an explicit mode (P, Enter, the Place button) so that a stray click never edits.
   */
  placing: null as number | null,
  pendingAdd: null as PendingAdd | null,
  /** Specimens the user already allowed more landmarks than the file's common count (asked once each). */
  extraAllowed: new Set<number>(),
  /** A one-off message in the status line (why a click did nothing); cleared by the next action. */
  note: '',
  drag: null as Drag | null,
  pan: null as Pan | null,
  /** Specimen list in file order, or least confident prediction first (R). */
  reviewOrder: false,
  /** What to check first in a predicted file (recomputed from the specimens' COMMENT notes). */
  flags: { specimens: [], landmarks: new Map() } as ReviewFlags | ToleranceFlags,
  /** The tolerance typed in this view's field; undefined: the setting's. */
  viewTolerance: undefined as ReviewTolerance | undefined,

  // ------------------------------------------------ the view and the photo
  view: { scale: 1, tx: 0, ty: 0 } as View,
  fitScale: 1,
  /** Frame the current view was fitted for (to keep zoom between same-size photos). */
  viewFrameKey: '',
  /** Frames of blank canvases, fixed once computed so edits do not shift the canvas. */
  blankFrames: new Map<number, Frame>(),
  /** The current photo is still loading (said in the status line, not over the drawing). */
  loading: false,
  /** src of the photo element once it finished loading. */
  loadedSrc: '',
  imageError: '',
  /** When the current photo's src was set, and how long it took to load. */
  srcSetAt: 0,
  imageLoadMs: undefined as number | undefined,
  /** Actions waiting for a specimen's frame (tests can act on a specimen not yet shown). */
  pendingFrame: [] as { specimen: number; run: () => void }[],
  /** A scroll of the windowed specimen list is waiting for its animation frame. */
  listScrollPending: false,
};

export function saveState(): void {
  const s: SavedState = { current: state.current, selectedLandmark: state.selected, ...(state.viewTolerance ? { tolerance: state.viewTolerance } : {}) };
  host.setState(s);
}

export function savedState(): SavedState | undefined {
  return host.getState() as SavedState | undefined;
}
