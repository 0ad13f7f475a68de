/**
 * The preset contract: a preset brings its own training and prediction pipeline.
 *
 * The engine (src/engine/train/run.ts) loads the dataset, resolves options, splits train /
 * validation, and hands a preset a TrainContext; the preset trains, writes whatever model
 * files it needs into `ctx.modelDir` (through src/engine/model-io for tfjs models) and returns
 * a TrainOutcome. The engine then writes metadata.json (preset name, landmark count, input
 * size, ...). To predict, the engine reads metadata.json, picks the preset by name and calls
 * `preset.load(dir, metadata)`, which returns a Predictor working on image files and giving
 * landmarks in ORIGINAL photo pixels (origin top-left, y down; the engine converts to TPS).
 *
 * A preset may reuse the generic loop in src/engine/train/loop.ts (progress, checkpoints,
 * best-kept, cancel, resume, early stopping) or run its own, e.g. several stages
 * (coarse-to-fine): it must then honour the same hooks (ctx.progress, ctx.cancel, resume).
 */
import type * as tfjs from '../backend/tf';
import type { BackendName, PresetName, ProfileSpec, TrainingNumber, TrainProgress } from '../../shared/protocol/engine';
import type { OptionDecl, OptionValue } from '../../shared/protocol/options';
// metadata.json's type and parser live in src/shared (the extension reads it too); re-exported for the engine.
import type { ModelMetadata } from '../../shared/model-metadata';
export type { ModelMetadata } from '../../shared/model-metadata';

export type Tf = typeof tfjs;

/** A landmark in image pixels: origin top-left, y down; null = missing. */
export type PixelPoint = [number, number] | null;

/** One training / validation image with its manual landmarks. */
export interface Sample {
  /** Specimen name (image base name without extension), for reports. */
  name: string;
  /** Absolute path of the image file. */
  imagePath: string;
  /** Manual landmarks in original image pixels (top-left origin, y down); null = missing. */
  landmarks: PixelPoint[];
  /** SCALE= (units per pixel) when known. */
  scale?: number;
}

/** Options after defaults: every field set. */
export interface ResolvedTrainOptions {
  /** Model input [width, height]. */
  inputSize: [number, number];
  epochs: number;
  batchSize: number;
  learningRate: number;
  validationSplit: number;
  seed: number;
  /** Epochs without validation improvement before stopping (0 = never). */
  patience: number;
}

/** Cooperative cancellation: checked between batches. */
export interface CancelToken {
  readonly cancelled: boolean;
}

export interface TrainContext {
  tf: Tf;
  backend: BackendName;
  /** Training images (validation images excluded). */
  train: Sample[];
  /** Validation images (never trained on; used for model selection / early stopping). */
  validation: Sample[];
  landmarkCount: number;
  landmarkNames?: string[];
  options: ResolvedTrainOptions;
  /** Folder for the final model files (best model). Exists. */
  modelDir: string;
  /** Folder for resumable state (last epoch). Exists. */
  checkpointDir: string;
  /** Resume from checkpointDir if it holds a checkpoint. */
  resume: boolean;
  /** A model folder to initialise from (fine-tuning); same preset. */
  initFrom?: string;
  /** The preset's own declared options (`Preset.options`) as the user set them; unset ones take their defaults. */
  presetOptions?: Record<string, OptionValue>;
  /** A profile to run instead of the preset's own (presets built from profiles). */
  profile?: ProfileSpec;
  cancel: CancelToken;
  progress(p: TrainProgress): void;
  log(message: string): void;
}

export interface TrainOutcome {
  epochs: number;
  bestEpoch: number;
  bestValLoss: number;
  cancelled: boolean;
  /** Anything the preset wants kept in metadata.json (`presetData`), e.g. stage sizes. */
  presetData?: Record<string, unknown>;
  /** Loss history per epoch, for the training view and the report. */
  history?: { epoch: number; trainLoss: number; valLoss: number }[];
}

/** What a preset is given to load a model (the parsed metadata.json). */
export interface LoadContext {
  tf: Tf;
  backend: BackendName;
  metadata: ModelMetadata;
  log(message: string): void;
}

export interface Prediction {
  /** Landmarks in ORIGINAL photo pixels (top-left origin, y down). */
  landmarks: [number, number][];
  /** Optional 0..1 confidence (higher = more trustworthy) for outlier ranking. */
  confidence?: number;
  /**
   * Optional per-landmark doubt in original pixels: for calibrated models the bound the error
   * stays under 90% of the time, else a raw disagreement (e.g. across TTA) that ranks landmarks.
   */
  spreadPx?: number[];
  /** Optional per-landmark expected error in original pixels (calibrated models). */
  expectedPx?: number[];
  /** Original image size. */
  width: number;
  height: number;
}

export interface Predictor {
  landmarkCount: number;
  /**
   * How many predict() calls may run at once (src/engine/predict-each.ts): more than one lets a
   * photo decode while another is computed. 1 when absent.
   */
  readonly inFlight?: number;
  predict(imagePath: string): Promise<Prediction>;
  /** Presets of stages: the landmarks after each stage (original px), e.g. for a per-stage benchmark. */
  predictEachStage?(imagePath: string): Promise<{ stage: string; landmarks: [number, number][] }[]>;
  dispose(): void;
}

export interface PresetDefaults {
  inputSize: [number, number];
  epochs: number;
  batchSize: number;
  learningRate: number;
  validationSplit: number;
  patience: number;
}

export interface Preset {
  name: PresetName;
  /**
   * What the preset is, for people (CLI help, the Train wizard). No figure that depends on the
   * backend (input size, epochs): those come from `defaults(backend)`, which callers show.
   */
  description: string;
  /** Defaults for a backend (e.g. a smaller input size on wasm). */
  defaults(backend: BackendName): PresetDefaults;
  /** The general training numbers it reads (the others in PresetDefaults are nominal for it). */
  uses: readonly TrainingNumber[];
  /** Options of its own (e.g. a stage's settings, `sdm.ridge`), declared with defaults and docs; set through TrainOptions.presetOptions. */
  options?(): OptionDecl[];
  train(ctx: TrainContext): Promise<TrainOutcome>;
  load(dir: string, ctx: LoadContext): Promise<Predictor>;
}
