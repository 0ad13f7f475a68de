/**
 * "Fine-tune landmark model": continues the training of a trained model on another TPS set, as the
 * paper's scenario 2 does (pretrain on several parts, fine-tune on one). The user picks the model,
 * the dataset, and which of its landmarks to train on, in the model's order (`1-8`, or
 * `2-5,7,8,10,11`); with as many landmarks as the model has every layer is kept, otherwise the
 * output layer starts anew. The training itself is the Train command's, with its progress,
 * live view, Cancel and results.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { isPresetName, type TrainResult } from '../../shared/protocol/engine';
import { formatLandmarkSubset, parseLandmarkSubset } from '../../shared/dataset/landmark-subset';
import { checkDataset } from './dataset-check';
import { fileStamp, slug } from './format';
import { readModelInfo } from './models';
import { pickModel } from './predict-command';
import { pickDataset, trainCommand, type TrainCommandOptions } from './train-command';
import type { Workbench } from './workbench';

/** Presets whose training can start from another model's weights. */
const FINE_TUNABLE = new Set(['paper']);

export interface FinetuneCommandOptions extends Omit<TrainCommandOptions, 'initFrom' | 'preset'> {
  model: string;
}

function isFinetuneOptions(v: unknown): v is FinetuneCommandOptions {
  return typeof v === 'object' && v !== null && typeof (v as { model?: unknown }).model === 'string' && typeof (v as { data?: unknown }).data === 'string';
}

/** The default subset: the first landmarks of the dataset, as many as the model has. */
export function defaultSubset(modelLandmarks: number, datasetLandmarks: number): number[] {
  return Array.from({ length: Math.min(modelLandmarks, datasetLandmarks) }, (_, i) => i);
}

export async function finetuneCommand(wb: Workbench, arg?: unknown): Promise<TrainResult | undefined> {
  if (isFinetuneOptions(arg)) {
    const info = readModelInfo(path.resolve(arg.model));
    if (!info?.preset) throw new Error(`${arg.model} is not a trained model folder (no readable metadata.json)`);
    const { model, ...rest } = arg;
    return trainCommand(wb, { ...rest, preset: isPresetName(info.preset) ? info.preset : 'default', initFrom: model });
  }
  const near = arg instanceof vscode.Uri ? arg.fsPath : (vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd());
  const model = await pickModel(wb, near, {
    title: 'Fine-tune landmark model: the trained model to start from',
    placeHolder: 'A model of the paper preset (its network can continue training)',
    accept: (m) => m.preset !== undefined && FINE_TUNABLE.has(m.preset),
  });
  if (!model) return undefined;
  const info = readModelInfo(model);
  if (!info?.preset || !FINE_TUNABLE.has(info.preset)) {
    void vscode.window.showErrorMessage(`Fine-tune: ${path.basename(model)} is a ${info?.preset ?? 'unknown'} model; only paper models can be fine-tuned.`);
    return undefined;
  }
  const data = arg instanceof vscode.Uri && /\.tps$/i.test(arg.fsPath) ? arg.fsPath : await pickDataset(wb, 'Fine-tune landmark model: the dataset to train on');
  if (!data) return undefined;
  const report = await checkDataset(data);
  const k = info.landmarkCount ?? report.landmarks;
  const subsetText = await vscode.window.showInputBox({
    title: `Fine-tune ${info.name} on ${path.basename(data)}: landmarks`,
    prompt: `Which of the dataset's ${report.landmarks} landmarks to train on, in the model's order (the model has ${k}; the same count keeps every layer). E.g. 1-8 or 2-5,7,8,10,11`,
    value: formatLandmarkSubset(defaultSubset(k, report.landmarks)),
    validateInput: (v) => {
      const r = parseLandmarkSubset(v, report.landmarks);
      return 'error' in r ? r.error : undefined;
    },
  });
  if (subsetText === undefined) return undefined;
  const parsed = parseLandmarkSubset(subsetText, report.landmarks);
  if ('error' in parsed) return undefined;
  const out = path.join(wb.modelsFolder(data), `${slug(path.basename(data))}-finetuned-from-${slug(info.name)}-${fileStamp(new Date())}`);
  return trainCommand(wb, { data, preset: 'paper', initFrom: model, landmarkSubset: parsed.subset, out, acceptWarnings: false });
}
