/**
 * Landmark errors of predictions against manual landmarks. Pure.
 *
 * - The error of a landmark is the Euclidean distance between its manual and predicted
 *   positions, in the pixels both are given in (distances are the same in TPS coordinates and
 *   in image coordinates, whichever way y runs).
 * - A landmark missing on either side is excluded from every statistic and counted in `missing`.
 * - SCALE units: an image's errors times its SCALE (units per pixel: the manual specimen's SCALE,
 *   else the predicted one's). Scaled statistics cover only the images that have a SCALE
 *   (`scaledCount` says how many errors that is); absent when none has.
 * - Per landmark: mean, median, p90 (type-7 percentile, see ./stats.ts), max over images.
 *   Overall: the same over all landmark errors pooled.
 * - Images are listed worst first by their mean error; images with no comparable landmark last.
 */
import type { ImageError, LandmarkErrorStats } from '../protocol/engine';
import { summarize } from './stats';

export interface XY {
  x: number;
  y: number;
}

/** One matched specimen. */
export interface SpecimenPair {
  name: string;
  manualImage?: string;
  predictedImage?: string;
  manual: readonly (XY | null)[];
  predicted: readonly (XY | null)[];
  /** Units per pixel (SCALE=), when known. */
  scale?: number;
}

export interface LandmarkStats extends LandmarkErrorStats {
  /** Images where this landmark is missing on either side (excluded from the statistics). */
  missing: number;
  max: number;
  medianScaled?: number;
  p90Scaled?: number;
  /** Errors with a SCALE behind the scaled statistics. */
  scaledCount?: number;
}

export interface ImageStats extends ImageError {
  /** Landmarks missing on either side. */
  missing: number;
  /** Largest landmark error, and which landmark (1-based). */
  max: number;
  worstLandmark: number;
  scale?: number;
  meanScaled?: number;
}

export interface ErrorSummary {
  landmarkCount: number;
  landmarks: LandmarkStats[];
  /** Over all landmark errors pooled. */
  mean: number;
  median: number;
  p90: number;
  max: number;
  /** Landmark errors behind the statistics. */
  count: number;
  /** Landmark slots excluded because missing on either side. */
  missing: number;
  meanScaled?: number;
  medianScaled?: number;
  p90Scaled?: number;
  scaledCount?: number;
  /** Worst first. */
  images: ImageStats[];
}

/** Per-landmark Euclidean errors; null where either side is missing. Lengths must agree. */
export function pointErrors(manual: readonly (XY | null)[], predicted: readonly (XY | null)[]): (number | null)[] {
  if (manual.length !== predicted.length) {
    throw new Error(`landmark counts differ: manual ${manual.length}, predicted ${predicted.length}`);
  }
  return manual.map((a, i) => {
    const b = predicted[i];
    return a && b ? Math.hypot(a.x - b.x, a.y - b.y) : null;
  });
}

/**
 * Statistics of errors in px and, for the images with a SCALE, in SCALE units; `missing`: the
 * landmark slots left out because missing on either side. One landmark's, or all pooled.
 */
function errorStats(errors: readonly number[], scaled: readonly number[], missing: number): Omit<LandmarkStats, 'index'> {
  const s = summarize(errors);
  const out: Omit<LandmarkStats, 'index'> = { mean: s.mean, median: s.median, p90: s.p90, count: s.count, missing, max: s.max };
  if (scaled.length) {
    const sc = summarize(scaled);
    out.meanScaled = sc.mean;
    out.medianScaled = sc.median;
    out.p90Scaled = sc.p90;
    out.scaledCount = sc.count;
  }
  return out;
}

/** One landmark's statistics (1-based `index`), see errorStats. */
export function landmarkStats(index: number, errors: readonly number[], scaled: readonly number[], missing: number): LandmarkStats {
  return { index, ...errorStats(errors, scaled, missing) };
}

/** Statistics over matched specimens (all with the same landmark count). */
export function summarizeErrors(pairs: readonly SpecimenPair[]): ErrorSummary {
  const k = pairs.length ? pairs[0].manual.length : 0;
  const perLandmark: number[][] = Array.from({ length: k }, () => []);
  const perLandmarkScaled: number[][] = Array.from({ length: k }, () => []);
  const missing = new Array<number>(k).fill(0);
  const all: number[] = [];
  const allScaled: number[] = [];
  const images: ImageStats[] = [];
  for (const p of pairs) {
    if (p.manual.length !== k) {
      throw new Error(`specimen "${p.name}" has ${p.manual.length} manual landmarks, the others ${k}`);
    }
    let errors: (number | null)[];
    try {
      errors = pointErrors(p.manual, p.predicted);
    } catch (e) {
      throw new Error(`specimen "${p.name}": ${(e as Error).message}`);
    }
    const valid: number[] = [];
    let worst = -1;
    let worstIndex = 0;
    errors.forEach((e, i) => {
      if (e === null) {
        missing[i]++;
        return;
      }
      valid.push(e);
      perLandmark[i].push(e);
      all.push(e);
      if (p.scale !== undefined) {
        perLandmarkScaled[i].push(e * p.scale);
        allScaled.push(e * p.scale);
      }
      if (e > worst) {
        worst = e;
        worstIndex = i + 1;
      }
    });
    const s = summarize(valid);
    const img: ImageStats = {
      name: p.name,
      errors,
      mean: s.mean,
      missing: errors.length - valid.length,
      max: s.max,
      worstLandmark: worstIndex,
    };
    if (p.manualImage !== undefined) img.manualImage = p.manualImage;
    if (p.predictedImage !== undefined) img.predictedImage = p.predictedImage;
    if (p.scale !== undefined) {
      img.scale = p.scale;
      img.meanScaled = s.mean * p.scale;
    }
    images.push(img);
  }
  images.sort((a, b) => {
    const an = Number.isNaN(a.mean);
    const bn = Number.isNaN(b.mean);
    if (an !== bn) return an ? 1 : -1;
    return an ? a.name.localeCompare(b.name) : b.mean - a.mean;
  });
  const landmarks = perLandmark.map((errs, i) => landmarkStats(i + 1, errs, perLandmarkScaled[i], missing[i]));
  // Overall: the same statistics over every landmark's errors pooled.
  return { landmarkCount: k, landmarks, ...errorStats(all, allScaled, missing.reduce((a, b) => a + b, 0)), images };
}
