/**
 * Extension <-> webview protocols of the workbench: the live training view and the results view.
 * Pure types: imported by src/extension/workbench (host side) and src/webview/{training,results}.
 * Each message is a discriminated union member; webviews talk only through these.
 */
import type { TrainProgress } from './engine';

// ---------------------------------------------------------------------------------------------
// Training view
// ---------------------------------------------------------------------------------------------

export interface TrainingRunInfo {
  /** Dataset path as the user picked it (TPS file or folder). */
  dataset: string;
  /** Where the model is being written. */
  modelDir: string;
  preset: string;
  /** 0 = the preset's default. */
  epochs: number;
  /** "WxH", or '' for the preset's default. */
  inputSize: string;
  validationSplit: number;
  /** ISO time the run started. */
  started: string;
}

/** One point of a loss curve: the value at the end of an epoch (or a fractional epoch for batches). */
export interface LossPoint {
  /** Epoch position, e.g. 3 for the end of epoch 3, 2.5 halfway through epoch 3. */
  x: number;
  y: number;
}

/** One stage's metric as training runs (x = % of the whole training done). */
export interface StageCurve {
  /** e.g. "sdm: out-of-fold error px". */
  name: string;
  points: LossPoint[];
}

export interface TrainingFinal {
  modelDir: string;
  cancelled: boolean;
  epochs: number;
  bestEpoch: number;
  bestValLoss: number;
  seconds: number;
  /** Validation error per landmark (pixels of the original photos), when the engine computed it. */
  perLandmark?: { index: number; mean: number; median: number; p90: number }[];
  meanErrorPx?: number;
  /** Whether a validation evaluation can be opened in the results view. */
  hasResults: boolean;
}

export type TrainingToView =
  | { type: 'init'; run: TrainingRunInfo }
  | { type: 'backend'; name: string; reason: string }
  /** The engine's training progress as it came (TrainProgress without its kind). */
  | ({ type: 'progress' } & Omit<TrainProgress, 'kind'>)
  | { type: 'done'; final: TrainingFinal }
  | { type: 'failed'; message: string; hint: string };

export type TrainingFromView =
  | { type: 'ready' }
  | { type: 'cancel' }
  | { type: 'openResults' }
  | { type: 'revealModel' }
  | { type: 'showLog' }
  /** What the view drew, so tests can check it. */
  | { type: 'rendered'; trainPoints: number; valPoints: number; state: 'running' | 'done' | 'failed' | 'cancelled'; stageCurves?: { name: string; points: number }[] };

// ---------------------------------------------------------------------------------------------
// Results view
// ---------------------------------------------------------------------------------------------

/** A point in image pixels: origin top-left, y down (already converted from TPS). */
export interface ImagePoint {
  x: number;
  y: number;
}

export interface ResultsImage {
  /** Specimen name as matched by the evaluation. */
  name: string;
  /** The photo the browser can show: a file path on the host side, its webview URI in the webview. */
  src?: string;
  /** Why there is no photo, when there is none. */
  missing?: string;
  /** Image size in pixels, when known before the webview loads it. */
  width?: number;
  height?: number;
  /** Manual and predicted landmarks in image pixels (null = missing on that side). */
  manual: (ImagePoint | null)[];
  predicted: (ImagePoint | null)[];
  /** Per-landmark Euclidean error in pixels; null where either side is missing. */
  errors: (number | null)[];
  /** Mean error over the landmarks present, pixels. */
  mean: number;
  /** SCALE= of the manual specimen (units per pixel), when given. */
  scale?: number;
  /** 0-based index of the specimen in the manual TPS file, for "open in editor". */
  manualIndex?: number;
}

export interface ResultsTableRow {
  index: number; // 1-based landmark
  count: number;
  mean: number;
  median: number;
  p90: number;
  /** Same in SCALE units, over the images that have a SCALE. */
  meanScaled?: number;
  medianScaled?: number;
  p90Scaled?: number;
}

export interface ResultsModel {
  title: string;
  manualPath: string;
  predictedPath: string;
  landmarkCount: number;
  /** Worst first. */
  images: ResultsImage[];
  table: ResultsTableRow[];
  overall: { mean: number; median: number; p90: number; matched: number };
  unmatchedManual: string[];
  unmatchedPredicted: string[];
  /** Index into `images` of the reference image for the spatial heatmap. */
  referenceIndex: number;
}

export type ResultsSection = 'table' | 'heatmap' | 'spatial' | 'images';

export type ResultsToView =
  | { type: 'show'; model: ResultsModel }
  /** Scroll to a section (tests' screenshots, commands). */
  | { type: 'reveal'; section: ResultsSection };

export interface ResultsRendered {
  type: 'rendered';
  /** Image cards drawn (with or without a photo). */
  images: number;
  /** Photos that loaded and were drawn with their landmarks. */
  photos: number;
  /** Cells of the landmark x image heatmap. */
  heatmapCells: number;
  /** Image labels drawn under the heatmap's columns (one column in `every` when they are narrow). */
  heatmapLabels?: string[];
  /** Landmarks drawn on the spatial view. */
  spatialLandmarks: number;
  tableRows: number;
}

export type ResultsFromView =
  | { type: 'ready' }
  | { type: 'openSpecimen'; name: string }
  | { type: 'exportCsv' }
  /** The shape view (Procrustes) of the predicted file: outliers are shapes to check. */
  | { type: 'shapeOfPredicted' }
  | ResultsRendered;
