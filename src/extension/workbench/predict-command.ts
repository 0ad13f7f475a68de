/**
 * "Predict landmarks" on an image folder or on selected images: picks a model from the
 * workspace's models folder (the last one used first), writes a NEW TPS next to the images
 * (never over an existing file without asking; a free name is proposed), with progress and
 * cancel, then opens the file in the visual TPS editor for correction.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { EngineProgress, PredictResult } from '../../shared/protocol/engine';
import { EngineCancelledError } from '../engine-client';
import { getField, setField } from '../../shared/tps/model';
import { parseTps } from '../../shared/tps/parse';
import { emptyDocument, writeTps } from '../../shared/tps/write';
import { writeFileAtomicSync } from '../../shared/node/atomic-write';
import { formatDuration } from '../../shared/format';
import { describeModel, listModels, readModelInfo, type ModelInfo } from './models';
import { freeName } from './format';
import { describeError } from './messages';
import { IMAGE_EXTENSIONS, isImageFile } from '../../shared/image-files';
import type { Workbench } from './workbench';

export interface PredictCommandOptions {
  /** Image folder, one image, or several images. */
  images: string | string[];
  /** Model folder; default: asked (last used first). */
  model?: string;
  /** Output TPS; default: a free name next to the images. */
  out?: string;
  /** Overwrite `out` when it exists (default: ask, or refuse without prompts). */
  overwrite?: boolean;
  /** Open the result in the TPS editor (default true). */
  open?: boolean;
  recursive?: boolean;
}

function isPredictOptions(v: unknown): v is PredictCommandOptions {
  const i = (v as { images?: unknown } | null)?.images;
  return typeof v === 'object' && v !== null && (typeof i === 'string' || Array.isArray(i));
}

/** Explorer passes (clicked, selected[]); tests may add options as a third argument. */
function targets(args: unknown[]): { paths: string[]; options: Partial<PredictCommandOptions> } {
  const options = (args.find((a) => typeof a === 'object' && a !== null && !(a instanceof vscode.Uri) && !Array.isArray(a)) ?? {}) as Partial<PredictCommandOptions>;
  if (isPredictOptions(args[0])) {
    const o = args[0];
    return { paths: Array.isArray(o.images) ? o.images : [o.images], options: o };
  }
  const many = Array.isArray(args[1]) ? (args[1] as unknown[]).filter((u): u is vscode.Uri => u instanceof vscode.Uri) : [];
  if (many.length > 1) return { paths: many.map((u) => u.fsPath), options };
  if (args[0] instanceof vscode.Uri) return { paths: [args[0].fsPath], options };
  return { paths: [], options };
}

async function pickImages(): Promise<string[] | undefined> {
  const uris = await vscode.window.showOpenDialog({
    canSelectFiles: true,
    canSelectFolders: true,
    canSelectMany: true,
    title: 'Predict landmarks: an image folder or images',
    filters: { Images: IMAGE_EXTENSIONS.map((e) => e.slice(1)) },
  });
  return uris?.map((u) => u.fsPath);
}

export interface ModelPickOptions {
  title: string;
  placeHolder: string;
  /** Only models this accepts are offered (e.g. presets that can be fine-tuned). */
  accept?: (m: ModelInfo) => boolean;
}

export async function pickModel(
  wb: Workbench,
  near: string,
  o: ModelPickOptions = { title: 'Predict landmarks: model', placeHolder: 'The model to predict with' },
): Promise<string | undefined> {
  const folder = wb.modelsFolder(near);
  const models = listModels(folder).filter((m) => o.accept?.(m) ?? true);
  const last = wb.context.workspaceState.get<string>('landmarks.lastModel');
  if (last && !models.some((m) => m.dir === last)) {
    const info = readModelInfo(last);
    if (info && (o.accept?.(info) ?? true)) models.unshift(info);
  }
  models.sort((a, b) => Number(b.dir === last) - Number(a.dir === last));
  type Item = vscode.QuickPickItem & { dir?: string; browse?: boolean };
  const items: Item[] = models.map((m) => ({
    label: m.name,
    description: (m.dir === last ? '(last used) ' : '') + describeModel(m),
    detail: m.data ? `trained on ${m.data}${m.createdAt ? `, ${new Date(m.createdAt).toLocaleString()}` : ''}` : undefined,
    dir: m.dir,
  }));
  items.push({ label: '$(folder-opened) Browse for a model folder...', browse: true });
  if (models.length === 0) {
    const pick = await vscode.window.showWarningMessage(
      `No trained model in ${vscode.workspace.asRelativePath(folder)}. Train one first, or choose a model folder.`,
      'Train a model...',
      'Browse...',
    );
    if (pick === 'Train a model...') void vscode.commands.executeCommand('landmarks.train');
    if (pick !== 'Browse...') return undefined;
  }
  const pick = models.length ? await vscode.window.showQuickPick(items, { title: o.title, placeHolder: o.placeHolder }) : { browse: true, label: '' };
  if (!pick) return undefined;
  if (!pick.browse) return pick.dir;
  const uris = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, title: 'A model folder (with metadata.json)' });
  return uris?.[0]?.fsPath;
}

