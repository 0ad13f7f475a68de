/**
 * Registers the workbench: commands landmarks.train / predict / evaluate / rounds / cancel / showLog,
 * the engine host (output channel "Landmarks Engine", status bar item) and the training and
 * results views. Returns an API the integration tests use to look inside (`api.workbench`).
 */
import * as vscode from 'vscode';
import type { EvaluationResult, PredictResult, RoundsResult, TrainResult } from '../../shared/protocol/engine';
import type { ResultsModel, ResultsRendered, ResultsSection } from '../../shared/protocol/views';
import type { EngineClient } from '../engine-client';
import type { EvaluationCsvKind } from '../../shared/metrics/csv';
import { evaluateCommand } from './evaluate-command';
import { finetuneCommand } from './finetune-command';
import { annotateNextCommand, type AnnotateNextResult } from './annotate-next-command';
import { retrainCommand, type RetrainResult } from './retrain-command';
import { predictCommand } from './predict-command';
import { roundsCommand, type LastRounds } from './rounds-command';
import { trainCommand } from './train-command';
import type { TrainingRendered } from './training-panel';
import { Workbench, type LastPrediction, type LastTraining } from './workbench';

export type { TrainCommandOptions } from './train-command';
export type { FinetuneCommandOptions } from './finetune-command';
export type { AnnotateNextOptions, AnnotateNextResult } from './annotate-next-command';
export type { RetrainOptions, RetrainResult } from './retrain-command';
export type { PredictCommandOptions } from './predict-command';
export type { EvaluateCommandOptions } from './evaluate-command';
export type { RoundsCommandOptions, LastRounds } from './rounds-command';

export interface WorkbenchApi {
  /** The engine client (forks dist/engine.js on first use). */
  readonly engine: EngineClient;
  /** The models folder for a path in the workspace. */
  modelsFolder(near?: string): string;
  lastTraining(): LastTraining | undefined;
  lastPrediction(): LastPrediction | undefined;
  /** The last cross-validation run (options, result or error, the closing message). */
  lastRounds(): LastRounds | undefined;
  /** The training view's last render report, or one matching `pred` when it comes. */
  waitForTrainingRender(pred?: (r: TrainingRendered) => boolean, timeoutMs?: number): Promise<TrainingRendered>;
  /** The open results view's model (undefined when none). */
  resultsModel(): ResultsModel | undefined;
  /** The results view's render report, when it comes. */
  waitForResultsRender(pred?: (r: ResultsRendered) => boolean, timeoutMs?: number): Promise<ResultsRendered>;
  /** Scrolls the results view to a section (for screenshots). */
  revealResults(section: ResultsSection): Promise<void>;
  /** Writes the results view's CSV (per landmark, default, or per image) to `file`; returns its text. */
  exportCsv(file: string, kind?: EvaluationCsvKind): Promise<string>;
  /** Opens the last training's validation results, as the training view's button does. */
  openTrainingResults(): Promise<boolean>;
  /** Opens a specimen of the results view in the predicted file's editor at that specimen, as a click on its card does. */
  openSpecimen(name: string): Promise<{ file: string; index: number } | undefined>;
}

export function registerWorkbench(context: vscode.ExtensionContext): WorkbenchApi {
  const wb = new Workbench(context);
  const guard =
    <A extends unknown[], R>(name: string, fn: (...a: A) => Promise<R>) =>
    async (...a: A): Promise<R | undefined> => {
      try {
        return await fn(...a);
      } catch (e) {
        // Never let a command failure escape as an unexplained error.
        wb.host.log(`${name}: ${(e as Error)?.stack ?? String(e)}`);
        void vscode.window.showErrorMessage(`${name} failed: ${(e as Error)?.message ?? String(e)}`, 'Show log').then((p) => p && wb.host.output.show(true));
        return undefined;
      }
    };
  context.subscriptions.push(
    wb,
    vscode.commands.registerCommand(
      'landmarks.train',
      guard('Train', (arg?: unknown): Promise<TrainResult | undefined> => trainCommand(wb, arg)),
    ),
    vscode.commands.registerCommand(
      'landmarks.predict',
      guard('Predict', (...args: unknown[]): Promise<PredictResult | undefined> => predictCommand(wb, ...args)),
    ),
    vscode.commands.registerCommand(
      'landmarks.evaluate',
      guard('Evaluate', (...args: unknown[]): Promise<EvaluationResult | undefined> => evaluateCommand(wb, ...args)),
    ),
    vscode.commands.registerCommand(
      'landmarks.rounds',
      guard('Cross-validation', (arg?: unknown): Promise<RoundsResult | undefined> => roundsCommand(wb, arg)),
    ),
    vscode.commands.registerCommand(
      'landmarks.finetune',
      guard('Fine-tune', (arg?: unknown): Promise<TrainResult | undefined> => finetuneCommand(wb, arg)),
    ),
    vscode.commands.registerCommand(
      'landmarks.annotateNext',
      guard('What to annotate next', (arg?: unknown): Promise<AnnotateNextResult | undefined> => annotateNextCommand(wb, arg)),
    ),
    vscode.commands.registerCommand(
      'landmarks.retrainFromCorrections',
      guard('Retrain from corrections', (arg?: unknown): Promise<RetrainResult | undefined> => retrainCommand(wb, arg)),
    ),
    vscode.commands.registerCommand('landmarks.cancel', () => wb.host.cancelInteractive()),
    vscode.commands.registerCommand('landmarks.showLog', () => wb.host.output.show(true)),
  );

  const needResults = () => {
    if (!wb.resultsPanel || wb.resultsPanel.isDisposed) throw new Error('no results view is open');
    return wb.resultsPanel;
  };
  return {
    get engine() {
      return wb.host.client;
    },
    modelsFolder: (near) => wb.modelsFolder(near),
    lastTraining: () => wb.lastTraining,
    lastPrediction: () => wb.lastPrediction,
    lastRounds: () => wb.lastRounds,
    waitForTrainingRender: (pred, timeoutMs) => {
      if (!wb.trainingPanel) return Promise.reject(new Error('no training view is open'));
      return wb.trainingPanel.waitForRender(pred, timeoutMs);
    },
    resultsModel: () => (wb.resultsPanel && !wb.resultsPanel.isDisposed ? wb.resultsPanel.model : undefined),
    waitForResultsRender: (pred, timeoutMs) => {
      try {
        return needResults().waitForRender(pred, timeoutMs);
      } catch (e) {
        return Promise.reject(e);
      }
    },
    exportCsv: (file, kind) => wb.exportCsv(file, kind),
    revealResults: async (section) => needResults().reveal(section),
    openSpecimen: (name) => wb.openSpecimen(name),
    async openTrainingResults() {
      const last = wb.lastTraining;
      if (!last?.result) throw new Error('no training has finished in this session');
      return !!(await wb.openTrainingResults(last.result, last.options));
    },
  };
}
