/**
 * Generalized Procrustes analysis (GPA) of 2D landmark configurations, and a PCA of the aligned
 * shapes. Pure: no fs, no vscode, no tfjs.
 *
 * What is computed, in the terms geomorph and MorphoJ use:
 * - each configuration is centred on its centroid and scaled to unit centroid size (the square
 *   root of the summed squared distances of its landmarks to the centroid);
 * - each is rotated (a proper rotation, never a reflection: a mirrored shape is a different shape)
 *   onto the current consensus, the consensus is the mean of the rotated configurations scaled
 *   back to unit centroid size, and this is repeated until the consensus stops changing;
 * - the Procrustes distance of a specimen is the norm of its aligned configuration minus the
 *   consensus, both at unit centroid size (no tangent-space projection);
 * - PCA of the aligned coordinates projected onto the tangent space at the consensus (x minus
 *   its component along the consensus, as geomorph's and MorphoJ's orthogonal projection), so the
 *   components span the 2K - 4 shape dimensions and none is an artefact of the unit-size sphere:
 *   the variance of each principal component and each specimen's scores.
 *
 * Which specimens take part: those with the file's most common landmark count, no missing or
 * unreadable landmark and a non-zero centroid size. The others are listed in `leftOut` with the
 * reason; nothing is estimated (geomorph's `estimate.missing` is not applied), so a result never
 * rests on invented coordinates.
 */
import type { TpsLandmark } from '../tps/model';
import { percentile } from '../metrics/stats';

export type Point2 = [number, number];

export interface GpaInput {
  /** What the specimen is called in reports: IMAGE= file name or ID=. */
  name: string;
  landmarks: readonly TpsLandmark[];
}

export interface GpaOptions {
  /** Stop when the consensus moves less than this (sum of squared coordinate changes). */
  tolerance?: number;
  maxIterations?: number;
}

export interface GpaSpecimen {
  /** Index of the specimen in the input list. */
  index: number;
  name: string;
  /** Centroid size in the input's units (pixels for TPS files without SCALE). */
  centroidSize: number;
  procrustesDistance: number;
  /** Procrustes distance above Q3 + 1.5 IQR of all distances: a shape to look at. */
  outlier: boolean;
  /** Aligned coordinates at unit centroid size. */
  aligned: Point2[];
  /** Scores on the principal components, in order. */
  scores: number[];
}

export interface GpaLeftOut {
  index: number;
  name: string;
  reason: string;
}

export interface GpaPca {
  /** Variance of each principal component (sample variance, n - 1), largest first. */
  variance: number[];
  /** Share of the total variance of each component. */
  proportion: number[];
}

export interface GpaResult {
  landmarkCount: number;
  specimens: GpaSpecimen[];
  leftOut: GpaLeftOut[];
  /** Mean shape at unit centroid size, centred on the origin. */
  consensus: Point2[];
  iterations: number;
  converged: boolean;
  pca: GpaPca;
  /** Distances above this are outliers (Q3 + 1.5 IQR); NaN with fewer than 4 specimens. */
  outlierThreshold: number;
}

/** Centroid size: square root of the summed squared distances to the centroid. */
export function centroidSize(points: readonly Point2[]): number {
  const [cx, cy] = centroid(points);
  let s = 0;
  for (const [x, y] of points) s += (x - cx) ** 2 + (y - cy) ** 2;
  return Math.sqrt(s);
}

function centroid(points: readonly Point2[]): Point2 {
  let sx = 0;
  let sy = 0;
  for (const [x, y] of points) {
    sx += x;
    sy += y;
  }
  return [sx / points.length, sy / points.length];
}

/** Centred and scaled to unit centroid size. */
function preshape(points: readonly Point2[]): Point2[] {
  const [cx, cy] = centroid(points);
  const size = centroidSize(points);
  return points.map(([x, y]) => [(x - cx) / size, (y - cy) / size]);
}

/**
 * `shape` rotated about the origin onto `target` (both centred), by the proper rotation that
 * minimises the summed squared distances. In 2D it has a closed form: the angle of
 * sum(target_k * conj(shape_k)) in complex notation.
 */
