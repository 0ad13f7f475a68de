/**
 * "Train landmark model": picks the dataset and the few options that matter (or takes them from
 * an options argument), checks the dataset, trains in the engine child with a progress
 * notification (epoch, loss, ETA, Cancel) and a live training view, and ends with where the
 * model went, its validation error per landmark and a button to open the results.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { PresetName, TrainOptions, TrainResult } from '../../shared/protocol/engine';
import { checkDataset } from './dataset-check';
import { fileStamp, formatDuration, parseInputSize, slug } from './format';
import { describeError, progressText, trainFinal } from './messages';
import { TrainingPanel } from './training-panel';
import { claimTrainingSlot } from './training-slot';
import type { Workbench } from './workbench';

/** Arguments a caller (a test, another command) passes to skip every prompt. */
export interface TrainCommandOptions {
  /** TPS file or folder of one-specimen TPS files. */
  data: string;
  images?: string;
  preset?: PresetName;
  /** 0 = the preset's default. */
  epochs?: number;
  /** "WxH", '' = preset default. */
  inputSize?: string;
  validationSplit?: number;
  batchSize?: number;
  seed?: number;
  /** Model folder; default: <models folder>/<dataset>-<preset>-<time>. */
  out?: string;
  /** Train even when the dataset check warns (default true with options, asked otherwise). */
  acceptWarnings?: boolean;
}

export function isTrainOptions(v: unknown): v is TrainCommandOptions {
  return typeof v === 'object' && v !== null && typeof (v as { data?: unknown }).data === 'string';
}

interface Settings {
  preset: PresetName;
  epochs: number;
  inputSize: string;
  validationSplit: number;
}

function settings(): Settings {
  const c = vscode.workspace.getConfiguration('landmarks');
  const preset = c.get<string>('train.preset', 'default') === 'paper' ? 'paper' : 'default';
  return {
    preset,
    epochs: Math.max(0, Math.round(c.get<number>('train.epochs', 0))),
    inputSize: c.get<string>('train.inputSize', ''),
    validationSplit: c.get<number>('train.validationSplit', 0.2),
  };
}

/** Quick pick of the workspace's TPS files (or browse); `title` names the step. */
export async function pickDataset(title = 'Train landmark model (1/5): dataset'): Promise<string | undefined> {
  const files = await vscode.workspace.findFiles('**/*.{tps,TPS}', '**/{node_modules,.git}/**', 200);
  type Item = vscode.QuickPickItem & { fsPath?: string; browse?: boolean };
  const items: Item[] = files
    .sort((a, b) => a.fsPath.localeCompare(b.fsPath))
    .map((u) => ({ label: path.basename(u.fsPath), description: vscode.workspace.asRelativePath(path.dirname(u.fsPath)), fsPath: u.fsPath }));
  items.push({ label: '$(folder-opened) Browse for a TPS file or a folder of TPS files...', browse: true });
  const pick = await vscode.window.showQuickPick(items, { title, placeHolder: 'The TPS file with the manual landmarks' });
  if (!pick) return undefined;
  if (!pick.browse) return pick.fsPath;
  const uris = await vscode.window.showOpenDialog({
    canSelectFiles: true,
    canSelectFolders: true,
    canSelectMany: false,
    filters: { 'TPS landmarks': ['tps', 'TPS'] },
    title: 'Dataset: a TPS file, or a folder of one-specimen TPS files',
  });
  return uris?.[0]?.fsPath;
}

