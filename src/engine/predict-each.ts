/**
 * Predicting a list of photos with as many predictions in flight as the predictor allows: while
 * one photo is decoded (libvips works on its own threads) another is computed, so on a CPU the
 * decode no longer adds to every photo's time. Outcomes come back in the order of the input.
 */
import type { Prediction, Predictor } from './presets/preset';

export type PredictOutcome = { prediction: Prediction; error?: undefined } | { prediction?: undefined; error: Error };

export interface PredictEachHooks {
  /** Checked before each photo is started: true stops taking new photos (those are left undefined). */
  cancelled?: () => boolean;
  /** After each photo, in completion order: its index and how many are done. */
  done?: (index: number, doneCount: number, outcome: PredictOutcome) => void;
  /** An error that would fail every photo alike (e.g. a device limit): stops and is thrown. */
  fatal?: (e: Error) => boolean;
}

/**
 * Predicts `imagePaths[i]` for every i; a photo that fails gets its error in its slot (the rest go
 * on), a photo not started because of `cancelled` is undefined.
 */
export async function predictEach(
  predictor: Predictor,
  imagePaths: readonly string[],
  hooks: PredictEachHooks = {},
): Promise<(PredictOutcome | undefined)[]> {
  const outcomes = new Array<PredictOutcome | undefined>(imagePaths.length);
  let next = 0;
  let doneCount = 0;
  let stop: Error | undefined;
  const worker = async (): Promise<void> => {
    while (next < imagePaths.length && !stop && !hooks.cancelled?.()) {
      const i = next++;
      let outcome: PredictOutcome;
      try {
        outcome = { prediction: await predictor.predict(imagePaths[i]) };
      } catch (e) {
        const error = e instanceof Error ? e : new Error(String(e));
        if (hooks.fatal?.(error)) {
          stop = error;
          return;
        }
        outcome = { error };
      }
      outcomes[i] = outcome;
      hooks.done?.(i, ++doneCount, outcome);
      // let the engine's messages (a cancel) in between photos
      await new Promise((r) => setImmediate(r));
    }
  };
  const workers = Math.max(1, Math.min(predictor.inFlight ?? 1, imagePaths.length));
  await Promise.all(Array.from({ length: workers }, () => worker()));
  if (stop) throw stop;
  return outcomes;
}
