/**
 * "Run cross-validation rounds" (the paper's protocol): test sets of a given size in turn, each
 * round training on all the other images, until every image was tested once. Picks the dataset,
 * preset, test-set size and epochs (or takes them from an options argument), runs the engine's
 * `rounds` job with a progress notification (round i/n, Cancel), then opens the results view on
 * all images (manual vs the rounds' predicted TPS) and says the mean error and where the files are.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { PresetName, RoundsOptions, RoundsResult } from '../../shared/protocol/engine';
import { EngineCancelledError } from '../engine-client';
import { checkDataset } from './dataset-check';
import { fileStamp, parseInputSize, slug } from './format';
import { describeError } from './messages';
import { defaultTestSize, roundCount, roundsProgress, roundsSummary, testSizeProblem } from './rounds-text';
import { engineFacts, pickDataset, preferredPreset } from './train-command';
import { presetPickItems, type PresetPickItem } from './train-wizard';
import { claimTrainingSlot } from './training-slot';
import { forkCli, hasSbatch, readMerged, roundsCliArgs, roundsStatus, statusText, whereChoices, type RoundsWhere } from './rounds-cli';
import type { Workbench } from './workbench';

/** Arguments a caller (a test, a script) passes to skip every prompt. */
export interface RoundsCommandOptions {
  /** TPS file or folder of one-specimen TPS files. */
  data: string;
  images?: string;
  preset?: PresetName;
  /** Images per test set; default about a fifth of the images. */
  testSize?: number;
  /** 0 = the preset's default. */
  epochs?: number;
  /** "WxH", '' = preset default. */
  inputSize?: string;
  validationSplit?: number;
  seed?: number;
  /** Work folder; default <models folder>/<dataset>-rounds-<preset>-<time>. */
  out?: string;
  /** Open the results view at the end (default true). */
  open?: boolean;
  /** Where the rounds run (default: one after another in the extension's engine). */
  where?: RoundsWhere;
}

export interface LastRounds {
  options?: RoundsOptions;
  result?: RoundsResult;
  error?: string;
  /** The closing message shown to the user. */
  message?: string;
}

function isRoundsOptions(v: unknown): v is RoundsCommandOptions {
  return typeof v === 'object' && v !== null && !(v instanceof vscode.Uri) && typeof (v as { data?: unknown }).data === 'string';
}

async function promptOptions(wb: Workbench, data: string, images: number): Promise<RoundsCommandOptions | undefined> {
  const c = vscode.workspace.getConfiguration('landmarks');
  const preferred = preferredPreset(c);
  const facts = engineFacts(wb);
  // the engine's own description of each preset, as the Train wizard shows it
  const presetPick = await vscode.window.showQuickPick<PresetPickItem>(
    facts.then((f) => presetPickItems(f.presets, f.backend, preferred)),
    { title: 'Cross-validation rounds (2/4): preset', matchOnDetail: true },
  );
  if (!presetPick) return undefined;
  const preset = presetPick.label;
  const size = await vscode.window.showInputBox({
    title: 'Cross-validation rounds (3/4): test-set size',
    prompt: `Images tested per round; each round trains on the other images (${images} images with photos; the paper used 33 of 293)`,
    value: String(defaultTestSize(images)),
    validateInput: (v) => {
      const why = testSizeProblem(v, images);
      // Info does not block Enter: it only says how many rounds this makes.
      return why ?? { message: `${roundCount(images, Number(v))} rounds`, severity: vscode.InputBoxValidationSeverity.Info };
    },
  });
  if (size === undefined) return undefined;
  let epochs = 0;
  if (preset === 'paper') {
    const e = await vscode.window.showInputBox({
      title: 'Cross-validation rounds (4/4): epochs per round',
      prompt: 'Epochs each round trains (0 = the preset default)',
      value: String(Math.max(0, Math.round(c.get<number>('train.epochs', 0)))),
      validateInput: (v) => (/^\d+$/.test(v.trim()) ? undefined : 'A whole number, 0 for the preset default'),
    });
    if (e === undefined) return undefined;
    epochs = Number(e);
  }
  return { data, preset, testSize: Number(size), epochs };
}

