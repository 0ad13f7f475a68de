/**
 * `train --data <tps> [--images <dir>] --out <model-dir> [--preset default|pose|paper] [--epochs N]
 *  [--batch-size N] [--input-size WxH] [--learning-rate X] [--validation-split X] [--seed N]
 *  [--patience N] [--resume] [--init-from <model-dir>] [--landmarks 1,2,5-8] [--option NAME=VALUE]... [--backend ...] [--json]`
 * Progress on stderr; the result (TrainResult) as JSON on stdout with --json, else a summary.
 * Ctrl-C cancels and keeps the best model. Exit 0 done, 1 failed, 2 bad usage, 130 cancelled.
 */
import { parseArgs } from 'util';
import type { CliCommand } from './command';
import { PRESET_NAMES, type TrainOptions } from '../shared/protocol/engine';
import { trainModel } from '../engine/train/run';
import { evaluationTable, parseBackend, parseLandmarkList, UsageError } from './engine-common';
import { engineCommand, parseOptionAssignmentsOrUsage, parsePreset, parsePresetOptions, parseTrainingNumbers, presetOptionsHelp, printResult, readProfileArg, TRAINING_ARGS, unusedNumbersWarning, withEngine } from './options';

export const USAGE = [
  'usage: train --data <tps-or-folder> --out <model-dir> [options]',
  '',
  '  --data <path>            TPS file, or folder of one-specimen TPS files',
  '  --images <dir>           folder searched first for the images',
  '  --out <dir>              model folder (model.json, weights.bin, metadata.json, checkpoint/)',
  `  --preset ${PRESET_NAMES.join('|')}  the preset (default: default), each described below`,
  '  --epochs N  --batch-size N  --learning-rate X  --validation-split X (0..0.9)',
  '  --input-size WxH         model input, e.g. 256x192 (default: the preset\'s for the backend)',
  '  --seed N                 seeded split, shuffles, augmentation and initial weights (default 1)',
  '  --patience N             stop after N epochs without validation improvement',
  '  --resume                 continue from <out>/checkpoint',
  '  --init-from <dir>        start from another model\'s weights (fine-tuning)',
  '  --landmarks 1,2,5-8      train on these landmarks only (1-based)',
  '  --exclude a,b,...        leave these specimens out (image names; e.g. a test set)',
  '  --include a,b,...        train on these specimens only',
  '  --backend auto|webgpu|native-gpu|native-cpu|wasm|cpu',
  '  --option NAME=VALUE      one of the preset\'s own options (repeatable), listed below',
  '  --profile FILE.json      default preset: run this profile (stages + options, like src/engine/profiles/default.json)',
  '  --json                   print the result as JSON on stdout',
  '',
  ...presetOptionsHelp(),
].join('\n');

export function parseTrainArgs(args: string[]): { options: TrainOptions; backend: ReturnType<typeof parseBackend>; json: boolean } {
  const { values } = parseArgs({
    args,
    options: {
      ...TRAINING_ARGS,
      data: { type: 'string' },
      resume: { type: 'boolean' },
      'init-from': { type: 'string' },
      landmarks: { type: 'string' },
      exclude: { type: 'string' },
      include: { type: 'string' },
    },
    strict: true,
  });
  if (!values.data) throw new UsageError('--data is required');
  if (!values.out) throw new UsageError('--out is required');
  const preset = parsePreset(values.preset);
  const numbers = parseTrainingNumbers(values);
  const profile = readProfileArg(values.profile, preset);
  // with another profile its own options apply: the engine checks them against its stages
  const presetOptions = profile ? parseOptionAssignmentsOrUsage(values.option) : parsePresetOptions(preset, values.option);
  const unused = unusedNumbersWarning(preset, numbers);
  if (unused) console.error(unused);
  const options: TrainOptions = {
    data: values.data,
    out: values.out,
    preset,
    ...(values.images ? { images: values.images } : {}),
    ...numbers,
    ...(presetOptions ? { presetOptions } : {}),
    ...(profile ? { profile } : {}),
  };
  const set = <K extends keyof TrainOptions>(k: K, v: TrainOptions[K] | undefined): void => {
    if (v !== undefined) options[k] = v;
  };
  set('initFrom', values['init-from']);
  set('landmarkSubset', parseLandmarkList('landmarks', values.landmarks));
  const names = (v: string | undefined): string[] | undefined => v?.split(',').map((n) => n.trim()).filter(Boolean);
  set('exclude', names(values.exclude));
  set('include', names(values.include));
  if (values.resume) options.resume = true;
  return { options, backend: parseBackend(values.backend), json: !!values.json };
}

export const command: CliCommand = engineCommand(USAGE, async (args) => {
  const { options, backend, json } = parseTrainArgs(args);
  return withEngine(backend, { announce: true }, async (engine) => {
    const result = await trainModel(options, engine.env);
    printResult(json, result, engine.env.backend, () => {
      console.log(
        `${result.cancelled ? 'cancelled' : 'trained'}: ${result.epochs} epoch(s), best epoch ${result.bestEpoch} ` +
          `${Number.isFinite(result.bestValLoss) ? `(val loss ${result.bestValLoss.toFixed(5)})` : ''}, ${result.seconds.toFixed(1)} s on ${engine.env.backend}; model in ${result.modelDir}`,
      );
      if (result.validation) console.log(`validation error (original pixels):\n${evaluationTable(result.validation)}`);
    });
    return result.cancelled ? 130 : 0;
  });
});