/** Where the new TPS goes: beside the images, named after the folder (or the image). */
export function defaultOutput(target: string, isDir: boolean): { dir: string; base: string } {
  if (isDir) return { dir: target, base: `${path.basename(target)}-predicted` };
  return { dir: path.dirname(target), base: `${path.basename(target, path.extname(target))}-predicted` };
}

async function chooseOutput(out: string, interactive: boolean, overwrite: boolean | undefined): Promise<{ out: string; overwrite: boolean } | undefined> {
  if (!fs.existsSync(out)) return { out, overwrite: false };
  if (overwrite) return { out, overwrite: true };
  const dir = path.dirname(out);
  const ext = path.extname(out);
  const base = path.basename(out, ext);
  const free = path.join(dir, freeName(base.replace(/-\d+$/, ''), ext, (n) => fs.existsSync(path.join(dir, n))));
  if (!interactive) return { out: free, overwrite: false };
  const useFree = `Write ${path.basename(free)}`;
  const pick = await vscode.window.showWarningMessage(
    `${path.basename(out)} already exists in ${vscode.workspace.asRelativePath(dir)}. It may hold landmarks corrected by hand.`,
    { modal: true, detail: `Write the predictions to a new file ${path.basename(free)}, or replace ${path.basename(out)}?` },
    useFree,
    'Replace',
  );
  if (pick === useFree) return { out: free, overwrite: false };
  if (pick === 'Replace') return { out, overwrite: true };
  return undefined;
}

/**
 * Joins one-image TPS files (written in a temporary folder) into `out`, atomically, with IMAGE=
 * rewritten relative to `out`'s folder as the engine writes it for a whole folder.
 */
function joinTps(parts: string[], out: string): void {
  const doc = emptyDocument();
  for (const part of parts) {
    const d = parseTps(fs.readFileSync(part, 'utf8'), part);
    for (const sp of d.specimens) {
      const image = getField(sp, 'IMAGE');
      if (image) {
        const abs = path.resolve(path.dirname(part), image);
        setField(sp, 'IMAGE', path.relative(path.dirname(out), abs).split(path.sep).join('/'));
      }
      doc.specimens.push(sp);
    }
  }
  writeFileAtomicSync(out, writeTps(doc));
}

