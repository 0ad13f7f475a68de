import * as path from 'path';
import * as vscode from 'vscode';
import { EngineBusyError } from '../engine-client';
import { acquireTrainingLock } from './training-lock';
import type { Workbench } from './workbench';

/**
 * Claims the one training slot (this window's engine, and the workspace lock beside the model
 * folder `out`) for a training-like job. Returns the release function, or `{ error }` after
 * telling the user who holds the slot.
 */
export function claimTrainingSlot(wb: Workbench, out: string, data: string): (() => void) | { error: string } {
  try {
    if (wb.host.client.training) throw new EngineBusyError('A training is already running in this window. Wait for it to finish or cancel it ("Landmarks: Cancel engine job").');
    return acquireTrainingLock(path.dirname(out), data);
  } catch (e) {
    const error = (e as Error).message;
    void vscode.window.showWarningMessage(error, 'Show log').then((p) => p && wb.host.output.show(true));
    return { error };
  }
}
