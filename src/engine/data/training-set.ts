/**
 * Builds the in-memory training set of a dataset: every image decoded once at the model input
 * size (through the disk cache), its landmarks mapped to model pixels and to [-1, 1].
 * Missing or corrupt images, and specimens whose landmark count differs, are reported per file
 * and skipped; nothing throws for one bad image.
 */
import type { Point } from '../../shared/augment/frame';
import { originalToModel, modelToNormalised, toFlat } from '../../shared/augment/frame';
import { type CacheOptions, type CacheStats, decodeImageCached, defaultCacheDir, pruneCache } from './cache';
import { type DecodeOptions, type DecodedImage, type InputSize, ImageDecodeError } from './image';

/** One specimen of a dataset: its photo and landmarks in original pixels (image coords, y down). */
export interface DatasetItem {
  imagePath: string;
  /** null = missing landmark. */
  landmarks: (Point | null)[];
  /** Specimen name (image base name), used in reports. */
  name: string;
}

export interface TrainingSample {
  name: string;
  imagePath: string;
  image: DecodedImage;
  /** Landmarks in model pixels, interleaved x,y, NaN = missing. */
  landmarksModel: Float32Array;
  /** Landmarks in [-1, 1] (network targets), interleaved x,y, NaN = missing. */
  target: Float32Array;
  /** Landmarks in original pixels as given. */
  landmarksOriginal: (Point | null)[];
}

export interface SkippedItem {
  name: string;
  imagePath: string;
  why: string;
}

export interface TrainingSet {
  samples: TrainingSample[];
  skipped: SkippedItem[];
  landmarkCount: number;
  size: InputSize;
  cache: CacheStats;
}

export interface BuildOptions extends DecodeOptions, CacheOptions {
  /** Expected landmarks per specimen (default: the first item's count). */
  landmarkCount?: number;
  /** Parallel decodes (default 2). */
  concurrency?: number;
  onProgress?: (done: number, total: number, item: DatasetItem) => void;
  signal?: AbortSignal;
}

export async function buildTrainingSet(items: readonly DatasetItem[], size: InputSize, o: BuildOptions = {}): Promise<TrainingSet> {
  const landmarkCount = o.landmarkCount ?? items[0]?.landmarks.length ?? 0;
  const cache: CacheStats = { hits: 0, misses: 0 };
  const results: (TrainingSample | SkippedItem)[] = new Array(items.length);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      if (o.signal?.aborted) throw new Error('cancelled');
      const i = next++;
      const item = items[i];
      results[i] = await buildOne(item, size, landmarkCount, o, cache);
      done++;
      o.onProgress?.(done, items.length, item);
    }
  };
  const n = Math.max(1, Math.min(o.concurrency ?? 2, items.length));
  await Promise.all(Array.from({ length: n }, worker));
  if (o.dir !== false && cache.misses > 0) await pruneCache(o.dir ?? defaultCacheDir());
  const samples: TrainingSample[] = [];
  const skipped: SkippedItem[] = [];
  for (const r of results) {
    if ('image' in r) samples.push(r);
    else skipped.push(r);
  }
  return { samples, skipped, landmarkCount, size, cache };
}

async function buildOne(
  item: DatasetItem,
  size: InputSize,
  landmarkCount: number,
  o: BuildOptions,
  cache: CacheStats,
): Promise<TrainingSample | SkippedItem> {
  if (item.landmarks.length !== landmarkCount) {
    return { name: item.name, imagePath: item.imagePath, why: `has ${item.landmarks.length} landmarks, expected ${landmarkCount}` };
  }
  if (item.landmarks.every((p) => p === null)) {
    return { name: item.name, imagePath: item.imagePath, why: 'has no landmarks (all missing)' };
  }
  let image: DecodedImage;
  try {
    image = await decodeImageCached(item.imagePath, size, o, cache);
  } catch (e) {
    const why = e instanceof ImageDecodeError ? e.reason : (e as Error).message;
    return { name: item.name, imagePath: item.imagePath, why };
  }
  const frame = image.frame;
  const landmarksModel = toFlat(item.landmarks, (p) => originalToModel(frame, p));
  const target = toFlat(item.landmarks, (p) => modelToNormalised(frame, originalToModel(frame, p)));
  return { name: item.name, imagePath: item.imagePath, image, landmarksModel, target, landmarksOriginal: item.landmarks };
}