export function rotateOnto(shape: readonly Point2[], target: readonly Point2[]): Point2[] {
  let cos = 0;
  let sin = 0;
  for (let k = 0; k < shape.length; k++) {
    const [x, y] = shape[k];
    const [u, v] = target[k];
    cos += x * u + y * v;
    sin += x * v - y * u;
  }
  const norm = Math.hypot(cos, sin);
  if (norm === 0) return shape.map(([x, y]) => [x, y]);
  const c = cos / norm;
  const s = sin / norm;
  return shape.map(([x, y]) => [c * x - s * y, s * x + c * y]);
}

function meanShape(shapes: readonly Point2[][]): Point2[] {
  const k = shapes[0].length;
  const out: Point2[] = Array.from({ length: k }, () => [0, 0]);
  for (const s of shapes) {
    for (let j = 0; j < k; j++) {
      out[j][0] += s[j][0];
      out[j][1] += s[j][1];
    }
  }
  for (const p of out) {
    p[0] /= shapes.length;
    p[1] /= shapes.length;
  }
  return out;
}

function squaredDistance(a: readonly Point2[], b: readonly Point2[]): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += (a[j][0] - b[j][0]) ** 2 + (a[j][1] - b[j][1]) ** 2;
  return s;
}

/** The most common landmark count (the larger one on a tie), 0 for no specimen. */
function commonCount(inputs: readonly GpaInput[]): number {
  const tally = new Map<number, number>();
  for (const s of inputs) if (s.landmarks.length > 0) tally.set(s.landmarks.length, (tally.get(s.landmarks.length) ?? 0) + 1);
  let best = 0;
  let count = 0;
  for (const [n, c] of tally) if (c > best || (c === best && n > count)) [count, best] = [n, c];
  return count;
}

export function generalizedProcrustes(inputs: readonly GpaInput[], options: GpaOptions = {}): GpaResult {
  const tolerance = options.tolerance ?? 1e-14;
  const maxIterations = options.maxIterations ?? 100;
  const landmarkCount = commonCount(inputs);
  const leftOut: GpaLeftOut[] = [];
  const used: { index: number; name: string; points: Point2[] }[] = [];
  inputs.forEach((s, index) => {
    const name = s.name;
    if (s.landmarks.length !== landmarkCount) {
      leftOut.push({ index, name, reason: `${s.landmarks.length} landmarks, while most specimens have ${landmarkCount}` });
      return;
    }
    const missing = s.landmarks.flatMap((p, j) => (p === null || !Number.isFinite(p.x) || !Number.isFinite(p.y) ? [j + 1] : []));
    if (missing.length) {
      leftOut.push({ index, name, reason: `landmark${missing.length > 1 ? 's' : ''} ${missing.join(', ')} missing: left out (nothing is estimated)` });
      return;
    }
    const points = s.landmarks.map((p) => [p!.x, p!.y] as Point2);
    if (!(centroidSize(points) > 0)) {
      leftOut.push({ index, name, reason: 'all landmarks at one point (centroid size 0)' });
      return;
    }
    used.push({ index, name, points });
  });

  if (used.length === 0 || landmarkCount < 2) {
    return {
      landmarkCount,
      specimens: [],
      leftOut,
      consensus: [],
      iterations: 0,
      converged: false,
      pca: { variance: [], proportion: [] },
      outlierThreshold: NaN,
    };
  }

  const pre = used.map((u) => preshape(u.points));
  let consensus = pre[0];
  let aligned = pre;
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    iterations++;
    aligned = pre.map((s) => rotateOnto(s, consensus));
    const next = preshape(meanShape(aligned));
    // The mean is only defined up to a rotation: keep it facing the previous consensus so the
    // change measures shape, not a spin.
    const faced = rotateOnto(next, consensus);
    const change = squaredDistance(faced, consensus);
    consensus = faced;
    if (change < tolerance) {
      converged = true;
      break;
    }
  }
  aligned = pre.map((s) => rotateOnto(s, consensus));

  const distances = aligned.map((a) => Math.sqrt(squaredDistance(a, consensus)));
  const outlierThreshold =
    distances.length >= 4 ? percentile(distances, 75) + 1.5 * (percentile(distances, 75) - percentile(distances, 25)) : NaN;
  const pca = principalComponents(aligned.map((a) => tangentProjection(a, consensus)));

  return {
    landmarkCount,
    specimens: used.map((u, i) => ({
      index: u.index,
      name: u.name,
      centroidSize: centroidSize(u.points),
      procrustesDistance: distances[i],
      outlier: distances[i] > outlierThreshold,
      aligned: aligned[i],
      scores: pca.scores[i],
    })),
    leftOut,
    consensus,
    iterations,
    converged,
    pca: { variance: pca.variance, proportion: pca.proportion },
    outlierThreshold,
  };
}

