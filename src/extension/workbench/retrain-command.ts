/**
 * "Retrain from corrections": after correcting predicted specimens in the Landmark Editor, adds the
 * corrected ones to the model's manual training set, in a NEW file next to it (the manual file is
 * never touched), retrains (from the old weights where the preset can: `paper`; `default` trains
 * anew), and says how far the old and the new model are from the corrected landmarks on those
 * photos. The pure parts are in ../../shared/review/corrections.ts.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { isPresetName, type EvaluationResult, type TrainResult } from '../../shared/protocol/engine';
import { resolveImage } from '../../shared/dataset/images';
import { freeFileName } from '../../shared/dataset/save';
import { writeFileAtomic } from '../../shared/node/atomic-write';
import { correctedSpecimens, predictingModel, retrainingSet } from '../../shared/review/corrections';
import { getField, type TpsSpecimen } from '../../shared/tps/model';
import { parseTps } from '../../shared/tps/parse';
import { writeTps } from '../../shared/tps/write';
import { fileStamp, slug } from './format';
import { listModels, readModelInfo } from './models';
import { pickModel } from './predict-command';
import { trainCommand } from './train-command';
import type { Workbench } from './workbench';

export interface RetrainOptions {
  /** The predicted TPS file with the corrections. */
  predicted: string;
  /** The model that predicted it (default: the one its COMMENT names, in the models folder). */
  model?: string;
  /** 0-based specimens to add (default: those with a landmark checked by hand in COMMENT=). */
  specimens?: number[];
  epochs?: number;
  inputSize?: string;
  seed?: number;
}

export interface RetrainResult {
  /** The new training file (manual + corrected). */
  data: string;
  added: number;
  skipped: { image: string; why: string }[];
  train: TrainResult;
  /** Mean error on the corrected photos (px) of the old and the new model. */
  before: number;
  after: number;
}

function isOptions(v: unknown): v is RetrainOptions {
  return typeof v === 'object' && v !== null && typeof (v as { predicted?: unknown }).predicted === 'string';
}

/** Predicts `photos` with `model` and measures it against `manual` (TPS of the corrected specimens). */
async function errorOn(wb: Workbench, model: string, photosDir: string, manual: string): Promise<EvaluationResult> {
  const out = path.join(photosDir, `${slug(path.basename(model))}-${Date.now()}.tps`);
  await wb.host.client.predict({ model, images: photosDir, out }).result;
  return (await wb.host.client.evaluate({ manual, predicted: out }).result).evaluation;
}

