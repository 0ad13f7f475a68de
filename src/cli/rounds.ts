/**
 * `rounds --data <tps> --test-size N --out <dir> [train options]`: the paper's cross-validation
 * (test sets of N in turn until every image was tested once), one table over all images.
 * Writes <out>/round-XX/ models, <out>/predicted.tps and <out>/evaluation.json.
 */
import { parseArgs } from 'util';
import type { CliCommand } from './command';
import type { PresetName, RoundsOptions } from '../shared/protocol/engine';
import { runRounds } from '../engine/rounds';
import {
  evaluationTable,
  parseBackend,
  parseIntOption,
  parseLandmarkList,
  parseNumberOption,
  parseSize,
  runCli,
  startEngine,
  UsageError,
} from './engine-common';

export const USAGE = [
  'usage: rounds --data <tps-or-folder> --test-size N --out <work-dir> [options]',
  '',
  '  --test-size N     images per test set (paper: 33)',
  '  --images <dir>  --preset default|paper  --epochs N  --batch-size N  --learning-rate X',
  '  --validation-split X  --input-size WxH  --seed N  --patience N  --landmarks 1,2,5-8',
  '  --backend auto|native-gpu|native-cpu|wasm|cpu',
  '  --json            print the result (RoundsResult) as JSON on stdout',
].join('\n');

export const command: CliCommand = {
  run: (args) =>
    runCli(USAGE, async () => {
      if (args.includes('--help') || args.includes('-h')) {
        console.log(USAGE);
        return 0;
      }
      const { values } = parseArgs({
        args,
        options: {
          data: { type: 'string' },
          images: { type: 'string' },
          out: { type: 'string' },
          'test-size': { type: 'string' },
          preset: { type: 'string' },
          epochs: { type: 'string' },
          'batch-size': { type: 'string' },
          'learning-rate': { type: 'string' },
          'validation-split': { type: 'string' },
          'input-size': { type: 'string' },
          seed: { type: 'string' },
          patience: { type: 'string' },
          landmarks: { type: 'string' },
          backend: { type: 'string' },
          json: { type: 'boolean' },
        },
        strict: true,
      });
      if (!values.data || !values.out || !values['test-size']) throw new UsageError('--data, --test-size and --out are required');
      const preset = values.preset ?? 'default';
      if (preset !== 'default' && preset !== 'paper') throw new UsageError(`--preset ${preset}: expected default or paper`);
      const options: RoundsOptions = {
        data: values.data,
        out: values.out,
        testSize: parseIntOption('test-size', values['test-size']) ?? 1,
        preset: preset as PresetName,
        ...(values.images ? { images: values.images } : {}),
      };
      const opt = <K extends keyof RoundsOptions>(k: K, v: RoundsOptions[K] | undefined): void => {
        if (v !== undefined) options[k] = v;
      };
      opt('epochs', parseIntOption('epochs', values.epochs));
      opt('batchSize', parseIntOption('batch-size', values['batch-size']));
      opt('learningRate', parseNumberOption('learning-rate', values['learning-rate'], 1e-9, 10));
      opt('validationSplit', parseNumberOption('validation-split', values['validation-split'], 0, 0.9));
      opt('inputSize', parseSize(values['input-size']));
      opt('seed', parseIntOption('seed', values.seed, 0));
      opt('patience', parseIntOption('patience', values.patience, 0));
      opt('landmarkSubset', parseLandmarkList('landmarks', values.landmarks));
      const engine = await startEngine(parseBackend(values.backend));
      try {
        process.stderr.write(engine.backendLine + '\n');
        const result = await runRounds(options, engine.env);
        if (values.json) console.log(JSON.stringify({ ...result, backend: engine.env.backend }));
        else {
          console.log(
            `${result.rounds} round(s)${result.cancelled ? ' (cancelled)' : ''} in ${result.seconds.toFixed(1)} s on ${engine.env.backend}; ` +
              `predictions in ${result.predictedTps}`,
          );
          console.log(evaluationTable(result.evaluation));
        }
        return result.cancelled ? 130 : 0;
      } finally {
        engine.close();
      }
    }),
};