/** `shape` minus its component along the unit-size `consensus`: the tangent-space coordinates. */
export function tangentProjection(shape: readonly Point2[], consensus: readonly Point2[]): Point2[] {
  let dot = 0;
  let norm = 0;
  for (let k = 0; k < shape.length; k++) {
    dot += shape[k][0] * consensus[k][0] + shape[k][1] * consensus[k][1];
    norm += consensus[k][0] ** 2 + consensus[k][1] ** 2;
  }
  const f = norm > 0 ? dot / norm : 0;
  return shape.map(([x, y], k) => [x - f * consensus[k][0], y - f * consensus[k][1]]);
}

/**
 * PCA of aligned shapes (each flattened to x1 y1 x2 y2 ...). The eigen-decomposition is of the
 * smaller of the covariance (2K x 2K) and the Gram matrix (n x n); both have the same non-zero
 * eigenvalues. Components with no variance left (GPA removes 4 degrees of freedom) are dropped.
 */
function principalComponents(shapes: readonly Point2[][]): GpaPca & { scores: number[][] } {
  const n = shapes.length;
  const d = shapes[0].length * 2;
  const rows = shapes.map((s) => s.flat());
  const mean = new Array<number>(d).fill(0);
  for (const r of rows) for (let j = 0; j < d; j++) mean[j] += r[j] / n;
  const centred = rows.map((r) => r.map((v, j) => v - mean[j]));
  if (n < 2) return { variance: [], proportion: [], scores: centred.map(() => []) };

  let values: number[];
  let scores: number[][];
  if (d <= n) {
    const cov = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    for (const r of centred) for (let a = 0; a < d; a++) for (let b = a; b < d; b++) cov[a][b] += r[a] * r[b];
    for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) cov[a][b] = cov[b][a];
    const eig = symmetricEigen(cov);
    values = eig.values;
    scores = centred.map((r) => eig.vectors.map((v) => r.reduce((s, x, j) => s + x * v[j], 0)));
  } else {
    const gram = centred.map((a) => centred.map((b) => a.reduce((s, x, j) => s + x * b[j], 0)));
    const eig = symmetricEigen(gram);
    values = eig.values;
    scores = centred.map((_, i) => eig.vectors.map((u, c) => u[i] * Math.sqrt(Math.max(0, eig.values[c]))));
  }
  const total = values.reduce((s, v) => s + Math.max(0, v), 0);
  const keep = values.filter((v) => v > total * 1e-12).length;
  const variance = values.slice(0, keep).map((v) => v / (n - 1));
  const totalVariance = variance.reduce((s, v) => s + v, 0);
  return {
    variance,
    proportion: variance.map((v) => (totalVariance > 0 ? v / totalVariance : 0)),
    scores: scores.map((s) => s.slice(0, keep)),
  };
}

/**
 * Eigenvalues (descending) and unit eigenvectors of a symmetric matrix, by cyclic Jacobi
 * rotations: slow for big matrices, exact to rounding, and plenty for the few dozen landmarks
 * or few hundred specimens of a TPS file.
 */
export function symmetricEigen(matrix: readonly (readonly number[])[]): { values: number[]; vectors: number[][] } {
  const n = matrix.length;
  const a = matrix.map((r) => [...r]);
  const v: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (__, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diag = 0;
    for (let p = 0; p < n; p++) {
      diag += a[p][p] ** 2;
      for (let q = p + 1; q < n; q++) off += a[p][q] ** 2;
    }
    if (off <= 1e-30 * Math.max(diag, 1e-300)) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p][q];
        if (apq === 0) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k][p];
          const akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p][k];
          const aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k][p];
          const vkq = v[k][q];
          v[k][p] = c * vkp - s * vkq;
          v[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j][j] - a[i][i]);
  return {
    values: order.map((i) => a[i][i]),
    vectors: order.map((i) => v.map((row) => row[i])),
  };
}
