/**
 * The one protocol between the extension (or any other caller) and the engine child process.
 * Messages travel over Node's IPC channel (child_process.fork), as plain JSON objects.
 * Each request carries a caller-chosen `id`; every event about that job repeats it.
 * Pure types: imported by src/engine (the child) and src/extension (the parent).
 */

export type BackendName = 'webgpu' | 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
/** What the user asks for: `auto` picks the best that loads. */
export type BackendChoice = 'auto' | 'webgpu' | 'native-gpu' | 'native-cpu' | 'wasm' | 'cpu';

/** The GPU a WebGPU backend found (GPUAdapterInfo and the limits that decide what fits). */
export interface WebGpuAdapterReport {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A CPU implementation (lavapipe/llvmpipe, SwiftShader, WARP): auto never picks it. */
  software: boolean;
  /** Bytes; 0 when unknown. */
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
}

export interface BackendReport {
  /** The backend that runs. */
  name: BackendName;
  /** Why it was chosen. */
  reason: string;
  /** Backends tried before it, each with why it was not used. */
  rejected: { name: BackendName; why: string }[];
  /** The WebGPU adapter, when WebGPU was probed (the one running, or the one rejected). */
  adapter?: WebGpuAdapterReport;
}

import type { OptionDecl, OptionValue } from './options';

/** The presets the engine ships, in the order a picker lists them. */
export const PRESET_NAMES = ['default', 'pose', 'paper'] as const;

export type PresetName = (typeof PRESET_NAMES)[number];

export function isPresetName(v: unknown): v is PresetName {
  return typeof v === 'string' && (PRESET_NAMES as readonly string[]).includes(v);
}

/** The general training numbers a preset may use (a preset that trains in passes over the photos uses none). */
export type TrainingNumber = 'epochs' | 'batchSize' | 'learningRate' | 'inputSize' | 'patience';

/**
 * What a preset is and the defaults it runs with on the engine's backend (sent in `ready`), so
 * that a caller describes what will run instead of repeating the engine's constants.
 */
export interface PresetInfo {
  name: PresetName;
  /** What the preset is, without figures that depend on the backend. */
  description: string;
  /** Its defaults on this engine's backend: what an option left empty means. */
  defaults: { inputSize: [number, number]; epochs: number; batchSize: number; validationSplit: number };
  /** Which general training numbers it reads: the wizard asks for these only, the CLI warns about others. */
  uses: TrainingNumber[];
  /** Options of its own (name, type, default, doc): what the wizard and the CLI help offer for it. */
  options?: OptionDecl[];
}

export interface TrainOptions {
  /** A TPS file, or a folder of one-specimen TPS files. */
  data: string;
  /** Folder of images, when IMAGE= is not enough to find them. */
  images?: string;
  /** Where to write the model (tfjs files + metadata.json). */
  out: string;
  preset?: PresetName;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  /** Model input size [width, height]; defaults depend on preset and backend. */
  inputSize?: [number, number];
  /** Share of the training images kept for validation (paper: 0.4). */
  validationSplit?: number;
  seed?: number;
  /** Stop after this many epochs without validation improvement (0 = never). */
  patience?: number;
  /** Resume from the checkpoint in `out` if there is one. */
  resume?: boolean;
  /** Initialise from this model folder (fine-tuning). */
  initFrom?: string;
  /** Keep only these 0-based landmark indices (parts with a landmark subset map). */
  landmarkSubset?: number[];
  /** Specimen names (image base names) to exclude from training, e.g. a test set. */
  exclude?: string[];
  /** Specimen names to use exclusively (others ignored). */
  include?: string[];
  /** The preset's own options by name (e.g. `sdm.ridge` for `default`), as declared in PresetInfo.options. */
  presetOptions?: Record<string, OptionValue>;
  /** `default` only: another profile to run instead of its own (stages and their options, as in src/engine/profiles/*.json). */
  profile?: ProfileSpec;
}

