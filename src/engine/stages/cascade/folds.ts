/**
 * Out-of-fold starting points for the refinement stages: the cascade trained on all photos plus,
 * in the same decoding pass, K cascades each trained without one fold; a second pass locates
 * every photo with the cascade that never saw it. Refinement stages learn from these starts, so
 * the errors they learn to correct look like the errors on new photos (a start taken from the
 * full cascade, which holds the photo's own templates, would be far too good).
 */
import type { CascadeConfig, CascadeModel, Landmarks } from './cascade';
import { CascadeBuilder, landmarkDoubt, locate } from './cascade';
import { pyramid, type GreyImage } from '../../imaging/grey';

export interface FoldInput {
  /** Decodes photo i (full-resolution grey). Called twice per photo. */
  read(i: number): Promise<GreyImage>;
  landmarks: Landmarks[];
  config: CascadeConfig;
  landmarkCount: number;
  folds: number;
  cancelled?: () => boolean;
  step?: (done: number, total: number) => void;
}

export interface FoldOutput {
  /** The cascade trained on every photo (the one predictions use). */
  model: CascadeModel;
  /** Per photo: the landmarks located by the cascade trained without its fold (original px, y down). */
  starts: [number, number][][];
  /** Per photo: that cascade's per-landmark doubt (./cascade.ts landmarkDoubt, original px), for the doubt calibration. */
  doubts: number[][];
}

/** Fold of photo i: round robin, so folds are balanced and deterministic. */
export function foldOf(i: number, folds: number): number {
  return i % folds;
}

export async function trainWithFolds(input: FoldInput, visit?: (i: number, pyr: GreyImage[], start: [number, number][]) => void | Promise<void>): Promise<FoldOutput | undefined> {
  const { config: c, landmarkCount: L, folds } = input;
  const n = input.landmarks.length;
  const K = Math.max(2, Math.min(folds, n));
  const full = new CascadeBuilder(c, L);
  const parts = Array.from({ length: K }, () => new CascadeBuilder(c, L));
  for (let i = 0; i < n; i++) {
    if (input.cancelled?.()) return undefined;
    const pyr = pyramid(await input.read(i), c.levels);
    full.add(pyr, input.landmarks[i]);
    for (let f = 0; f < K; f++) if (f !== foldOf(i, K)) parts[f].add(pyr, input.landmarks[i]);
    input.step?.(i + 1, 2 * n);
    await new Promise((r) => setImmediate(r));
  }
  const model = full.build();
  const foldModels = parts.map((b) => b.build());
  const starts: [number, number][][] = [];
  const doubts: number[][] = [];
  for (let i = 0; i < n; i++) {
    if (input.cancelled?.()) return undefined;
    const pyr = pyramid(await input.read(i), c.levels);
    const r = locate(foldModels[foldOf(i, K)], pyr);
    const start = r.landmarks;
    starts.push(start);
    doubts.push(landmarkDoubt(r, pyr[0].width));
    await visit?.(i, pyr, start);
    input.step?.(n + i + 1, 2 * n);
    await new Promise((r) => setImmediate(r));
  }
  return { model, starts, doubts };
}
