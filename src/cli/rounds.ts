/**
 * `rounds --data <tps> --test-size N --out <dir> [train options]`: the paper's cross-validation
 * (test sets of N in turn until every image was tested once), one table over all images.
 * Writes <out>/round-XX/ models, <out>/predicted.tps and <out>/evaluation.json.
 */
import { parseArgs } from 'util';
import type { CliCommand } from './command';
import type { RoundsOptions } from '../shared/protocol/engine';
import { runRounds } from '../engine/rounds';
import { evaluationTable, parseBackend, parseIntOption, parseLandmarkList, UsageError } from './engine-common';
import { engineCommand, parsePreset, parseTrainingNumbers, printResult, TRAINING_ARGS, withEngine } from './options';

export const USAGE = [
  'usage: rounds --data <tps-or-folder> --test-size N --out <work-dir> [options]',
  '',
  '  --test-size N     images per test set (paper: 33)',
  '  --images <dir>  --preset default|paper  --epochs N  --batch-size N  --learning-rate X',
  '  --validation-split X  --input-size WxH  --seed N  --patience N  --landmarks 1,2,5-8',
  '  --backend auto|native-gpu|native-cpu|wasm|cpu',
  '  --json            print the result (RoundsResult) as JSON on stdout',
].join('\n');

export const command: CliCommand = engineCommand(USAGE, async (args) => {
  const { values } = parseArgs({
    args,
    options: {
      ...TRAINING_ARGS,
      data: { type: 'string' },
      'test-size': { type: 'string' },
      landmarks: { type: 'string' },
    },
    strict: true,
  });
  if (!values.data || !values.out || !values['test-size']) throw new UsageError('--data, --test-size and --out are required');
  const options: RoundsOptions = {
    data: values.data,
    out: values.out,
    testSize: parseIntOption('test-size', values['test-size']) ?? 1,
    preset: parsePreset(values.preset),
    ...(values.images ? { images: values.images } : {}),
    ...parseTrainingNumbers(values),
  };
  const landmarkSubset = parseLandmarkList('landmarks', values.landmarks);
  if (landmarkSubset !== undefined) options.landmarkSubset = landmarkSubset;
  return withEngine(parseBackend(values.backend), { announce: true }, async (engine) => {
    const result = await runRounds(options, engine.env);
    printResult(!!values.json, result, engine.env.backend, () => {
      console.log(
        `${result.rounds} round(s)${result.cancelled ? ' (cancelled)' : ''} in ${result.seconds.toFixed(1)} s on ${engine.env.backend}; ` +
          `predictions in ${result.predictedTps}`,
      );
      console.log(evaluationTable(result.evaluation));
    });
    return result.cancelled ? 130 : 0;
  });
});
