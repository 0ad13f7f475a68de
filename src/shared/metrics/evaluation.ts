/**
 * The protocol's EvaluationResult built from matched specimens, with the extra detail the
 * metrics compute (missing counts, max, SCALE-unit statistics). Pure; used by `evaluate`, and
 * usable by validation and rounds so every report computes errors the same way.
 */
import type { EvaluationResult } from '../protocol/engine';
import { type ErrorSummary, type ImageStats, type LandmarkStats, type SpecimenPair, summarizeErrors } from './errors';

/** A specimen left out of the statistics, and why. */
export interface ExcludedSpecimen {
  name: string;
  why: string;
}

export interface Evaluation extends EvaluationResult {
  landmarks: LandmarkStats[];
  images: ImageStats[];
  landmarkCount: number;
  /** Landmark errors behind the overall statistics. */
  count: number;
  /** Landmark slots excluded because missing on either side. */
  missing: number;
  max: number;
  meanScaled?: number;
  medianScaled?: number;
  p90Scaled?: number;
  scaledCount?: number;
  /** Matched specimens left out (e.g. a landmark count that differs). */
  excluded: ExcludedSpecimen[];
  /** Ambiguous names, parse problems. */
  warnings: string[];
}

export interface EvaluationInput {
  pairs: SpecimenPair[];
  manualPath: string;
  predictedPath: string;
  unmatchedManual?: string[];
  unmatchedPredicted?: string[];
  warnings?: string[];
}

/**
 * Summarises the pairs. Pairs whose landmark counts differ from the most common manual count,
 * or whose two sides disagree, are excluded and listed rather than failing the evaluation.
 */
export function buildEvaluation(input: EvaluationInput): Evaluation {
  const counts = new Map<number, number>();
  for (const p of input.pairs) if (p.manual.length > 0) counts.set(p.manual.length, (counts.get(p.manual.length) ?? 0) + 1);
  let k = 0;
  let best = -1;
  for (const [n, c] of counts) if (c > best || (c === best && n > k)) [k, best] = [n, c];
  const excluded: ExcludedSpecimen[] = [];
  const kept: SpecimenPair[] = [];
  for (const p of input.pairs) {
    if (p.manual.length === 0) excluded.push({ name: p.name, why: 'the manual specimen has no landmarks (LM=0)' });
    else if (p.manual.length !== k) excluded.push({ name: p.name, why: `${p.manual.length} manual landmarks, most specimens have ${k}` });
    else if (p.predicted.length !== k) excluded.push({ name: p.name, why: `${p.predicted.length} predicted landmarks, manual has ${k}` });
    else kept.push(p);
  }
  const s: ErrorSummary = summarizeErrors(kept);
  const out: Evaluation = {
    landmarks: s.landmarks,
    mean: s.mean,
    median: s.median,
    p90: s.p90,
    matched: kept.length,
    images: s.images,
    unmatchedManual: input.unmatchedManual ?? [],
    unmatchedPredicted: input.unmatchedPredicted ?? [],
    manualPath: input.manualPath,
    predictedPath: input.predictedPath,
    landmarkCount: k,
    count: s.count,
    missing: s.missing,
    max: s.max,
    excluded,
    warnings: input.warnings ?? [],
  };
  if (s.meanScaled !== undefined) {
    out.meanScaled = s.meanScaled;
    out.medianScaled = s.medianScaled;
    out.p90Scaled = s.p90Scaled;
    out.scaledCount = s.scaledCount;
  }
  return out;
}
