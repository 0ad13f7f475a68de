/**
 * What a command does when the engine is busy with another job: say what runs and when it should
 * end ("The engine is busy training (ETA 3 min 05 s). Queue the prediction?"), then run the new
 * job when the other one ends, or after cancelling it, or not at all. No vscode import: the
 * commands pass the question (a notification) in, and the unit tests a scripted answer.
 */
import type { BusyInfo, EngineJobKind } from '../../shared/protocol/engine';
import { formatDuration } from '../../shared/format';

/** What the person chose: wait for the running job, cancel it and go on, or drop the request. */
export type BusyChoice = 'queue' | 'cancelRunning' | 'dismiss';

/** The engine client as this module needs it. */
export interface BusyClient {
  readonly busy: BusyInfo | undefined;
  whenIdle(): Promise<void>;
  cancel(id: string): void;
}

/** "training", "predicting", ... : what the engine is busy doing. */
export function busyDoing(kind: EngineJobKind): string {
  switch (kind) {
    case 'train':
      return 'training';
    case 'finetune':
      return 'fine-tuning';
    case 'rounds':
      return 'running cross-validation rounds';
    case 'predict':
      return 'predicting';
    case 'evaluate':
      return 'evaluating';
  }
}

/** "The engine is busy training (ETA 3 min 05 s)." or, before its first ETA, "(started 10:02:11)". */
export function busyText(b: BusyInfo, now: Date = new Date()): string {
  const when =
    b.etaSeconds !== undefined
      ? `ETA ${formatDuration(b.etaSeconds) || 'under a second'}`
      : b.started !== undefined
        ? `started ${new Date(b.started).toLocaleTimeString()}, no ETA yet`
        : `since before ${now.toLocaleTimeString()}`;
  return `The engine is busy ${busyDoing(b.kind)} (${when}).`;
}

/** The question for a new job, e.g. "The engine is busy training (ETA 3 min). Queue the prediction?" */
export function queueQuestion(b: BusyInfo, what: string): string {
  return `${busyText(b)} Queue the ${what}?`;
}

/** The button that cancels the running job: "Cancel training", "Cancel predicting", ... */
export function cancelRunningLabel(kind: EngineJobKind): string {
  return kind === 'train' || kind === 'finetune' ? 'Cancel training' : kind === 'rounds' ? 'Cancel the rounds' : `Cancel the ${kind === 'predict' ? 'prediction' : 'evaluation'}`;
}

export interface WaitHooks {
  /** Asks the person (a notification with Queue / Cancel <running> / dismiss). */
  ask(busy: BusyInfo, question: string): Promise<BusyChoice>;
  /** Shows that the job waits (a progress notification with Cancel); resolves false when the person gives up waiting. */
  wait(busy: BusyInfo, idle: Promise<void>, cancelled: boolean): Promise<boolean>;
}

/**
 * Resolves true once the engine is free for a new job (at once when it is idle), false when the
 * person chose not to wait. `what` names the new job ("prediction").
 */
export async function whenEngineFree(client: BusyClient, what: string, hooks: WaitHooks): Promise<boolean> {
  for (let asked = 0; asked < 10; asked++) {
    const busy = client.busy;
    if (!busy) return true;
    const choice = await hooks.ask(busy, queueQuestion(busy, what));
    if (choice === 'dismiss') return false;
    if (choice === 'cancelRunning') client.cancel(busy.id);
    // Another job may have been started while the question was open: ask again then.
    if (!(await hooks.wait(busy, client.whenIdle(), choice === 'cancelRunning'))) return false;
  }
  return !client.busy;
}
