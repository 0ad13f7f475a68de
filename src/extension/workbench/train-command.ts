/**
 * "Train landmark model": picks the dataset and the few options that matter (or takes them from
 * an options argument), checks the dataset, trains in the engine child with a progress
 * notification (epoch, loss, ETA, Cancel) and a live training view, and ends with where the
 * model went, its validation error per landmark and a button to open the results.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { OptionValue } from '../../shared/protocol/options';
import { isPresetName, type BackendName, type PresetInfo, type PresetName, type TrainOptions, type TrainResult } from '../../shared/protocol/engine';
import { EngineCancelledError } from '../engine-client';
import { checkDataset } from './dataset-check';
import { modelsFolders, pickTpsDataset } from './dataset-quick-pick';
import { fileStamp, parseInputSize, slug } from './format';
import { formatDuration } from '../../shared/format';
import { describeError, progressText, trainFinal } from './messages';
import { epochsPrompt, inputSizePrompt, isSizedPreset, presetPickItems, type PresetPickItem } from './train-wizard';
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
  /** Fine-tuning: the trained model whose weights the training starts from. */
  initFrom?: string;
  /** 0-based landmarks of the dataset to train on, in the model's order. */
  landmarkSubset?: number[];
  /** The preset's own options (e.g. `sdm.ridge`); default: the setting landmarks.train.presetOptions for the preset. */
  presetOptions?: Record<string, OptionValue>;
}

export function isTrainOptions(v: unknown): v is TrainCommandOptions {
  return typeof v === 'object' && v !== null && typeof (v as { data?: unknown }).data === 'string';
}

interface Settings {
  preset: PresetName;
  epochs: number;
  inputSize: string;
  validationSplit: number;
  /** Per preset: its own options as the user set them (the engine checks them against the declarations). */
  presetOptions: Partial<Record<PresetName, Record<string, OptionValue>>>;
}

/** The `landmarks.train.preset` setting; `default` where it names no preset this engine ships. */
export function preferredPreset(c: vscode.WorkspaceConfiguration): PresetName {
  const v = c.get<string>('train.preset', 'default');
  return isPresetName(v) ? v : 'default';
}

function settings(): Settings {
  const c = vscode.workspace.getConfiguration('landmarks');
  return {
    preset: preferredPreset(c),
    epochs: Math.max(0, Math.round(c.get<number>('train.epochs', 0))),
    inputSize: c.get<string>('train.inputSize', ''),
    validationSplit: c.get<number>('train.validationSplit', 0.2),
    presetOptions: c.get<Partial<Record<PresetName, Record<string, OptionValue>>>>('train.presetOptions', {}) ?? {},
  };
}

/** Quick pick of the workspace's TPS files (or browse); `title` names the step. */
export function pickDataset(wb: Workbench, title = 'Train landmark model: dataset'): Promise<string | undefined> {
  return pickTpsDataset({
    title,
    placeHolder: 'The TPS file (or folder of one-specimen files) with the manual landmarks',
    modelsFolders: modelsFolders(wb),
    browseTitle: 'Dataset: a TPS file, or a folder of one-specimen TPS files',
  });
}

/** The engine's presets and backend for the wizard's texts; nothing when it cannot start soon. */
export async function engineFacts(wb: Workbench): Promise<{ presets?: PresetInfo[]; backend?: BackendName }> {
  const client = wb.host.client;
  const started = client.start().then(
    () => true,
    () => false,
  );
  // The engine is needed to train anyway; a slow start (2 busy cores) must not hold the wizard.
  const ok = await Promise.race([started, new Promise<boolean>((r) => setTimeout(() => r(false), 20_000))]);
  return ok ? { presets: client.presets, backend: client.backend?.name } : {};
}

async function promptOptions(wb: Workbench, data: string, s: Settings): Promise<TrainCommandOptions | undefined> {
  const facts = engineFacts(wb);
  const presetPick = await vscode.window.showQuickPick<PresetPickItem>(
    facts.then((f) => presetPickItems(f.presets, f.backend, s.preset)),
    { title: 'Train landmark model: preset', placeHolder: 'The preset (under each: what it runs with on this machine)', matchOnDetail: true },
  );
  if (!presetPick) return undefined;
  const preset = presetPick.label;
  const { presets, backend } = await facts;
  const info = presets?.find((p) => p.name === preset);
  let epochs = '0';
  let inputSize = '';
  // Only a preset that uses them is asked for epochs and input size (default ignores both).
  if (isSizedPreset(preset, presets)) {
    const e = await vscode.window.showInputBox({
      title: `Train landmark model (${preset}): epochs`,
      prompt: epochsPrompt(info, backend),
      value: String(s.epochs),
      validateInput: (v) => (/^\d+$/.test(v.trim()) ? undefined : 'A whole number, 0 for the preset default'),
    });
    if (e === undefined) return undefined;
    epochs = e;
    const size = await vscode.window.showInputBox({
      title: `Train landmark model (${preset}): input size`,
      prompt: inputSizePrompt(info, backend),
      value: s.inputSize,
      validateInput: (v) => {
        try {
          parseInputSize(v);
          return undefined;
        } catch (err) {
          return (err as Error).message;
        }
      },
    });
    if (size === undefined) return undefined;
    inputSize = size;
  }
  const split = await vscode.window.showInputBox({
    title: `Train landmark model (${preset}): validation share`,
    prompt: 'Share of images kept for validation, 0.05 to 0.5 (the paper used 0.4)',
    value: String(s.validationSplit),
    validateInput: (v) => {
      const n = Number(v);
      return Number.isFinite(n) && n >= 0.05 && n <= 0.5 ? undefined : 'A number between 0.05 and 0.5';
    },
  });
  if (split === undefined) return undefined;
  return { data, preset, epochs: Number(epochs), inputSize, validationSplit: Number(split) };
}

export async function trainCommand(wb: Workbench, arg?: unknown): Promise<TrainResult | undefined> {
  const s = settings();
  let opts: TrainCommandOptions | undefined;
  const interactive = !isTrainOptions(arg);
  if (isTrainOptions(arg)) opts = arg;
  else {
    const data = arg instanceof vscode.Uri ? arg.fsPath : await pickDataset(wb);
    if (!data) return undefined;
    opts = await promptOptions(wb, data, s);
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
  if (opts.initFrom) options.initFrom = path.resolve(opts.initFrom);
  if (opts.landmarkSubset) options.landmarkSubset = [...opts.landmarkSubset];
  const presetOptions = opts.presetOptions ?? s.presetOptions[preset];
  if (presetOptions && Object.keys(presetOptions).length) options.presetOptions = { ...presetOptions };

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
            const frac = Math.min(1, p.fraction ?? (p.epoch - 1 + p.batch / Math.max(1, p.batches)) / Math.max(1, p.epochs));
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
    if (e instanceof EngineCancelledError) {
      // Cancelled before the first epoch (while starting or reading the photos): nothing saved.
      const message = 'Training cancelled before the first epoch ended: no model was saved. Your annotations are unchanged.';
      panel.post({ type: 'done', final: { modelDir: out, cancelled: true, epochs: 0, bestEpoch: 0, bestValLoss: NaN, seconds: 0, hasResults: false } });
      wb.lastTraining = { options, error: message };
      void vscode.window.showInformationMessage(message);
      return undefined;
    }
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

