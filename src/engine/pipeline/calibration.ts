/**
 * Doubt as a calibrated error bound (split conformal, normalised per landmark). During training
 * every training photo is located out of fold (stages/cascade/folds.ts: cascade and SDM that never saw it), so
 * for each photo i and landmark j we hold the raw doubt signal s_ij (what the stages say at
 * prediction time) and the true error e_ij. Per landmark the scale is
 *   sigma_ij = m_j * ((1 - w) + w * s_ij / ms_j)
 * with m_j the landmark's median out-of-fold error, ms_j its median signal and w (0..1, one for
 * the model) the weight of the signal, chosen where the bounds rank the out-of-fold errors best
 * (Spearman). The bound is q_j * sigma_ij, q_j the conformal 90% quantile of e_ij / sigma_ij
 * (the ceil(0.9 (n + 1))-th of n ratios, shrunk toward the pooled one when n is small); the
 * expected error is mean_j(e / sigma) * sigma. A landmark a photo lacks (not placed by hand: its
 * error is NaN) is left out of that landmark's statistics only, so frames where a keypoint is
 * often hidden still calibrate the others. Pure; tested in test/unit/default-calibration.test.ts.
 */
import { spearman } from '../../shared/metrics/doubt';

export interface DoubtCalibration {
  /** Aimed coverage of the bound (0.9). */
  level: number;
  /** Weight of the raw signal against the landmark's typical error (0 = a constant bound per landmark). */
  weight: number;
  /** Per landmark: median out-of-fold error (px), median raw signal (px), bound quantile q and mean ratio of e / sigma. */
  medianError: number[];
  medianSignal: number[];
  quantile: number[];
  meanRatio: number[];
  /** Photos it was fitted on. */
  photos: number;
}

/** Fewest labelled training photos (with at least one landmark placed) for which a calibration is fitted. */
export const MIN_CALIBRATION_PHOTOS = 20;
const WEIGHTS = [0, 0.25, 0.5, 0.75, 1];
/** A landmark's own quantile weighs n / (n + SHRINK_PHOTOS) against the pooled one, n its labelled photos. */
const SHRINK_PHOTOS = 20;

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const meanOf = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;

/** The conformal quantile of n ratios: the ceil(level (n + 1))-th smallest (the largest when that passes n). */
export function conformalQuantile(ratios: number[], level: number): number {
  const s = [...ratios].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const k = Math.min(s.length, Math.ceil(level * (s.length + 1)));
  return s[k - 1];
}

function sigmaOf(c: Pick<DoubtCalibration, 'weight' | 'medianError' | 'medianSignal'>, j: number, signal: number): number {
  const m = Math.max(1e-6, c.medianError[j]);
  const ms = c.medianSignal[j];
  const rel = ms > 1e-9 ? Math.max(0, signal) / ms : 1;
  return m * (1 - c.weight + c.weight * rel);
}

/**
 * Fits the calibration from `signals[i][j]` and `errors[i][j]` (photos x landmarks, original px;
 * NaN where photo i lacks landmark j). Undefined with fewer than MIN_CALIBRATION_PHOTOS labelled
 * photos; a landmark labelled on fewer than two of them takes the pooled figures of the others.
 */
export function fitDoubtCalibration(signals: number[][], errors: number[][], level = 0.9): DoubtCalibration | undefined {
  const labelled = errors.filter((r) => r.some(Number.isFinite)).length;
  if (labelled < MIN_CALIBRATION_PHOTOS || signals.length !== errors.length) return undefined;
  const L = errors[0].length;
  // per landmark, the photos where it was placed
  const rows = Array.from({ length: L }, (_, j) => errors.flatMap((r, i) => (Number.isFinite(r[j]) ? [i] : [])));
  const known = rows.filter((r) => r.length >= 2).map((_, j) => j);
  if (!known.length) return undefined;
  const medianError = rows.map((r, j) => Math.max(1e-3, median(r.map((i) => errors[i][j]))));
  const medianSignal = rows.map((r, j) => median((r.length ? r : errors.map((_, i) => i)).map((i) => signals[i][j])));
  // a landmark without errors of its own: the median of the others' typical errors
  const typical = median(known.map((j) => medianError[j]));
  rows.forEach((r, j) => r.length < 2 && (medianError[j] = typical));
  const tried: { c: DoubtCalibration; rho: number }[] = [];
  for (const weight of WEIGHTS) {
    const base = { weight, medianError, medianSignal };
    const ratios = rows.map((r, j) => r.map((i) => errors[i][j] / sigmaOf(base, j, signals[i][j])));
    const pooled = ratios.flat();
    const pooledQ = conformalQuantile(pooled, level);
    const pooledM = meanOf(pooled);
    const share = (j: number): number => ratios[j].length / (ratios[j].length + SHRINK_PHOTOS);
    const quantile = ratios.map((r, j) => (r.length ? share(j) * conformalQuantile(r, level) + (1 - share(j)) * pooledQ : pooledQ));
    const meanRatio = ratios.map((r, j) => (r.length ? share(j) * meanOf(r) + (1 - share(j)) * pooledM : pooledM));
    const c: DoubtCalibration = { level, weight, medianError, medianSignal, quantile, meanRatio, photos: labelled };
    const bounds: number[] = [];
    const errs: number[] = [];
    rows.forEach((r, j) => r.forEach((i) => {
      bounds.push(calibratedBound(c, j, signals[i][j]));
      errs.push(errors[i][j]);
    }));
    const rho = spearman(bounds, errs);
    tried.push({ c, rho: Number.isFinite(rho) ? rho : -1 });
  }
  // the best ranking; within 0.005 of it, the larger weight (more of the photo's own signal)
  const top = Math.max(...tried.map((t) => t.rho));
  return tried.filter((t) => t.rho >= top - 0.005).sort((a, b) => b.c.weight - a.c.weight)[0].c;
}

/** The bound (px) landmark j's error stays under `level` of the time, given its raw signal. */
export function calibratedBound(c: DoubtCalibration, j: number, signal: number): number {
  return c.quantile[j] * sigmaOf(c, j, signal);
}

/** The expected error (px) of landmark j given its raw signal. */
export function expectedError(c: DoubtCalibration, j: number, signal: number): number {
  return c.meanRatio[j] * sigmaOf(c, j, signal);
}

/** Checks a calibration read from a model file against the landmark count (throws a message). */
export function checkCalibration(c: unknown, landmarkCount: number): DoubtCalibration {
  const o = c as Partial<DoubtCalibration>;
  const arrays = [o.medianError, o.medianSignal, o.quantile, o.meanRatio];
  if (typeof o.weight !== 'number' || typeof o.level !== 'number' || arrays.some((a) => !Array.isArray(a) || a.length !== landmarkCount || !a.every((v) => typeof v === 'number' && Number.isFinite(v)))) {
    throw new Error(`doubt calibration: expected ${landmarkCount} finite values per landmark list and a weight`);
  }
  return o as DoubtCalibration;
}