export async function predictCommand(wb: Workbench, ...args: unknown[]): Promise<PredictResult | undefined> {
  const t = targets(args);
  const interactive = !isPredictOptions(args[0]) && !t.options.model;
  let paths = t.paths;
  if (paths.length === 0) paths = (await pickImages()) ?? [];
  if (paths.length === 0) return undefined;
  paths = paths.map((p) => path.resolve(p));
  for (const p of paths) {
    if (!fs.existsSync(p)) {
      void vscode.window.showErrorMessage(`Predict: ${p} does not exist.`);
      return undefined;
    }
  }
  const folders = paths.filter((p) => fs.statSync(p).isDirectory());
  const images = paths.filter((p) => !fs.statSync(p).isDirectory() && isImageFile(p));
  if (folders.length > 1 || (folders.length === 1 && images.length > 0)) {
    void vscode.window.showErrorMessage('Predict: choose one image folder, or images (not several folders).');
    return undefined;
  }
  if (folders.length === 0 && images.length === 0) {
    void vscode.window.showErrorMessage(`Predict: ${paths.map((p) => path.basename(p)).join(', ')} is not an image (JPEG, PNG, TIFF, BMP) or folder.`);
    return undefined;
  }
  const target = folders[0] ?? images[0];
  const isDir = folders.length === 1;
  if (isDir && !fs.readdirSync(target).some((f) => isImageFile(f)) && !t.options.recursive) {
    void vscode.window.showErrorMessage(`Predict: ${vscode.workspace.asRelativePath(target)} holds no image (JPEG, PNG, TIFF, BMP).`);
    return undefined;
  }

  const model = t.options.model ? path.resolve(t.options.model) : await pickModel(wb, target);
  if (!model) return undefined;
  if (!readModelInfo(model)) {
    void vscode.window.showErrorMessage(`Predict: ${model} is not a landmark model folder (no metadata.json). Train a model first.`);
    return undefined;
  }
  void wb.context.workspaceState.update('landmarks.lastModel', model);

  const def = defaultOutput(images.length > 1 ? path.dirname(images[0]) : target, isDir || images.length > 1);
  const wanted = t.options.out ? path.resolve(t.options.out) : path.join(def.dir, `${def.base}.tps`);
  const chosen = await chooseOutput(wanted, interactive, t.options.overwrite);
  if (!chosen) return undefined;
  const { out, overwrite } = chosen;
  // A training (or another job) runs: offer to queue the prediction rather than fail. Without
  // prompts (a script's options), the busy engine is reported as an error below.
  if (interactive && !(await wb.host.whenFree('prediction'))) {
    wb.lastPrediction = { error: 'not run: the engine was busy and the prediction was not queued' };
    return undefined;
  }
  wb.host.log(`predict: ${isDir ? 'folder' : `${images.length} image(s)`} ${target} with ${model} -> ${out}`);

  let result: PredictResult;
  try {
    result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Predicting landmarks (${path.basename(model)})`, cancellable: true },
      async (progress, token) => {
        let done = 0;
        const onProgress = (offset: number, count: number) => (p: EngineProgress) => {
          if (p.kind !== 'step') return;
          const frac = (offset + (p.done / Math.max(1, p.total)) * count) / Math.max(1, isDir ? 1 : images.length);
          const inc = Math.max(0, frac * 100 - done);
          done += inc;
          const eta = p.etaSeconds !== undefined ? ` · ETA ${formatDuration(p.etaSeconds)}` : '';
          progress.report({ message: `${p.stage} ${p.done}/${p.total}${eta}`, increment: inc });
        };
        if (isDir || images.length === 1) {
          const job = wb.host.client.predict({ model, images: target, out, overwrite, recursive: t.options.recursive }, { onProgress: onProgress(0, 1) });
          token.onCancellationRequested(() => job.cancel());
          return job.result;
        }
        // Several images: one job each into a temp folder, then one TPS.
        const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'landmarks-predict-'));
        try {
          const parts: string[] = [];
          const skipped: PredictResult['skipped'] = [];
          const started = Date.now();
          for (let i = 0; i < images.length; i++) {
            if (token.isCancellationRequested) throw new EngineCancelledError('The prediction was cancelled.', 'predict');
            const part = path.join(tmp, `${i}.tps`);
            const job = wb.host.client.predict({ model, images: images[i], out: part }, { onProgress: onProgress(i, 1) });
            const sub = token.onCancellationRequested(() => job.cancel());
            const r = await job.result.finally(() => sub.dispose());
            skipped.push(...r.skipped);
            if (fs.existsSync(part)) parts.push(part);
          }
          if (fs.existsSync(out) && !overwrite) throw new Error(`${out} appeared while predicting; nothing was overwritten`);
          joinTps(parts, out);
          return { kind: 'predict', out, predicted: parts.length, skipped, seconds: (Date.now() - started) / 1000 } satisfies PredictResult;
        } finally {
          fs.rmSync(tmp, { recursive: true, force: true });
        }
      },
    );
  } catch (e) {
    // Typed: a busy engine's message says "cancel it", and is not a cancellation.
    if (e instanceof EngineCancelledError) {
      void vscode.window.showInformationMessage(`Prediction cancelled.${fs.existsSync(out) ? '' : ' No file was written.'}`);
      wb.lastPrediction = { error: 'cancelled' };
      return undefined;
    }
    const { message, hint } = describeError(e, 'Prediction');
    wb.lastPrediction = { error: `${message} ${hint}` };
    void vscode.window.showErrorMessage(`${message} ${hint}`, 'Show log').then((p) => p && wb.host.output.show(true));
    return undefined;
  }

  wb.lastPrediction = { result };
  const skipped = result.skipped.length ? ` ${result.skipped.length} skipped (${result.skipped.slice(0, 2).map((s) => `${path.basename(s.path)}: ${s.why}`).join('; ')}).` : '';
  wb.host.log(`predict: wrote ${result.out}: ${result.predicted} images in ${result.seconds.toFixed(1)} s.${skipped}`);
  if (t.options.open !== false && fs.existsSync(result.out)) {
    await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(result.out), 'landmarks.tpsEditor');
  }
  void vscode.window.showInformationMessage(
    `Predicted ${result.predicted} images into ${vscode.workspace.asRelativePath(result.out)} in ${formatDuration(result.seconds)}.${skipped} Correct them in the editor and save.`,
  );
  return result;
}