async function promptOptions(data: string, s: Settings): Promise<TrainCommandOptions | undefined> {
  const presetPick = await vscode.window.showQuickPick(
    [
      { label: 'default', description: 'accurate at full photo resolution, trains well on a CPU', picked: s.preset === 'default' },
      { label: 'paper', description: 'the paper exactly: 3 conv blocks, dense 1000/1000, Nesterov SGD', picked: s.preset === 'paper' },
    ].sort((a, b) => Number(b.picked) - Number(a.picked)),
    { title: 'Train landmark model (2/5): preset' },
  );
  if (!presetPick) return undefined;
  const epochs = await vscode.window.showInputBox({
    title: 'Train landmark model (3/5): epochs',
    prompt: 'Epochs to train (0 = the preset default)',
    value: String(s.epochs),
    validateInput: (v) => (/^\d+$/.test(v.trim()) ? undefined : 'A whole number, 0 for the preset default'),
  });
  if (epochs === undefined) return undefined;
  const inputSize = await vscode.window.showInputBox({
    title: 'Train landmark model (4/5): input size',
    prompt: 'Model input WIDTHxHEIGHT, e.g. 256x192 (empty = the preset default)',
    value: s.inputSize,
    validateInput: (v) => {
      try {
        parseInputSize(v);
        return undefined;
      } catch (e) {
        return (e as Error).message;
      }
    },
  });
  if (inputSize === undefined) return undefined;
  const split = await vscode.window.showInputBox({
    title: 'Train landmark model (5/5): validation share',
    prompt: 'Share of images kept for validation, 0.05 to 0.5 (the paper used 0.4)',
    value: String(s.validationSplit),
    validateInput: (v) => {
      const n = Number(v);
      return Number.isFinite(n) && n >= 0.05 && n <= 0.5 ? undefined : 'A number between 0.05 and 0.5';
    },
  });
  if (split === undefined) return undefined;
  return { data, preset: presetPick.label as PresetName, epochs: Number(epochs), inputSize, validationSplit: Number(split) };
}

