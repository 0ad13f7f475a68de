/**
 * The workbench's state shared by its commands: the engine host, the open training and results
 * views, the last runs (for tests and follow-up actions), and the helpers they share
 * (models folder, results view, CSV export, open a specimen in the TPS editor).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { EvaluationResult, PredictResult, TrainOptions, TrainResult } from '../../shared/protocol/engine';
import { ImageCache } from '../editor/images';
import { EngineHost } from './engine-host';
import { ResultsPanel } from './results-panel';
import { loadResults, type CardSpecimens } from './results-loader';
import { focusSpecimen, type EditorFocusApi } from './specimen-focus';
import { specimenKey } from '../../shared/names';
import type { SpecimenLite } from './results-model';
import { evaluationCsv, type EvaluationCsvKind } from '../../shared/metrics/csv';
import { writeFileAtomic } from '../../shared/node/atomic-write';
import type { LastRounds } from './rounds-command';
import type { TrainingPanel } from './training-panel';

export interface LastTraining {
  options?: TrainOptions;
  result?: TrainResult;
  error?: string;
}

export interface LastPrediction {
  result?: PredictResult;
  error?: string;
}

/** What activate() exports about the TPS editor (only what the workbench uses). */
interface EditorExports {
  editor?: EditorFocusApi<vscode.Uri>;
}

export class Workbench implements vscode.Disposable {
  readonly host: EngineHost;
  trainingPanel: TrainingPanel | undefined;
  resultsPanel: ResultsPanel | undefined;
  /** The evaluation the results view shows (its CSV exports are written from it, as the CLI's). */
  resultsEvaluation: EvaluationResult | undefined;
  lastTraining: LastTraining | undefined;
  lastPrediction: LastPrediction | undefined;
  lastRounds: LastRounds | undefined;
  private readonly images: ImageCache;
  private manualByKey = new Map<string, SpecimenLite>();
  private cards = new Map<string, CardSpecimens>();

  constructor(readonly context: vscode.ExtensionContext) {
    this.host = new EngineHost(context);
    this.images = new ImageCache(path.join(context.globalStorageUri.fsPath, 'image-cache'));
  }

  /** The models folder of the workspace folder holding `near` (or the first one). */
  modelsFolder(near?: string): string {
    const setting = vscode.workspace.getConfiguration('landmarks').get<string>('modelsFolder', 'models') || 'models';
    if (path.isAbsolute(setting)) return setting;
    const folder =
      (near ? vscode.workspace.getWorkspaceFolder(vscode.Uri.file(near)) : undefined) ?? vscode.workspace.workspaceFolders?.[0];
    const root = folder?.uri.fsPath ?? (near ? (fs.existsSync(near) && fs.statSync(near).isDirectory() ? near : path.dirname(near)) : process.cwd());
    return path.join(root, setting);
  }