/** A pipeline profile as data (what src/engine/profiles/*.json hold): the stages in order and their options. */
export interface ProfileSpec {
  name: string;
  description: string;
  /** Folds of the out-of-fold answers each stage learns from (default 4). */
  folds?: number;
  stages: { stage: string; options?: Record<string, OptionValue> }[];
}

export interface PredictOptions {
  model: string;
  /** A folder of images, or a single image file. */
  images: string;
  recursive?: boolean;
  /** Output TPS path. */
  out: string;
  /** Overwrite `out` if it exists (default false: refuse). */
  overwrite?: boolean;
}

export interface EvaluateOptions {
  /** Manual TPS file or folder. */
  manual: string;
  /** Predicted TPS file or folder. */
  predicted: string;
  /** Images folder for resolving image sizes, when needed. */
  images?: string;
}

export interface RoundsOptions extends Omit<TrainOptions, 'out' | 'exclude' | 'include'> {
  /** Images per test set (paper: 33). */
  testSize: number;
  /** Work folder for the round models and predictions. */
  out: string;
}

/** One data set (part) of a fine-tuning run, with its landmark subset map. */
export interface FinetunePart {
  /** A TPS file, or a folder of one-specimen TPS files. */
  data: string;
  images?: string;
  /** Keep only these 0-based landmark indices, in this order (every part must end with the same count). */
  landmarkSubset?: number[];
  /** A name for reports, e.g. "pronotum". */
  label?: string;
}

/** Pretrain on several parts (landmark subsets mapped to a common count), then fine-tune on one. */
export interface FinetuneOptions extends Omit<TrainOptions, 'data' | 'images' | 'landmarkSubset' | 'initFrom'> {
  pretrain: FinetunePart[];
  target: FinetunePart;
  /** Epochs of the pretraining (default: `epochs`). */
  pretrainEpochs?: number;
  /** Reuse a finished pretrained model from `<out>/pretrained` when there is one. */
  reusePretrained?: boolean;
}

/** The kinds of job a request starts (the request's `type`). */
export type EngineJobKind = 'train' | 'finetune' | 'predict' | 'evaluate' | 'rounds';

/** The job that runs when a request is refused as busy. */
export interface BusyInfo {
  id: string;
  kind: EngineJobKind;
  /** When it started (ms since the epoch). */
  started?: number;
  /** Seconds to its end from its last progress, when known. */
  etaSeconds?: number;
}

/**
 * Why a job ended with an `error` event. A caller tells these apart by this field, never by the
 * message's words (a busy message that says "cancel it" once passed for a cancellation).
 * Absent means `failed`.
 */
export type EngineErrorKind = 'failed' | 'cancelled' | 'busy';

export type EngineRequest =
  | { type: 'train'; id: string; options: TrainOptions }
  | { type: 'finetune'; id: string; options: FinetuneOptions }
  | { type: 'predict'; id: string; options: PredictOptions }
  | { type: 'evaluate'; id: string; options: EvaluateOptions }
  | { type: 'rounds'; id: string; options: RoundsOptions }
  | { type: 'cancel'; id: string }
  | { type: 'shutdown' };

export interface TrainProgress {
  kind: 'train';
  epoch: number; // 1-based
  epochs: number;
  batch: number; // 1-based within the epoch
  batches: number;
  trainLoss?: number;
  valLoss?: number;
  /** Validation mean landmark error in original pixels, when computed. */
  valErrorPx?: number;
  /** Seconds to the end, estimated. */
  etaSeconds?: number;
  message?: string;
  /** Multi-stage presets: the stage running (1-based index of count) and its own done/total. */
  phase?: { name: string; index: number; count: number; done: number; total: number };
  /** Share of the whole training done (0..1), by the stages' estimated work. */
  fraction?: number;
  /** A stage's metric as it trains (e.g. its out-of-fold error in px), for the live curves. */
  metric?: { name: string; value: number };
}

