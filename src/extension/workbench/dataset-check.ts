/**
 * A quick look at a dataset before training starts, so a bad one is explained in words a
 * biologist can act on: parse errors (file, line, specimen), specimens whose landmark count
 * differs from the rest, missing photos.
 */
import * as path from 'path';
import { loadTps } from './tps-source';

export interface DatasetReport {
  specimens: number;
  /** Landmark count of most specimens. */
  landmarks: number;
  /** Specimens with a photo found. */
  withImage: number;
  /** Blocking problems: training would fail or learn garbage. */
  errors: string[];
  /** Problems training can live with (those specimens are skipped). */
  warnings: string[];
}

function where(file: string, line: number, specimen?: number): string {
  return `${path.basename(file)}${line > 0 ? `:${line}` : ''}${specimen !== undefined ? ` (specimen ${specimen + 1})` : ''}`;
}

export async function checkDataset(data: string, imagesDir?: string): Promise<DatasetReport> {
  const loaded = await loadTps(data, { images: imagesDir });
  const errors: string[] = [];
  const warnings: string[] = [];
  if (loaded.files.length === 0) {
    return { specimens: 0, landmarks: 0, withImage: 0, errors: [`${data} holds no .tps file.`], warnings };
  }
  for (const d of loaded.diagnostics) {
    if (d.severity === 'error') errors.push(`${where(d.file ?? data, d.line, d.specimen)}: ${d.message}`);
  }
  const specimens = loaded.specimens.filter((s) => s.landmarks.length > 0);
  if (specimens.length === 0) errors.push(`${path.basename(data)} has no digitized specimen (every LM=0).`);
  // The landmark count most specimens have; the others are named.
  const counts = new Map<number, number>();
  for (const s of specimens) counts.set(s.landmarks.length, (counts.get(s.landmarks.length) ?? 0) + 1);
  let landmarks = 0;
  let best = -1;
  for (const [k, n] of counts) if (n > best) [landmarks, best] = [k, n];
  const odd = specimens.filter((s) => s.landmarks.length !== landmarks);
  if (odd.length) {
    const list = odd.slice(0, 5).map((s) => `${s.name} (${path.basename(s.file)}, specimen ${s.index + 1}) has ${s.landmarks.length}`);
    errors.push(
      `Landmark counts differ: ${best} specimens have ${landmarks} landmarks, but ${list.join('; ')}${odd.length > 5 ? ` and ${odd.length - 5} more` : ''}. Fix or remove those specimens.`,
    );
  }
  const missing = specimens.filter((s) => !s.imagePath).map((s) => (s.image ? s.image : `${s.name} (no IMAGE=)`));
  const withImage = specimens.length - missing.length;
  if (specimens.length && withImage === 0) {
    errors.push(
      `None of the ${specimens.length} photos was found (e.g. ${missing[0]}). Put the images beside the TPS file or in an images/ folder next to it, or fix IMAGE=.`,
    );
  } else if (missing.length) {
    warnings.push(
      `${missing.length} of ${specimens.length} photos not found (${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', ...' : ''}): those specimens are left out of training.`,
    );
  }
  if (withImage > 0 && withImage < 4) errors.push(`Only ${withImage} specimens have photos: a model needs more to train (at least 4; dozens to be useful).`);
  return { specimens: specimens.length, landmarks, withImage, errors, warnings };
}
