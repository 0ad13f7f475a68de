/**
 * Builds the results view's model from an engine evaluation and the two TPS files' specimens.
 * Pure: the caller parses the files and finds the photos; this module matches specimens to the
 * evaluation's images, converts TPS coordinates (origin bottom-left, y up) to image pixels,
 * orders images worst first and computes the per-landmark table.
 */
import type { EvaluationResult } from '../../shared/protocol/engine';
import type { ImagePoint, ResultsImage, ResultsModel } from '../../shared/protocol/views';
import { specimenKey } from '../../shared/names';
import { tpsToImage } from '../../shared/tps/coords';
import type { TpsLandmark } from '../../shared/tps/model';
import { landmarkTable, overallSummary } from './stats';

/** A specimen as the builder needs it. */
export interface SpecimenLite {
  /** 0-based index in its TPS file. */
  index: number;
  /** Specimen name: image base name, else ID=, else file#n (the shared dataset loader's rule). */
  name: string;
  /** IMAGE= as written (may include folders or a Windows path), else ID=. */
  image?: string;
  id?: string;
  landmarks: TpsLandmark[];
  scale?: number;
  /** TPS file the specimen comes from (a folder dataset has one per specimen). */
  file: string;
  /** The photo, when found. */
  imagePath?: string;
}

/** What the host found out about a photo. */
export interface PhotoInfo {
  src?: string;
  width?: number;
  height?: number;
  missing?: string;
}

/** The shared matching rule (folders, extension, case, leading zeros and separators ignored). */
export function matchKey(name: string): string {
  return specimenKey(name);
}

export function specimenKeys(s: SpecimenLite): string[] {
  const keys: string[] = [matchKey(s.name)];
  if (s.image) keys.push(matchKey(s.image));
  if (s.id) keys.push(matchKey(s.id));
  return keys;
}

/** Index specimens by their match keys (first wins). */
export function indexSpecimens(list: readonly SpecimenLite[]): Map<string, SpecimenLite> {
  const m = new Map<string, SpecimenLite>();
  for (const s of list) for (const k of specimenKeys(s)) if (!m.has(k)) m.set(k, s);
  return m;
}

/** TPS point -> image pixel (origin top-left, y down) for an image of the given height. */
export function toImagePoint(p: TpsLandmark, height: number): ImagePoint | null {
  return p ? tpsToImage(p, height) : null;
}

function errorsOf(manual: (ImagePoint | null)[], predicted: (ImagePoint | null)[], n: number): (number | null)[] {
  const out: (number | null)[] = [];
  for (let k = 0; k < n; k++) {
    const a = manual[k];
    const b = predicted[k];
    out.push(a && b ? Math.hypot(a.x - b.x, a.y - b.y) : null);
  }
  return out;
}

export interface BuildInput {
  title: string;
  evaluation: EvaluationResult;
  manual: readonly SpecimenLite[];
  predicted: readonly SpecimenLite[];
  /** Photo for a manual specimen (by its key), looked up by the host beforehand. */
  photos: ReadonlyMap<SpecimenLite, PhotoInfo>;
}

export function buildResultsModel(input: BuildInput): ResultsModel {
  const { evaluation } = input;
  const manualIdx = indexSpecimens(input.manual);
  const predictedIdx = indexSpecimens(input.predicted);
  const landmarkCount = Math.max(
    evaluation.landmarks.length,
    ...evaluation.images.map((i) => i.errors.length),
    0,
  );
  const images: ResultsImage[] = [];
  for (const im of evaluation.images) {
    const m =
      manualIdx.get(matchKey(im.manualImage ?? im.name)) ?? manualIdx.get(matchKey(im.name));
    const p =
      predictedIdx.get(matchKey(im.predictedImage ?? im.name)) ?? predictedIdx.get(matchKey(im.name));
    const photo = m ? input.photos.get(m) : undefined;
    // Without the photo's height, flip around the points' own extent so shapes stay upright.
    let height = photo?.height;
    if (height === undefined) {
      let maxY = 0;
      for (const s of [m, p]) for (const q of s?.landmarks ?? []) if (q) maxY = Math.max(maxY, q.y);
      height = Math.ceil(maxY * 1.05 + 1);
    }
    const manual = (m?.landmarks ?? []).map((q) => toImagePoint(q, height));
    const predicted = (p?.landmarks ?? []).map((q) => toImagePoint(q, height));
    // The engine's errors are authoritative; recompute only where it gave none.
    const errors = im.errors.length ? im.errors : errorsOf(manual, predicted, landmarkCount);
    const present = errors.filter((e): e is number => e !== null && Number.isFinite(e));
    images.push({
      name: im.name,
      src: photo?.src,
      missing: photo ? photo.missing : m ? undefined : `manual specimen "${im.name}" not found in ${evaluation.manualPath}`,
      width: photo?.width,
      height: photo?.height,
      manual,
      predicted,
      errors,
      mean: Number.isFinite(im.mean) ? im.mean : present.reduce((s, v) => s + v, 0) / Math.max(1, present.length),
      scale: m?.scale,
      manualIndex: m?.index,
    });
  }
  images.sort((a, b) => b.mean - a.mean);
  const table = landmarkTable(images, landmarkCount);
  const overall = overallSummary(images);
  // Reference image for the spatial view: the best-predicted image that has a photo.
  let referenceIndex = -1;
  for (let i = images.length - 1; i >= 0; i--) {
    if (images[i].src) {
      referenceIndex = i;
      break;
    }
  }
  if (referenceIndex < 0) referenceIndex = images.length - 1;
  return {
    title: input.title,
    manualPath: evaluation.manualPath,
    predictedPath: evaluation.predictedPath,
    landmarkCount,
    images,
    table,
    overall: { mean: overall.mean, median: overall.median, p90: overall.p90, matched: images.length },
    unmatchedManual: evaluation.unmatchedManual,
    unmatchedPredicted: evaluation.unmatchedPredicted,
    referenceIndex,
  };
}