export interface StepProgress {
  kind: 'step';
  /** What is being done: 'decode', 'predict', 'round 2/9', ... */
  stage: string;
  done: number;
  total: number;
  etaSeconds?: number;
  message?: string;
}

export type EngineProgress = TrainProgress | StepProgress;

/** Per-landmark error statistics, pixels of the original photos (and SCALE units when known). */
export interface LandmarkErrorStats {
  index: number; // 1-based
  mean: number;
  median: number;
  p90: number;
  count: number;
  meanScaled?: number;
  /** Images where this landmark is missing on either side (excluded from the statistics). */
  missing?: number;
  max?: number;
  medianScaled?: number;
  p90Scaled?: number;
  /** Errors (specimens with SCALE=) behind the *Scaled statistics. */
  scaledCount?: number;
}

export interface ImageError {
  /** Specimen name (image base name) as matched. */
  name: string;
  manualImage?: string;
  predictedImage?: string;
  /** Per-landmark Euclidean errors in pixels; null where either side is missing. */
  errors: (number | null)[];
  mean: number;
  /** Landmarks missing on either side. */
  missing?: number;
  /** Largest landmark error and its landmark (1-based). */
  max?: number;
  worstLandmark?: number;
  /** SCALE= (units per pixel) and the mean error in those units, when known. */
  scale?: number;
  meanScaled?: number;
}

export interface EvaluationResult {
  landmarks: LandmarkErrorStats[];
  mean: number;
  median: number;
  p90: number;
  matched: number;
  images: ImageError[]; // worst first
  unmatchedManual: string[];
  unmatchedPredicted: string[];
  /** Files compared. */
  manualPath: string;
  predictedPath: string;
  /** Landmarks per specimen. */
  landmarkCount?: number;
  /** Landmark errors behind mean/median/p90, and landmark slots left out as missing. */
  count?: number;
  missing?: number;
  max?: number;
  /** The same in SCALE units, over the specimens with SCALE= (absent when none has). */
  meanScaled?: number;
  medianScaled?: number;
  p90Scaled?: number;
  scaledCount?: number;
  /** Matched specimens left out of the statistics, and why (e.g. a different landmark count). */
  excluded?: { name: string; why: string }[];
  /** Ambiguous names, parse errors. */
  warnings?: string[];
}

export interface TrainResult {
  kind: 'train';
  modelDir: string;
  epochs: number;
  bestEpoch: number;
  bestValLoss: number;
  cancelled: boolean;
  validation?: EvaluationResult;
  seconds: number;
}

export interface PredictResult {
  kind: 'predict';
  out: string;
  predicted: number;
  skipped: { path: string; why: string }[];
  seconds: number;
}

export interface EvaluateResult {
  kind: 'evaluate';
  evaluation: EvaluationResult;
}

export interface RoundsResult {
  kind: 'rounds';
  rounds: number;
  /** True when cancelled: the evaluation covers the rounds that finished. */
  cancelled?: boolean;
  /** Round model folders (`<out>/round-01`, ...). */
  roundDirs?: string[];
  evaluation: EvaluationResult;
  predictedTps: string;
  seconds: number;
}

export interface FinetuneResult {
  kind: 'finetune';
  /** The pretrained model folder (`<out>/pretrained`). */
  pretrainedDir: string;
  /** The fine-tuned model folder (`<out>`). */
  modelDir: string;
  pretrain: TrainResult;
  finetune: TrainResult;
  seconds: number;
}

export type EngineResult = TrainResult | PredictResult | EvaluateResult | RoundsResult | FinetuneResult;

export type EngineEvent =
  | { type: 'ready'; backend: BackendReport; pid: number; presets?: PresetInfo[] }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string; id?: string }
  | { type: 'progress'; id: string; progress: EngineProgress }
  | { type: 'result'; id: string; result: EngineResult }
  | { type: 'error'; id: string; message: string; detail?: string; kind?: EngineErrorKind; busy?: BusyInfo };

export function isEngineEvent(v: unknown): v is EngineEvent {
  return typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string';
}
