/**
 * "Evaluate predictions": picks the manual and the predicted TPS (or takes them from the
 * explorer selection / an options argument), asks the engine for the comparison and opens the
 * results view. Optionally writes the per-landmark CSV at once (for scripts and tests).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { EvaluationResult } from '../../shared/protocol/engine';
import { EngineCancelledError } from '../engine-client';
import { modelsFolders, pickTpsDataset } from './dataset-quick-pick';
import { describeError } from './messages';
import type { Workbench } from './workbench';

export interface EvaluateCommandOptions {
  manual: string;
  predicted: string;
  images?: string;
  /** Write the per-landmark table here as CSV too. */
  csv?: string;
  /** Write one CSV row per image here too (the CLI's `evaluate --csv`). */
  imagesCsv?: string;
  title?: string;
}

function isEvaluateOptions(v: unknown): v is EvaluateCommandOptions {
  return typeof v === 'object' && v !== null && typeof (v as { manual?: unknown }).manual === 'string' && typeof (v as { predicted?: unknown }).predicted === 'string';
}

const looksPredicted = (p: string) => /predict/i.test(path.basename(p));

/** The manual pick lists manual files first; the predicted pick, predicted files first. */
function pickTps(wb: Workbench, title: string, exclude: string | undefined, predicted: boolean): Promise<string | undefined> {
  return pickTpsDataset({
    title,
    exclude,
    order: predicted ? ['predicted', 'validation', 'manual'] : ['manual', 'predicted', 'validation'],
    modelsFolders: modelsFolders(wb),
    browseTitle: `${title}: a TPS file or a folder of TPS files`,
  });
}

export async function evaluateCommand(wb: Workbench, ...args: unknown[]): Promise<EvaluationResult | undefined> {
  let opts: EvaluateCommandOptions | undefined;
  if (isEvaluateOptions(args[0])) opts = args[0];
  else {
    const selected = (Array.isArray(args[1]) ? (args[1] as unknown[]) : [args[0]]).filter((u): u is vscode.Uri => u instanceof vscode.Uri).map((u) => u.fsPath);
    let manual: string | undefined;
    let predicted: string | undefined;
    if (selected.length >= 2) {
      const [a, b] = selected;
      [manual, predicted] = looksPredicted(a) && !looksPredicted(b) ? [b, a] : [a, b];
    } else if (selected.length === 1) {
      if (looksPredicted(selected[0])) predicted = selected[0];
      else manual = selected[0];
    }
    manual ??= await pickTps(wb, 'Evaluate predictions: the MANUAL landmarks (ground truth)', predicted, false);
    if (!manual) return undefined;
    predicted ??= await pickTps(wb, 'Evaluate predictions: the PREDICTED landmarks', manual, true);
    if (!predicted) return undefined;
    opts = { manual, predicted };
  }
  for (const p of [opts.manual, opts.predicted]) {
    if (!fs.existsSync(p)) {
      void vscode.window.showErrorMessage(`Evaluate: ${p} does not exist.`);
      return undefined;
    }
  }
  // A training runs: offer to queue the evaluation (only when a person picked the files).
  if (!isEvaluateOptions(args[0]) && !(await wb.host.whenFree('evaluation'))) return undefined;
  let evaluation: EvaluationResult;
  try {
    evaluation = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Evaluating predictions', cancellable: true },
      async (_progress, token) => {
        const job = wb.host.client.evaluate({ manual: path.resolve(opts.manual), predicted: path.resolve(opts.predicted), images: opts.images });
        token.onCancellationRequested(() => job.cancel());
        return (await job.result).evaluation;
      },
    );
  } catch (e) {
    if (e instanceof EngineCancelledError) {
      void vscode.window.showInformationMessage('Evaluation cancelled.');
      return undefined;
    }
    const { message, hint } = describeError(e, 'Evaluation');
    void vscode.window.showErrorMessage(`${message} ${hint}`, 'Show log').then((p) => p && wb.host.output.show(true));
    return undefined;
  }
  if (evaluation.matched === 0) {
    void vscode.window.showErrorMessage(
      `Evaluate: no specimen of ${path.basename(opts.predicted)} matches one of ${path.basename(opts.manual)} by image name. ` +
        `Unmatched: ${[...evaluation.unmatchedPredicted.slice(0, 3)].join(', ')}. Check IMAGE= in both files.`,
    );
    return evaluation;
  }
  const title = opts.title ?? `Results: ${path.basename(opts.predicted)} vs ${path.basename(opts.manual)}`;
  await wb.showResults(evaluation, title, { imagesDir: opts.images });
  if (opts.csv) await wb.exportCsv(opts.csv, 'landmarks');
  if (opts.imagesCsv) await wb.exportCsv(opts.imagesCsv, 'images');
  return evaluation;
}