  async showResults(
    evaluation: EvaluationResult,
    title: string,
    more: { imagesDir?: string; manualPath?: string; predictedPath?: string } = {},
  ): Promise<ResultsPanel> {
    const loaded = await loadResults({ title, evaluation, images: this.images, ...more });
    this.manualByKey = loaded.manualByKey;
    this.cards = loaded.cards;
    this.resultsPanel?.dispose();
    const panel = new ResultsPanel(this.context.extensionUri, loaded.model, {
      openSpecimen: async (_model, name) => {
        await this.openSpecimen(name);
      },
      exportCsv: async () => {
        const picked = await vscode.window.showQuickPick(
          [
            { label: 'Per landmark', description: 'mean, median, p90, max per landmark (px, and SCALE units)', csvKind: 'landmarks' as const },
            { label: 'Per image', description: "one row per image, worst first: mean and each landmark's error (px, and SCALE units)", csvKind: 'images' as const },
          ],
          { title: 'Export the errors as CSV', placeHolder: 'One row per landmark or per image?' },
        );
        if (!picked) return;
        const kind = picked.csvKind;
        const stem = path.basename(evaluation.predictedPath, path.extname(evaluation.predictedPath));
        const def = path.join(path.dirname(evaluation.predictedPath), `${stem}-${kind === 'landmarks' ? 'errors' : 'image-errors'}.csv`);
        const what = kind === 'landmarks' ? 'Per-landmark errors' : 'Per-image errors';
        const uri = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(def), filters: { CSV: ['csv'] }, title: `Export the ${what.toLowerCase()}` });
        if (uri) {
          await this.exportCsv(uri.fsPath, kind);
          void vscode.window.showInformationMessage(`${what} written to ${vscode.workspace.asRelativePath(uri)}.`);
        }
      },
      shapeOfPredicted: async () => {
        await vscode.commands.executeCommand('landmarks.shapeView', vscode.Uri.file(evaluation.predictedPath));
      },
    });
    this.resultsPanel = panel;
    this.resultsEvaluation = evaluation;
    return panel;
  }

  /**
   * The results view for a training's validation images. The engine reports their errors; the
   * predicted points come from predicting those images once more with the saved model, into
   * <model>/validation-predicted.tps (kept: a TPS a person can open and compare).
   */
  async openTrainingResults(result: TrainResult, options?: TrainOptions): Promise<ResultsPanel | undefined> {
    const v = result.validation;
    if (!v || v.images.length === 0) {
      void vscode.window.showInformationMessage('This training has no validation images to show.');
      return undefined;
    }
    const data = options?.data ?? this.lastTraining?.options?.data;
    if (!data) throw new Error('the training dataset is unknown');
    const predictedPath = path.join(result.modelDir, 'validation-predicted.tps');
    if (!fs.existsSync(predictedPath)) {
      const photos = v.images.map((i) => i.manualImage).filter((p): p is string => !!p && fs.existsSync(p));
      if (photos.length) {
        const tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'landmarks-validation-'));
        try {
          for (const p of photos) {
            const link = path.join(tmp, path.basename(p));
            try {
              await fs.promises.symlink(p, link);
            } catch {
              await fs.promises.copyFile(p, link);
            }
          }
          await vscode.window.withProgress(
            { location: vscode.ProgressLocation.Notification, title: `Predicting the ${photos.length} validation images`, cancellable: true },
            async (_p, token) => {
              const job = this.host.client.predict({ model: result.modelDir, images: tmp, out: predictedPath });
              token.onCancellationRequested(() => job.cancel());
              await job.result;
            },
          );
        } catch (e) {
          this.host.log(`validation results: predicting the validation images failed: ${(e as Error).message}; showing errors only`);
        } finally {
          await fs.promises.rm(tmp, { recursive: true, force: true });
        }
      }
    }
    return this.showResults(v, `Validation: ${path.basename(result.modelDir)}`, {
      imagesDir: options?.images ?? this.lastTraining?.options?.images,
      manualPath: data,
      predictedPath,
    });
  }

  /**
   * Writes the open results view's errors as CSV (atomically), per landmark or per image, in the
   * format the CLI writes (src/shared/metrics/csv.ts); returns the text.
   */
  async exportCsv(file: string, kind: EvaluationCsvKind = 'landmarks'): Promise<string> {
    const evaluation = this.resultsEvaluation;
    if (!this.resultsPanel || !evaluation) throw new Error('No results view is open: evaluate predictions first.');
    const text = evaluationCsv(evaluation, kind);
    await writeFileAtomic(file, text);
    return text;
  }

  /**
   * Opens the specimen of a results card in the Landmark Editor and shows it: the PREDICTED file
   * (the one to correct, as the card says), else the manual one when the predictions were not
   * kept in a file. Also when that editor is open already, hidden, or still loading.
   */
  async openSpecimen(name: string): Promise<{ file: string; index: number } | undefined> {
    const card = this.cards.get(name);
    const s = card?.predicted ?? card?.manual ?? this.manualByKey.get(specimenKey(name));
    if (!s) {
      void vscode.window.showWarningMessage(`Specimen ${name} was not found in the predicted or the manual landmarks.`);
      return undefined;
    }
    const uri = vscode.Uri.file(s.file);
    await vscode.commands.executeCommand('vscode.openWith', uri, 'landmarks.tpsEditor');
    const api = (this.context.extension.exports as EditorExports | undefined)?.editor;
    try {
      if (!api) throw new Error('the Landmark Editor API is not available');
      await focusSpecimen(api, uri, s.index);
    } catch (e) {
      this.host.log(`open specimen: could not select specimen ${s.index + 1} of ${s.file}: ${(e as Error).message}`);
      void vscode.window.showWarningMessage(`${path.basename(s.file)} opened, but specimen ${s.index + 1} (${name}) could not be shown: ${(e as Error).message}`);
    }
    return { file: s.file, index: s.index };
  }

  dispose(): void {
    this.trainingPanel?.dispose();
    this.resultsPanel?.dispose();
    this.host.dispose();
  }
}