export async function retrainCommand(wb: Workbench, arg?: unknown): Promise<RetrainResult | undefined> {
  const o: RetrainOptions | undefined = isOptions(arg) ? arg : arg instanceof vscode.Uri ? { predicted: arg.fsPath } : undefined;
  const predictedPath = o?.predicted ?? (await vscode.window.showOpenDialog({ filters: { 'Predicted TPS': ['tps', 'TPS'] }, title: 'Retrain from corrections: the predicted file you corrected' }))?.[0]?.fsPath;
  if (!predictedPath) return undefined;
  const doc = parseTps(fs.readFileSync(predictedPath, 'utf8'), predictedPath);
  let corrected = o?.specimens ?? correctedSpecimens(doc);
  if (corrected.length === 0 && !o) {
    // Predictions without doubt notes (the paper preset's) cannot say what was corrected: ask.
    const picks = await vscode.window.showQuickPick(
      doc.specimens.map((sp, i) => ({ label: getField(sp, 'IMAGE') ?? `specimen ${i + 1}`, index: i })),
      { canPickMany: true, title: 'Retrain from corrections: the specimens you corrected', placeHolder: 'No landmark is marked checked in this file: pick the specimens whose landmarks you corrected' },
    );
    corrected = picks?.map((x) => x.index) ?? [];
  }
  if (corrected.length === 0) {
    void vscode.window.showInformationMessage(
      `${path.basename(predictedPath)} has no corrected specimen yet: move, place or mark missing a predicted landmark in the Landmark Editor (that marks it checked), save, then retrain.`,
    );
    return undefined;
  }
  const named = predictingModel(doc);
  let model = o?.model ? path.resolve(o.model) : listModels(wb.modelsFolder(predictedPath)).find((m) => m.name === named)?.dir;
  model ??= await pickModel(wb, predictedPath, { title: 'Retrain from corrections: the model that made these predictions', placeHolder: named ? `${named} was not found in the models folder` : 'The model to retrain' });
  if (!model) return undefined;
  const info = readModelInfo(model);
  const manualPath = info?.data;
  if (!info?.preset || !manualPath || !fs.existsSync(manualPath) || !fs.statSync(manualPath).isFile()) {
    void vscode.window.showErrorMessage(
      `Retrain: ${path.basename(model)} ${manualPath ? `was trained on ${manualPath}, which is not a TPS file here` : 'does not say what it was trained on'}; train a model on a TPS file to retrain it from corrections.`,
    );
    return undefined;
  }

  // The new training file beside the manual one: the manual lines as they are, then the corrections.
  const manualText = fs.readFileSync(manualPath, 'utf8');
  const manual = parseTps(manualText, manualPath);
  const photo = new Map<TpsSpecimen, string>();
  for (const i of corrected) {
    const s = doc.specimens[i];
    const found = await resolveImage(predictedPath, getField(s, 'IMAGE') ?? '');
    if (found) photo.set(s, found.path);
  }
  const set = retrainingSet(manualText, manual, corrected.map((i) => doc.specimens[i]), (s) => {
    const p = photo.get(s);
    return p ? path.relative(path.dirname(manualPath), p).split(path.sep).join('/') : undefined;
  });
  for (const s of set.skipped) wb.host.log(`retrain: ${s.image} not added: ${s.why}`);
  if (set.added === 0) {
    void vscode.window.showWarningMessage(`Retrain: none of the ${corrected.length} corrected specimens could be added (${set.skipped[0]?.why ?? 'unknown'}).`);
    return undefined;
  }
  const data = freeFileName(path.dirname(manualPath), `${path.basename(manualPath, path.extname(manualPath))}-with-corrections`, '.tps');
  await writeFileAtomic(data, set.text);

  // The corrected photos and their corrected landmarks, to measure both models on; kept with the
  // models (links to the photos and three small TPS files) so the results view can show them.
  const scratch = path.join(wb.modelsFolder(data), 'retrain-checks', fileStamp(new Date()));
  fs.mkdirSync(scratch, { recursive: true });
  {
    const used = corrected.map((i) => doc.specimens[i]).filter((s) => photo.has(s));
    for (const s of used) fs.symlinkSync(photo.get(s)!, path.join(scratch, path.basename(photo.get(s)!)));
    const truth = path.join(scratch, 'corrected.tps');
    fs.writeFileSync(
      truth,
      writeTps({
        specimens: used.map((s) => ({ landmarks: s.landmarks, fields: [{ key: 'IMAGE', value: path.basename(photo.get(s)!), line: 0 }], curves: [], line: 0 })),
        diagnostics: [],
        eol: '\n',
        finalNewline: true,
      }),
    );
    const before = await errorOn(wb, model, scratch, truth);
    const train = await trainCommand(wb, {
      data,
      preset: isPresetName(info.preset) ? info.preset : 'default',
      // Warm start where the preset can: the paper net continues from the old weights.
      ...(info.preset === 'paper' ? { initFrom: model } : {}),
      ...(o?.epochs !== undefined ? { epochs: o.epochs } : {}),
      ...(o?.inputSize !== undefined ? { inputSize: o.inputSize } : {}),
      ...(o?.seed !== undefined ? { seed: o.seed } : {}),
      out: path.join(wb.modelsFolder(data), `${slug(path.basename(data))}-${info.preset}-${fileStamp(new Date())}`),
      acceptWarnings: true,
    });
    if (!train || (train.cancelled && train.bestEpoch === 0)) return undefined;
    const after = await errorOn(wb, train.modelDir, scratch, truth);
    const result: RetrainResult = { data, added: set.added, skipped: set.skipped, train, before: before.mean, after: after.mean };
    const message =
      `Retrained on ${manual.specimens.length} manual + ${set.added} corrected specimens (${vscode.workspace.asRelativePath(data)}${info.preset === 'paper' ? ', from the old weights' : ''}). ` +
      `On the ${used.length} corrected photos: ${before.mean.toFixed(2)} px before, ${after.mean.toFixed(2)} px after.` +
      (set.skipped.length ? ` ${set.skipped.length} not added (see the log).` : '');
    wb.host.log(`retrain: ${message}`);
    void vscode.window.showInformationMessage(message, 'Open results').then((pick) => {
      if (pick === 'Open results') void wb.showResults(after, `After retraining: ${path.basename(data)}`, { manualPath: truth, predictedPath: after.predictedPath });
    });
    return result;
  }
}
