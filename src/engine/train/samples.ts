/**
 * From TPS data sets to training samples: loads each source (a TPS file or a folder of
 * one-specimen TPS files) with the TPS core's image resolution, converts landmarks from TPS
 * (y up) to image pixels (y down) with the image's height, applies a per-source landmark
 * subset, filters by specimen name, and reports what was skipped and why.
 */
import { loadDataset } from '../../shared/dataset/load';
import { getScale } from '../../shared/tps/model';
import { landmarksToImage } from '../../shared/tps/coords';
import { imageSize } from '../image-source';
import type { Sample } from '../presets/preset';
import { sameSpecimen } from '../../shared/names';

export interface SampleSource {
  /** TPS file or folder of TPS files. */
  data: string;
  /** Images folder searched first. */
  images?: string;
  /** Keep only these 0-based landmark indices, in this order. */
  landmarkSubset?: number[];
  /** A label for reports (e.g. the part name). */
  label?: string;
}

export interface SampleSet {
  samples: Sample[];
  landmarkCount: number;
  skipped: { name: string; file: string; why: string }[];
  /** Parser errors (not warnings), "file:line: message". */
  errors: string[];
}

export interface SampleFilter {
  include?: string[];
  exclude?: string[];
}

function matchesAny(name: string, list: string[] | undefined): boolean {
  return !!list && list.some((n) => sameSpecimen(n, name));
}

export async function loadSamples(sources: SampleSource[], filter: SampleFilter = {}): Promise<SampleSet> {
  const samples: Sample[] = [];
  const skipped: SampleSet['skipped'] = [];
  const errors: string[] = [];
  let landmarkCount = 0;
  for (const src of sources) {
    const ds = await loadDataset(src.data, { images: src.images });
    for (const d of ds.diagnostics) if (d.severity === 'error') errors.push(`${d.file ?? src.data}:${d.line}: ${d.message}`);
    // The source's landmark count: the most common one.
    const counts = new Map<number, number>();
    for (const e of ds.entries) if (e.landmarkCount > 0) counts.set(e.landmarkCount, (counts.get(e.landmarkCount) ?? 0) + 1);
    const sourceCount = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 0;
    const subset = src.landmarkSubset;
    if (subset) {
      const bad = subset.filter((i) => !Number.isInteger(i) || i < 0 || i >= sourceCount);
      if (bad.length) throw new Error(`${src.data}: landmark subset ${JSON.stringify(subset)} has indices outside 0..${sourceCount - 1}`);
    }
    const k = subset ? subset.length : sourceCount;
    if (landmarkCount === 0) landmarkCount = k;
    else if (k !== landmarkCount) {
      throw new Error(`${src.data}: ${k} landmarks (after the subset) but the other data have ${landmarkCount}; give a landmark subset map`);
    }
    for (const e of ds.entries) {
      const where = `${e.tpsPath}:${e.specimen.line}`;
      if (filter.include && !matchesAny(e.name, filter.include)) continue;
      if (matchesAny(e.name, filter.exclude)) continue;
      if (e.landmarkCount !== sourceCount) {
        skipped.push({ name: e.name, file: where, why: `${e.landmarkCount} landmarks, the data set has ${sourceCount}` });
        continue;
      }
      if (!e.imagePath) {
        skipped.push({ name: e.name, file: where, why: 'image not found' });
        continue;
      }
      let height: number;
      try {
        height = (await imageSize(e.imagePath)).height;
      } catch (err) {
        skipped.push({ name: e.name, file: e.imagePath, why: (err as Error).message });
        continue;
      }
      const px = landmarksToImage(e.specimen.landmarks, height).map((p) => (p ? ([p.x, p.y] as [number, number]) : null));
      const landmarks = subset ? subset.map((i) => px[i]) : px;
      if (landmarks.every((p) => p === null)) {
        skipped.push({ name: e.name, file: where, why: 'no landmarks (all missing)' });
        continue;
      }
      samples.push({ name: e.name, imagePath: e.imagePath, landmarks, scale: getScale(e.specimen) });
    }
  }
  return { samples, landmarkCount, skipped, errors };
}
