/**
 * From an engine evaluation to the results view's model: reads both TPS files, finds the photos
 * of the manual specimens (sizes from the image headers, TIFF/BMP converted for the browser by
 * the editor's image cache), and builds the model. No vscode import.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { EvaluationResult } from '../../shared/protocol/engine';
import type { ResultsModel } from '../../shared/protocol/views';
import type { ImageCache } from '../editor/images';
import { buildResultsModel, type PhotoInfo, specimenPairs, type SpecimenLite } from './results-model';
import { loadTps } from './tps-source';

export interface LoadResultsOptions {
  title: string;
  evaluation: EvaluationResult;
  /** Folder of images when IMAGE= is not enough. */
  imagesDir?: string;
  /** Manual TPS file/folder, when the evaluation's manualPath is not one (a training's validation). */
  manualPath?: string;
  /** Predicted TPS file/folder, when the evaluation's predictedPath is not one. */
  predictedPath?: string;
  images: ImageCache;
}

/** The two specimens behind one card of the results view. */
export interface CardSpecimens {
  manual?: SpecimenLite;
  predicted?: SpecimenLite;
}

export interface LoadedResults {
  model: ResultsModel;
  /** Manual specimens by match key (a name that is not a card's). */
  manualByKey: Map<string, SpecimenLite>;
  /** Each card's specimens by the card's name (the evaluation's image name): where a click goes. */
  cards: Map<string, CardSpecimens>;
}

async function pool<T>(items: readonly T[], limit: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]);
  });
  await Promise.all(workers);
}

export async function loadResults(opts: LoadResultsOptions): Promise<LoadedResults> {
  const { evaluation } = opts;
  const manual = await loadTps(opts.manualPath ?? evaluation.manualPath, { images: opts.imagesDir });
  let predicted: SpecimenLite[] = [];
  try {
    predicted = (await loadTps(opts.predictedPath ?? evaluation.predictedPath, { images: opts.imagesDir })).specimens;
  } catch {
    // Predictions kept only in memory (e.g. a training's validation): errors still show.
  }
  const pairs = specimenPairs(manual.specimens, predicted);
  const manualByKey = pairs.manualByKey;
  // The photo of each manual specimen: found from the manual file, else from the predicted one
  // (a prediction's IMAGE= is relative to its own folder), else the engine's image path.
  const wanted = new Map<SpecimenLite, string | undefined>();
  const cards = new Map<string, CardSpecimens>();
  for (const im of evaluation.images) {
    const { manual: s, predicted: p } = pairs.pairOf(im);
    cards.set(im.name, { manual: s, predicted: p });
    if (!s) continue;
    const engineSide = [im.manualImage, im.predictedImage].find((f) => f && path.isAbsolute(f) && fs.existsSync(f));
    wanted.set(s, s.imagePath ?? p?.imagePath ?? engineSide);
  }
  const photos = new Map<SpecimenLite, PhotoInfo>();
  await pool([...wanted], 4, async ([s, file]) => {
    if (!file) {
      photos.set(s, { missing: s.image ? `photo not found: ${s.image} (looked beside ${s.file})` : `no IMAGE= for specimen ${s.index + 1} of ${s.file}` });
      return;
    }
    try {
      const p = await opts.images.prepare(file);
      photos.set(s, { src: p.displayPath, width: p.width, height: p.height });
    } catch (e) {
      photos.set(s, { missing: `cannot read ${file}: ${(e as Error).message}` });
    }
  });
  const model = buildResultsModel({
    title: opts.title,
    evaluation: {
      ...evaluation,
      manualPath: opts.manualPath ?? evaluation.manualPath,
      predictedPath: opts.predictedPath ?? evaluation.predictedPath,
    },
    manual: manual.specimens,
    predicted,
    photos,
  });
  return { model, manualByKey, cards };
}
