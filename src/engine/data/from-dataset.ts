/**
 * From a loaded data set (src/shared/dataset) to DatasetItems in original image pixels.
 * TPS y runs up from the bottom-left; items need y down, which takes each photo's height
 * (read from its header, after EXIF orientation). Specimens without an image, or whose image
 * cannot be read, are reported and skipped.
 */
import type { Dataset } from '../../shared/dataset/load';
import { landmarksToImage } from '../../shared/tps/coords';
import { ImageDecodeError, imageSize } from './image';
import type { DatasetItem, SkippedItem } from './training-set';
import { getField } from '../../shared/tps/model';

export interface DatasetItems {
  items: DatasetItem[];
  skipped: SkippedItem[];
}

/** Keeps only these 0-based landmark indices (fine-tuning subsets), in the given order. */
export function selectLandmarks<T>(landmarks: readonly T[], subset?: readonly number[]): T[] {
  if (!subset) return [...landmarks];
  return subset.map((i) => {
    if (i < 0 || i >= landmarks.length) throw new Error(`landmark subset index ${i} is outside 0..${landmarks.length - 1}`);
    return landmarks[i];
  });
}

export async function datasetItems(dataset: Dataset, options: { landmarkSubset?: readonly number[] } = {}): Promise<DatasetItems> {
  const items: DatasetItem[] = [];
  const skipped: SkippedItem[] = [];
  for (const e of dataset.entries) {
    const where = `${e.tpsPath}, specimen ${e.index + 1}`;
    if (!e.imagePath) {
      const img = getField(e.specimen, 'IMAGE');
      skipped.push({ name: e.name, imagePath: img ?? '', why: img ? `image not found (IMAGE=${img}; ${where})` : `no IMAGE= (${where})` });
      continue;
    }
    if (e.landmarkCount === 0) {
      skipped.push({ name: e.name, imagePath: e.imagePath, why: `no landmarks (LM=0; ${where})` });
      continue;
    }
    let height: number;
    try {
      height = (await imageSize(e.imagePath)).height;
    } catch (err) {
      skipped.push({ name: e.name, imagePath: e.imagePath, why: err instanceof ImageDecodeError ? err.reason : (err as Error).message });
      continue;
    }
    const landmarks = selectLandmarks(landmarksToImage(e.specimen.landmarks, height), options.landmarkSubset);
    items.push({ imagePath: e.imagePath, landmarks, name: e.name });
  }
  return { items, skipped };
}
