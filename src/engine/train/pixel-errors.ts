/**
 * Errors of predictions against manual landmarks, both in original image pixels, summarised
 * by the shared metrics (the same computation as `evaluate`). Used for validation after
 * training and for rounds.
 */
import { buildEvaluation, type Evaluation } from '../../shared/metrics/evaluation';
import type { SpecimenPair } from '../../shared/metrics/errors';
import type { PixelPoint } from '../presets/preset';

export interface PixelComparison {
  name: string;
  image?: string;
  manual: PixelPoint[];
  predicted: [number, number][];
  scale?: number;
}

export function summarise(rows: PixelComparison[], manualPath: string, predictedPath: string): Evaluation {
  const pairs: SpecimenPair[] = rows.map((r) => ({
    name: r.name,
    manualImage: r.image,
    predictedImage: r.image,
    manual: r.manual.map((p) => (p ? { x: p[0], y: p[1] } : null)),
    predicted: r.predicted.map(([x, y]) => ({ x, y })),
    ...(r.scale ? { scale: r.scale } : {}),
  }));
  return buildEvaluation({ pairs, manualPath, predictedPath });
}
