/** What every engine job gets from its host (the child process or the CLI). */
import type { BackendName, EngineProgress } from '../shared/protocol/engine';
import type { CancelToken, Tf } from './presets/preset';

export interface JobEnv {
  tf: Tf;
  backend: BackendName;
  progress(p: EngineProgress): void;
  log(message: string): void;
  cancel: CancelToken;
}

/** A cancel token that can be triggered. */
export class CancelSource implements CancelToken {
  private flag = false;
  get cancelled(): boolean {
    return this.flag;
  }
  cancel(): void {
    this.flag = true;
  }
}

/** Seconds remaining from the mean time per item so far. */
export function eta(started: number, done: number, total: number): number | undefined {
  if (done <= 0) return undefined;
  return Math.round((((Date.now() - started) / done) * (total - done)) / 1000);
}
