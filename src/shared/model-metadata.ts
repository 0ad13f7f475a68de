/**
 * metadata.json, the file beside a trained model's files that says what the model is: its type
 * and its one parser. Pure (text in, typed metadata out), so the engine (which opens models) and
 * the extension (which lists them in pickers without importing the engine) read it alike.
 *
 * `parseModelMetadata` checks every field it knows once and gives two answers:
 *   - `problem`: why the engine would refuse the file (the first check that failed, with the
 *     words the engine's errors have always used), absent when it would open it; then `metadata`
 *     is the whole, typed file;
 *   - `summary`: whatever fields passed their check, also of a file with a problem, so a model
 *     list can still show what a half-readable (older, partly written) metadata.json says.
 */
import { isPresetName, type BackendName, type PresetName } from './protocol/engine';

/** metadata.json next to the model files. Version 1. */
export interface ModelMetadata {
  format: 'landmarks-model';
  version: 1;
  preset: PresetName;
  landmarkCount: number;
  landmarkNames?: string[];
  /** Model input [width, height]. */
  inputSize: [number, number];
  normalisation: {
    /** How pixels are scaled, e.g. "grey [0,1]". */
    image: string;
    /** How coordinates are scaled, e.g. "[-1,1] of the resized image". */
    coordinates: string;
  };
  training: {
    data: string;
    images: number;
    trainImages: number;
    validationImages: number;
    epochs: number;
    bestEpoch: number;
    bestValLoss: number;
    batchSize: number;
    learningRate: number;
    seed: number;
    seconds: number;
    cancelled: boolean;
    /** Landmark subset kept (0-based indices into the source file), when any. */
    landmarkSubset?: number[];
    initFrom?: string;
  };
  backend: BackendName;
  /** Validation metrics in original pixels, when computed. */
  metrics?: { meanPx?: number; medianPx?: number; p90Px?: number; perLandmarkMeanPx?: number[] };
  presetData?: Record<string, unknown>;
  createdAt: string;
  engineVersion: string;
}

/** What a model list shows of a metadata file: each field only where it passed its check. */
export interface ModelMetadataSummary {
  /** As written, also a preset this engine does not know (the problem then says so). */
  preset?: string;
  landmarkCount?: number;
  inputSize?: [number, number];
  createdAt?: string;
  /** The training data (training.data). */
  data?: string;
  cancelled?: boolean;
  /** Validation mean error in px (metrics.meanPx). */
  meanPx?: number;
}

export interface ParsedModelMetadata {
  summary: ModelMetadataSummary;
  /** Why the engine would not open the model; absent when `metadata` is set. */
  problem?: string;
  metadata?: ModelMetadata;
}

function record(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function isPositiveInteger(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}

function isSize(v: unknown): v is [number, number] {
  return Array.isArray(v) && v.length === 2 && v.every(isPositiveInteger);
}

/** Checks parsed JSON (see the header). */
export function checkModelMetadata(raw: unknown): ParsedModelMetadata {
  const m = record(raw);
  if (!m) return { summary: {}, problem: 'not a landmark model metadata file (format is not "landmarks-model")' };
  const summary: ModelMetadataSummary = {};
  if (typeof m.preset === 'string') summary.preset = m.preset;
  if (isPositiveInteger(m.landmarkCount)) summary.landmarkCount = m.landmarkCount;
  if (isSize(m.inputSize)) summary.inputSize = [m.inputSize[0], m.inputSize[1]];
  if (typeof m.createdAt === 'string') summary.createdAt = m.createdAt;
  const training = record(m.training);
  if (typeof training?.data === 'string') summary.data = training.data;
  if (typeof training?.cancelled === 'boolean') summary.cancelled = training.cancelled;
  const metrics = record(m.metrics);
  if (typeof metrics?.meanPx === 'number') summary.meanPx = metrics.meanPx;

  let problem: string | undefined;
  if (m.format !== 'landmarks-model') problem = 'not a landmark model metadata file (format is not "landmarks-model")';
  else if (m.version !== 1) problem = `unsupported metadata version ${String(m.version)} (this engine reads 1)`;
  else if (!isPresetName(m.preset)) problem = `unknown preset "${String(m.preset)}"`;
  else if (summary.landmarkCount === undefined) problem = `bad landmarkCount ${String(m.landmarkCount)}`;
  else if (summary.inputSize === undefined) problem = `bad inputSize ${JSON.stringify(m.inputSize)}`;
  // The fields checked above are the ones the engine has always required; the rest of the file is
  // the engine's own record, written by src/engine/train/run.ts, and taken as written.
  return problem === undefined ? { summary, metadata: m as unknown as ModelMetadata } : { summary, problem };
}

/** Parses metadata.json's text: a file that is not JSON is a problem like any other. */
export function parseModelMetadata(text: string): ParsedModelMetadata {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { summary: {}, problem: `corrupt metadata (not valid JSON: ${e instanceof Error ? e.message : String(e)})` };
  }
  return checkModelMetadata(raw);
}
