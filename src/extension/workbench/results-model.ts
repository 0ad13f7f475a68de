/**
 * Builds the results view's model from an engine evaluation and the two TPS files' specimens.
 * Pure: the caller parses the files and finds the photos; this module matches specimens to the
 * evaluation's images, converts TPS coordinates (origin bottom-left, y up) to image pixels,
 * orders images worst first and takes the per-landmark table (./stats.ts).
 */
import type { EvaluationResult } from '../../shared/protocol/engine';
import type { ImagePoint, ResultsImage, ResultsModel } from '../../shared/protocol/views';
import { baseName, specimenKey } from '../../shared/names';
import { tpsToImage } from '../../shared/tps/coords';
import type { TpsLandmark } from '../../shared/tps/model';
import { engineTable, landmarkTable, overallSummary } from './stats';

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

/**
 * The names `evaluate` (src/engine/evaluate.ts) gives a specimen, in its priority order: IMAGE=,
 * ID=, and the TPS file name when the specimen is alone in its file; then the label `evaluate`
 * reports it under (the evaluation's image name) and the dataset loader's name. Every name goes
 * through the shared `specimenKey`, so the results view pairs names exactly as `evaluate` does.
 */
export function specimenKeys(s: SpecimenLite, aloneInFile = false): string[] {
  const fileName = baseName(s.file);
  const label = s.image ? baseName(s.image) : s.id ? `ID=${s.id} (${fileName})` : aloneInFile ? fileName : `${fileName} specimen ${s.index + 1}`;
  const names = [s.image ?? '', s.id ?? '', aloneInFile ? fileName : '', label, s.name];
  const keys: string[] = [];
  for (const n of names) {
    const k = n ? specimenKey(n) : '';
    if (k && !keys.includes(k)) keys.push(k);
  }
  return keys;
}

function keysByFile(list: readonly SpecimenLite[]): Map<SpecimenLite, string[]> {
  const perFile = new Map<string, number>();
  for (const s of list) perFile.set(s.file, (perFile.get(s.file) ?? 0) + 1);
  return new Map(list.map((s) => [s, specimenKeys(s, perFile.get(s.file) === 1)]));
}

/** Index specimens by their keys (first wins); look names up with `specimenKey`. */
export function indexSpecimens(list: readonly SpecimenLite[]): Map<string, SpecimenLite> {
  const m = new Map<string, SpecimenLite>();
  for (const [s, keys] of keysByFile(list)) for (const k of keys) if (!m.has(k)) m.set(k, s);
  return m;
}

/** The specimen an evaluation image names: by its image (IMAGE=) first, else by its name. */
export function findSpecimen(index: ReadonlyMap<string, SpecimenLite>, image: string | undefined, name: string): SpecimenLite | undefined {
  return index.get(specimenKey(image ?? name)) ?? index.get(specimenKey(name));
}

export interface SpecimenPairs {
  manualByKey: Map<string, SpecimenLite>;
  /** The manual and predicted specimens behind one evaluation image. */
  pairOf(im: { name: string; manualImage?: string; predictedImage?: string }): { manual?: SpecimenLite; predicted?: SpecimenLite };
}

/**
 * Finds the specimens of the evaluation's images. The predicted one is found by its own image,
 * else by the evaluation's name, else by any name of the manual specimen (what `evaluate` paired by).
 */
export function specimenPairs(manual: readonly SpecimenLite[], predicted: readonly SpecimenLite[]): SpecimenPairs {
  const manualKeys = keysByFile(manual);
  const manualByKey = indexSpecimens(manual);
  const predictedByKey = indexSpecimens(predicted);
  return {
    manualByKey,
    pairOf(im) {
      const m = findSpecimen(manualByKey, im.manualImage, im.name);
      let p = findSpecimen(predictedByKey, im.predictedImage, im.name);
      for (const k of (m && manualKeys.get(m)) ?? []) p ??= predictedByKey.get(k);
      return { manual: m, predicted: p };
    },
  };
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
  const pairs = specimenPairs(input.manual, input.predicted);
  const landmarkCount = Math.max(
    evaluation.landmarks.length,
    ...evaluation.images.map((i) => i.errors.length),
    0,
  );
  const images: ResultsImage[] = [];
  for (const im of evaluation.images) {
    const { manual: m, predicted: p } = pairs.pairOf(im);
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
  // The engine's table when it sent one (the CLI's and the CSV export's numbers), else tabulated here.
  const { table, overall } = engineTable(evaluation, landmarkCount) ?? { table: landmarkTable(images, landmarkCount), overall: overallSummary(images) };
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
