/** Texts of the workbench's progress and error messages. Pure (no vscode), unit-tested. */
import type { TrainProgress, TrainResult } from '../../shared/protocol/engine';
import type { TrainingFinal } from '../../shared/protocol/views';
import { EngineBusyError, EngineCancelledError, EngineCrashError, EngineJobError } from '../engine-client';
import { busyText } from './engine-busy';
import { formatDuration, formatLoss } from '../../shared/format';

/** The progress line: "epoch 3/20 · batch 4/9 · loss 0.0123 · val 0.0150 · ETA 1 min 05 s". */
export function progressText(p: TrainProgress): string {
  if (p.phase) {
    const parts = [`stage ${p.phase.index}/${p.phase.count} ${p.phase.name} ${p.phase.done}/${p.phase.total}`];
    if (p.metric) parts.push(`${p.metric.name} ${p.metric.value.toFixed(2)}`);
    if (p.etaSeconds !== undefined) parts.push(`ETA ${formatDuration(p.etaSeconds)}`);
    return parts.join(' · ');
  }
  const parts = [`epoch ${p.epoch}/${p.epochs}`];
  if (p.batches > 1 && p.batch < p.batches) parts.push(`batch ${p.batch}/${p.batches}`);
  if (p.trainLoss !== undefined) parts.push(`loss ${formatLoss(p.trainLoss)}`);
  if (p.valLoss !== undefined) parts.push(`val ${formatLoss(p.valLoss)}`);
  if (p.valErrorPx !== undefined) parts.push(`${p.valErrorPx.toFixed(1)} px`);
  if (p.trainLoss === undefined && p.valLoss === undefined && p.message) parts.push(p.message);
  if (p.etaSeconds !== undefined) parts.push(`ETA ${formatDuration(p.etaSeconds)}`);
  return parts.join(' · ');
}

export function trainFinal(r: TrainResult): TrainingFinal {
  const v = r.validation;
  return {
    modelDir: r.modelDir,
    cancelled: r.cancelled,
    epochs: r.epochs,
    bestEpoch: r.bestEpoch,
    bestValLoss: r.bestValLoss,
    seconds: r.seconds,
    perLandmark: v?.landmarks.map((l) => ({ index: l.index, mean: l.mean, median: l.median, p90: l.p90 })),
    meanErrorPx: v?.mean,
    hasResults: !!v && v.images.length > 0,
  };
}

/** What happened and what to do, for any failure of an engine job. */
export function describeError(e: unknown, what: string): { message: string; hint: string } {
  if (e instanceof EngineCrashError) return { message: `${what} failed: ${e.message}`, hint: e.hint };
  if (e instanceof EngineJobError) {
    return { message: `${what} failed: ${e.message}`, hint: 'Nothing you annotated was changed. Fix the problem named above and run it again; "Landmarks: Show engine log" has the details.' };
  }
  if (e instanceof EngineCancelledError) return { message: `${what} cancelled.`, hint: 'Nothing you annotated was changed.' };
  if (e instanceof EngineBusyError) {
    if (!e.running) return { message: e.message, hint: '' };
    return { message: `${busyText(e.running)} ${what} was not started.`, hint: 'Run it again when that job ends, or cancel it ("Landmarks: Cancel engine job").' };
  }
  return { message: `${what} failed: ${(e as Error)?.message ?? String(e)}`, hint: 'See "Landmarks: Show engine log".' };
}
