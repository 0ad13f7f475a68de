/**
 * The stage contract: what every step of a landmark pipeline provides, so that a profile (a list
 * of stages and their options, src/engine/profiles) is trained and applied by one pipeline
 * (./pipeline.ts) instead of being wired by hand.
 *
 * Stacking: a stage is fitted on the training photos together with the answers the stages before
 * it gave on those photos OUT OF FOLD (by models that never saw the photo), so it learns to fix
 * the errors those stages make on new photos. When a later stage (or the doubt calibration)
 * needs them, a stage returns its own such answers; how it gets them is its business (the
 * cascade in one decoding pass for all folds, the SDM by K refits, the patch CNN in-sample).
 */
import type { BackendName } from '../../shared/protocol/engine';
import type { OptionDecl, OptionValues } from '../../shared/protocol/options';
import type { GreyImage } from '../imaging/grey';
import type { Sample } from '../presets/preset';
import type { PhotoStore } from './photos';

export type Point = [number, number];

/** A stage's answer on one photo: landmarks (original px, y down) and the raw doubt of each (px). */
export interface StageAnswer {
  landmarks: Point[];
  /**
   * Raw per-landmark doubt signal in px, accumulated along the pipeline (a stage adds what it
   * knows: templates disagreeing, how far it moved a landmark, ...). The pipeline calibrates the
   * last one into a 90% error bound.
   */
  doubt: number[];
}

/** What a stage knows before fitting, to decide whether it can run and what it will read. */
export interface StagePlan {
  samples: Sample[];
  /** Indices of the photos with every landmark set. */
  complete: number[];
  landmarkCount: number;
  /** Pyramid levels every photo is cut into (level 0 = full size, each next half as wide). */
  levels: number;
  /** Size of the first photo (the others are assumed alike for memory planning). */
  firstSize: { width: number; height: number };
  backend?: BackendName;
  folds: number;
  /** Whether the photos' pyramids are kept in memory between passes (they fit), else decoded per pass. */
  photosKept: boolean;
}

export interface FitContext extends StagePlan {
  photos: PhotoStore;
  /** Per photo: the stages before's out-of-fold answer, undefined where they gave none (and for the first stage). */
  starts: (StageAnswer | undefined)[];
  /** Whether a later stage or the calibration will use this stage's own out-of-fold answers. */
  answersWanted: boolean;
  cancelled(): boolean;
  /** Progress within this stage: done of total units, and a metric when it has one (e.g. a validation error). */
  progress(done: number, total: number, metric?: StageMetric): void;
  log(message: string): void;
}

export interface StageMetric {
  /** e.g. "out-of-fold error px", "loss". */
  name: string;
  value: number;
}

export interface Fitted<M> {
  model: M;
  /** Per photo: this stage's answer out of fold (undefined where it gave none); absent when not wanted. */
  answers?: (StageAnswer | undefined)[];
  /**
   * The answers came from the model that trained on those photos (optimistic); the calibration
   * then averages their errors with the out-of-fold errors of the stage before.
   */
  inSample?: boolean;
  /** What to keep about the fit in metadata.json (sizes, rules chosen). */
  summary?: Record<string, unknown>;
}

/** One model's part on disk: JSON metadata plus its Float32 weights (written into one file pair by the pipeline). */
export interface StagePart {
  meta: unknown;
  weights: Float32Array;
}

export interface Stage<M> {
  /** Name used in profiles and model files. */
  readonly name: string;
  /** One line for people. */
  readonly description: string;
  readonly options: readonly OptionDecl[];
  /** Why the stage cannot be fitted on this data, or '' when it can (it is then skipped, with this logged). */
  whyNot(plan: StagePlan, options: OptionValues): string;
  /** Lowest pyramid level it reads from kept photos (the pipeline keeps levels from the lowest any stage reads). */
  lowestLevel?(plan: StagePlan, options: OptionValues): number;
  /** Rough cost in photo passes (one decode + pyramid + work on one photo = 1), for one progress scale and a steady ETA. */
  work(plan: StagePlan, options: OptionValues, keptPhotos: boolean): number;
  fit(ctx: FitContext, options: OptionValues): Promise<Fitted<M> | undefined>;
  /** The stage's answer on a photo from the stages before's answer (undefined for a first stage). */
  apply(model: M, pyramid: GreyImage[], start: StageAnswer | undefined): Promise<StageAnswer>;
  serialise(model: M): Promise<StagePart>;
  deserialise(part: StagePart, landmarkCount: number): M;
  dispose?(model: M): void;
}

/** A stage of unknown model type, as a pipeline holds it. */
export type AnyStage = Stage<unknown>;

/** Fewest complete training photos for which a refinement stage (one that learns from a start) is fitted. */
export const MIN_REFINE_PHOTOS = 12;

/** Waits one macrotask: lets a cancel message in during long loops. */
export function yieldToEvents(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}