export async function roundsCommand(wb: Workbench, arg?: unknown): Promise<RoundsResult | undefined> {
  let opts: RoundsCommandOptions | undefined = isRoundsOptions(arg) ? arg : undefined;
  const picked = opts?.data ?? (arg instanceof vscode.Uri ? arg.fsPath : await pickDataset(wb, 'Cross-validation rounds (1/4): dataset'));
  if (!picked) return undefined;
  const data = path.resolve(picked);
  if (!fs.existsSync(data)) {
    void vscode.window.showErrorMessage(`Cross-validation: the dataset ${data} does not exist.`);
    wb.lastRounds = { error: `${data} does not exist` };
    return undefined;
  }

  // A bad dataset is explained before the engine starts.
  let report;
  try {
    report = await checkDataset(data, opts?.images);
  } catch (e) {
    void vscode.window.showErrorMessage(`Cross-validation: cannot read ${data}: ${(e as Error).message}`);
    return undefined;
  }
  wb.host.log(`rounds: dataset ${data}: ${report.specimens} specimens, ${report.landmarks} landmarks, ${report.withImage} photos found`);
  for (const w of report.warnings) wb.host.log(`rounds: warning: ${w}`);
  if (report.errors.length) {
    for (const e of report.errors) wb.host.log(`rounds: error: ${e}`);
    const more = report.errors.length > 1 ? ` (+${report.errors.length - 1} more problems in the log)` : '';
    void vscode.window.showErrorMessage(`Cannot run cross-validation on ${path.basename(data)}: ${report.errors[0]}${more}`, 'Show log').then((p) => p && wb.host.output.show(true));
    wb.lastRounds = { error: report.errors.join('\n') };
    return undefined;
  }
  if (!opts) {
    opts = await promptOptions(wb, data, report.withImage);
    if (!opts) return undefined;
  }

  const c = vscode.workspace.getConfiguration('landmarks');
  const preset: PresetName = opts.preset ?? preferredPreset(c);
  const testSize = opts.testSize ?? defaultTestSize(report.withImage);
  const sizeProblem = testSizeProblem(String(testSize), report.withImage);
  if (sizeProblem) {
    const message = `Cross-validation: test sets of ${testSize} do not fit ${report.withImage} images. ${sizeProblem}.`;
    void vscode.window.showErrorMessage(message);
    wb.lastRounds = { error: message };
    return undefined;
  }
  let inputSize: [number, number] | undefined;
  try {
    inputSize = parseInputSize(opts.inputSize ?? c.get<string>('train.inputSize', ''));
  } catch (e) {
    void vscode.window.showErrorMessage(`Cross-validation: ${(e as Error).message}. Fix the setting landmarks.train.inputSize.`);
    return undefined;
  }

  const out = opts.out ? path.resolve(opts.out) : path.join(wb.modelsFolder(data), `${slug(path.basename(data))}-rounds-${preset}-${fileStamp(new Date())}`);
  const release = claimTrainingSlot(wb, out, data);
  if (typeof release !== 'function') {
    wb.lastRounds = { error: release.error };
    return undefined;
  }

  const options: RoundsOptions = { data, out, preset, testSize, validationSplit: opts.validationSplit ?? c.get<number>('train.validationSplit', 0.2) };
  if (opts.images) options.images = opts.images;
  const epochs = opts.epochs ?? Math.max(0, Math.round(c.get<number>('train.epochs', 0)));
  if (epochs > 0) options.epochs = epochs;
  if (inputSize) options.inputSize = inputSize;
  if (opts.seed !== undefined) options.seed = opts.seed;
  const rounds = roundCount(report.withImage, testSize);
  let where: RoundsWhere = opts.where ?? { kind: 'engine' };
  if (!isRoundsOptions(arg)) {
    // Side by side on this host's cores, or on the cluster when this host can submit to SLURM
    // (a login node reached through Remote-SSH): asked only when there is a choice.
    const choices = whereChoices(os.cpus().length, rounds, hasSbatch());
    if (choices.length > 1) {
      const pick = await vscode.window.showQuickPick(choices, { title: `Cross-validation rounds: where (${rounds} rounds)`, placeHolder: 'Where the rounds run' });
      if (!pick) {
        release();
        return undefined;
      }
      where = pick.where;
    }
  }
  wb.host.log(`rounds: ${JSON.stringify(options)} ${JSON.stringify(where)}`);
  wb.lastRounds = { options };

  let result: RoundsResult;
  if (where.kind !== 'engine') {
    try {
      const r = await roundsOutside(wb, options, where, rounds);
      if (!r) return undefined;
      result = r;
    } catch (e) {
      const { message, hint } = describeError(e, 'Cross-validation');
      wb.lastRounds = { options, error: `${message} ${hint}`.trim() };
      void vscode.window.showErrorMessage(`${message} ${hint}`, 'Show log').then((p) => p && wb.host.output.show(true));
      return undefined;
    } finally {
      release();
    }
    return finish(wb, opts, data, out, report.withImage, options, result);
  }
  try {
    result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Cross-validation on ${path.basename(data)} (${rounds} rounds of ${testSize})`, cancellable: true },
      async (progress, token) => {
        progress.report({ message: 'starting the engine...' });
        let done = 0;
        let current: { round: number; rounds: number } | undefined;
        const job = wb.host.client.rounds(options, {
          onProgress: (p) => {
            const v = roundsProgress(p, current);
            if (v.round !== undefined && v.rounds !== undefined) current = { round: v.round, rounds: v.rounds };
            const inc = v.fraction !== undefined ? Math.max(0, v.fraction * 100 - done) : 0;
            done += inc;
            progress.report({ message: v.text, increment: inc });
          },
        });
        token.onCancellationRequested(() => job.cancel());
        return job.result;
      },
    );
  } catch (e) {
    // Typed: the engine ends a rounds job cancelled before its first round with no result.
    const early = e instanceof EngineCancelledError;
    const { message, hint } = early
      ? { message: 'Cross-validation cancelled before the first round ended: nothing to show.', hint: 'Your annotations are unchanged.' }
      : describeError(e, 'Cross-validation');
    wb.lastRounds = { options, error: `${message} ${hint}`.trim() };
    if (early) void vscode.window.showInformationMessage(`${message} ${hint}`);
    else void vscode.window.showErrorMessage(`${message} ${hint}`, 'Show log').then((p) => p && wb.host.output.show(true));
    return undefined;
  } finally {
    release();
  }

  return finish(wb, opts, data, out, report.withImage, options, result);
}

/** The closing message and the results view of a finished rounds run, wherever it ran. */
async function finish(wb: Workbench, opts: RoundsCommandOptions, data: string, out: string, images: number, options: RoundsOptions, result: RoundsResult): Promise<RoundsResult> {
  const message = roundsSummary(result, vscode.workspace.asRelativePath(out), images);
  wb.lastRounds = { options, result, message };
  wb.host.log(`rounds: ${message}`);
  if (opts.open !== false) {
    try {
      await wb.showResults(result.evaluation, `Cross-validation: ${path.basename(data)} (${result.rounds} rounds)`, {
        imagesDir: opts.images,
        manualPath: data,
        predictedPath: result.predictedTps,
      });
    } catch (e) {
      wb.host.log(`rounds: cannot open the results view: ${(e as Error).stack ?? String(e)}`);
      void vscode.window.showErrorMessage(`Cross-validation finished, but the results view could not open: ${(e as Error).message}`);
    }
  }
  void vscode.window.showInformationMessage(message, 'Open predicted TPS', 'Reveal folder').then((pick) => {
    if (pick === 'Open predicted TPS') void vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(result.predictedTps), 'landmarks.tpsEditor');
    if (pick === 'Reveal folder') void vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(out));
  });
  return result;
}

/**
 * Rounds through the CLI (`--workers N` here, or `--slurm`): progress per round from the work
 * folder while they run, Cancel stops the workers (SLURM jobs keep running: the message says how
 * to stop them), and the merged result when every round is done.
 */
async function roundsOutside(wb: Workbench, options: RoundsOptions, where: Exclude<RoundsWhere, { kind: 'engine' }>, rounds: number): Promise<RoundsResult | undefined> {
  const cli = path.join(wb.context.extensionPath, 'dist', 'cli.js');
  const args = roundsCliArgs(options, where);
  wb.host.log(`rounds: node ${cli} ${args.join(' ')}`);
  const title = where.kind === 'workers' ? `Cross-validation: ${rounds} rounds, ${where.workers} at once` : `Cross-validation on SLURM: ${rounds} rounds`;
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    progress.report({ message: where.kind === 'slurm' ? 'submitting...' : 'starting the workers...' });
    const run = forkCli(cli, args, process.env, (line) => wb.host.log(`rounds: ${line}`));
    let cancelled = false;
    token.onCancellationRequested(() => {
      cancelled = true;
      if (where.kind === 'workers') run.child.kill('SIGINT');
    });
    let doneRounds = 0;
    const poll = async (): Promise<void> => {
      const s = await roundsStatus(cli, options.out);
      if (!s) return;
      const inc = Math.max(0, s.counts.done - doneRounds);
      doneRounds = s.counts.done;
      progress.report({ message: statusText(s), increment: (inc * 100) / Math.max(1, s.rounds.length) });
    };
    const timer = setInterval(() => void poll().catch(() => undefined), 3000);
    try {
      const exit = await run.done;
      if (where.kind === 'workers') {
        await poll().catch(() => undefined);
        if (cancelled) {
          void vscode.window.showInformationMessage('Cross-validation cancelled: the finished rounds are kept; running the same rounds again does the others.');
          wb.lastRounds = { options, error: 'cancelled' };
          return undefined;
        }
        if (exit.code !== 0 && !readMerged(options.out)) throw new Error(lastLine(exit.stderr) ?? `the rounds ended with exit code ${exit.code}`);
      } else {
        if (exit.code !== 0) throw new Error(`SLURM refused the rounds: ${lastLine(exit.stderr) ?? `exit code ${exit.code}`}`);
        // Submitted: follow the job array until the merge job has merged, or the user stops watching.
        for (;;) {
          if (cancelled) {
            void vscode.window.showInformationMessage(`Stopped watching: the SLURM jobs go on. \`node dist/cli.js rounds status ${options.out}\` says how they stand; scancel stops them.`);
            wb.lastRounds = { options, error: 'stopped watching' };
            return undefined;
          }
          const s = await roundsStatus(cli, options.out);
          if (s) {
            progress.report({ message: statusText(s) });
            if (s.merged && s.merged.complete) break;
            if (s.merged && !s.merged.complete && s.counts.done + s.counts.failed === s.rounds.length) break;
          }
          await new Promise((r) => setTimeout(r, 5000));
        }
      }
    } finally {
      clearInterval(timer);
    }
    const merged = readMerged(options.out);
    if (!merged) throw new Error(`the rounds in ${options.out} left no merged result`);
    if (!merged.summary.complete) {
      const failed = merged.summary.notDone.map((n) => `round ${n.index + 1}: ${n.state}${n.error ? ` (${n.error})` : ''}`).join('; ');
      void vscode.window.showWarningMessage(`Cross-validation: ${merged.summary.notDone.length} round(s) did not finish (${failed}); the results show the others. Running the same rounds again does only those.`);
    }
    return { kind: 'rounds', rounds: merged.summary.done.length, roundDirs: merged.summary.done.map((i) => path.join(options.out, `round-${String(i + 1).padStart(2, '0')}`)), evaluation: merged.evaluation, predictedTps: merged.summary.predictedTps, seconds: 0 };
  });
}

function lastLine(text: string): string | undefined {
  return text.split('\n').map((l) => l.trim()).filter(Boolean).pop();
}