export async function trainCommand(wb: Workbench, arg?: unknown): Promise<TrainResult | undefined> {
  const s = settings();
  let opts: TrainCommandOptions | undefined;
  const interactive = !isTrainOptions(arg);
  if (isTrainOptions(arg)) opts = arg;
  else {
    const data = arg instanceof vscode.Uri ? arg.fsPath : await pickDataset();
    if (!data) return undefined;
    opts = await promptOptions(data, s);
  }
  if (!opts) return undefined;

  const data = path.resolve(opts.data);
  if (!fs.existsSync(data)) {
    void vscode.window.showErrorMessage(`Train: the dataset ${data} does not exist.`);
    return undefined;
  }
  const preset = opts.preset ?? s.preset;
  const epochs = opts.epochs ?? s.epochs;
  const inputSizeText = opts.inputSize ?? s.inputSize;
  const validationSplit = opts.validationSplit ?? s.validationSplit;
  let inputSize: [number, number] | undefined;
  try {
    inputSize = parseInputSize(inputSizeText);
  } catch (e) {
    void vscode.window.showErrorMessage(`Train: ${(e as Error).message}. Fix the setting landmarks.train.inputSize.`);
    return undefined;
  }

  // A bad dataset is explained before the engine starts.
  let report;
  try {
    report = await checkDataset(data, opts.images);
  } catch (e) {
    void vscode.window.showErrorMessage(`Train: cannot read ${data}: ${(e as Error).message}`);
    return undefined;
  }
  wb.host.log(`train: dataset ${data}: ${report.specimens} specimens, ${report.landmarks} landmarks, ${report.withImage} photos found`);
  for (const w of report.warnings) wb.host.log(`train: warning: ${w}`);
  for (const e of report.errors) wb.host.log(`train: error: ${e}`);
  if (report.errors.length) {
    const more = report.errors.length > 1 ? ` (+${report.errors.length - 1} more problems in the log)` : '';
    void vscode.window
      .showErrorMessage(`Cannot train on ${path.basename(data)}: ${report.errors[0]}${more}`, 'Open dataset', 'Show log')
      .then((pick) => {
        if (pick === 'Open dataset') void vscode.commands.executeCommand('vscode.open', vscode.Uri.file(data));
        if (pick === 'Show log') wb.host.output.show(true);
      });
    wb.lastTraining = { error: report.errors.join('\n') };
    return undefined;
  }
  if (report.warnings.length && interactive && opts.acceptWarnings !== true) {
    const go = await vscode.window.showWarningMessage(report.warnings.join('\n'), { modal: true }, 'Train anyway');
    if (go !== 'Train anyway') return undefined;
  }

  const modelsFolder = wb.modelsFolder(data);
  const out = opts.out ? path.resolve(opts.out) : path.join(modelsFolder, `${slug(path.basename(data))}-${preset}-${fileStamp(new Date())}`);
  const release = claimTrainingSlot(wb, out, data);
  if (typeof release !== 'function') {
    wb.lastTraining = { error: release.error };
    return undefined;
  }

  const options: TrainOptions = { data, out, preset, validationSplit };
  if (opts.images) options.images = opts.images;
  if (epochs > 0) options.epochs = epochs;
  if (inputSize) options.inputSize = inputSize;
  if (opts.batchSize) options.batchSize = opts.batchSize;
  if (opts.seed !== undefined) options.seed = opts.seed;

  let result: TrainResult | undefined;
  let job: ReturnType<typeof wb.host.client.train> | undefined;
  wb.trainingPanel?.dispose();
  const panel = new TrainingPanel(wb.context.extensionUri, `Training: ${path.basename(data)}`, {
    onCancel: () => job?.cancel(),
    onOpenResults: () => result && void wb.openTrainingResults(result, options).catch((e: Error) => vscode.window.showErrorMessage(`Cannot open the results: ${e.message}`)),
    onRevealModel: () => void vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(out)),
  });
  wb.trainingPanel = panel;
  panel.post({
    type: 'init',
    run: { dataset: data, modelDir: out, preset, epochs, inputSize: inputSizeText, validationSplit, started: new Date().toISOString() },
  });
  wb.host.log(`train: ${JSON.stringify(options)}`);
  wb.lastTraining = { options };

  try {
    result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Training on ${path.basename(data)}`, cancellable: true },
      async (progress, token) => {
        progress.report({ message: 'starting the engine...' });
        let done = 0;
        job = wb.host.client.train(options, {
          onProgress: (p) => {
            if (p.kind !== 'train') {
              progress.report({ message: `${p.stage} ${p.done}/${p.total}${p.message ? ` · ${p.message}` : ''}` });
              return;
            }
            const frac = Math.min(1, (p.epoch - 1 + p.batch / Math.max(1, p.batches)) / Math.max(1, p.epochs));
            const inc = Math.max(0, frac * 100 - done);
            done += inc;
            progress.report({ message: progressText(p), increment: inc });
            const { kind: _kind, ...rest } = p;
            panel.post({ type: 'progress', ...rest });
          },
        });
        token.onCancellationRequested(() => job?.cancel());
        const backend = wb.host.client.start().then((b) => panel.post({ type: 'backend', name: b.name, reason: b.reason }));
        backend.catch(() => undefined);
        return job.result;
      },
    );
  } catch (e) {
    const { message, hint } = describeError(e, 'Training');
    panel.post({ type: 'failed', message, hint });
    wb.lastTraining = { options, error: `${message} ${hint}` };
    void vscode.window.showErrorMessage(`${message} ${hint}`, 'Show log').then((p) => p && wb.host.output.show(true));
    return undefined;
  } finally {
    release();
  }

  wb.lastTraining = { options, result };
  const saved = !(result.cancelled && result.bestEpoch === 0);
  if (saved) void wb.context.workspaceState.update('landmarks.lastModel', result.modelDir);
  panel.post({ type: 'done', final: trainFinal(result) });
  const v = result.validation;
  const rel = vscode.workspace.asRelativePath(result.modelDir);
  const err = v ? ` Validation error: mean ${v.mean.toFixed(2)} px (${v.landmarks.map((l) => `${l.index}: ${l.mean.toFixed(1)}`).join(', ')}).` : '';
  const ran = `${result.epochs} epoch${result.epochs === 1 ? '' : 's'}`;
  const head = !saved
    ? 'Training cancelled before the first epoch ended: no model was saved. Your annotations are unchanged.'
    : result.cancelled
      ? `Training cancelled after ${ran}; the best model so far (epoch ${result.bestEpoch}) is saved in ${rel}.`
      : `Model saved to ${rel} (${ran}${result.bestEpoch > 0 ? `, best ${result.bestEpoch}` : ''}, ${formatDuration(result.seconds)}).`;
  const buttons = !saved ? [] : v && v.images.length ? ['Open results', 'Predict a folder...'] : ['Predict a folder...'];
  void vscode.window.showInformationMessage(head + err, ...buttons).then((pick) => {
    if (pick === 'Open results') {
      void wb.openTrainingResults(result as TrainResult, options).catch((e: Error) => vscode.window.showErrorMessage(`Cannot open the results: ${e.message}`));
    }
    if (pick === 'Predict a folder...') void vscode.commands.executeCommand('landmarks.predict');
  });
  return result;
}

