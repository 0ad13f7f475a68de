/**
 * What the training commands (train, rounds, finetune) and predict share around the engine:
 * the common `parseArgs` option block, preset and training numbers parsing, `--help`, running
 * a job with the backend started and closed, and printing the result (JSON or text).
 */
import type { BackendChoice, PresetName, TrainOptions } from '../shared/protocol/engine';
import type { CliCommand } from './command';
import {
  type CliEngine,
  parseIntOption,
  parseNumberOption,
  parseSize,
  runCli,
  startEngine,
  UsageError,
} from './engine-common';

/** `parseArgs` options every training command (train, rounds, finetune) accepts. */
export const TRAINING_ARGS = {
  images: { type: 'string' },
  out: { type: 'string' },
  preset: { type: 'string' },
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  'learning-rate': { type: 'string' },
  'validation-split': { type: 'string' },
  'input-size': { type: 'string' },
  seed: { type: 'string' },
  patience: { type: 'string' },
  backend: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export function parsePreset(v: string | undefined): PresetName {
  const preset = v ?? 'default';
  if (preset !== 'default' && preset !== 'paper') throw new UsageError(`--preset ${preset}: expected default or paper`);
  return preset;
}

export interface TrainingValues {
  epochs?: string;
  'batch-size'?: string;
  'learning-rate'?: string;
  'validation-split'?: string;
  'input-size'?: string;
  seed?: string;
  patience?: string;
}

export type TrainingNumbers = Pick<TrainOptions, 'epochs' | 'batchSize' | 'learningRate' | 'validationSplit' | 'inputSize' | 'seed' | 'patience'>;

/** The training numbers given on the command line (absent ones left out), checked in this order. */
export function parseTrainingNumbers(values: TrainingValues): TrainingNumbers {
  const parsed: TrainingNumbers = {
    epochs: parseIntOption('epochs', values.epochs),
    batchSize: parseIntOption('batch-size', values['batch-size']),
    learningRate: parseNumberOption('learning-rate', values['learning-rate'], 1e-9, 10),
    validationSplit: parseNumberOption('validation-split', values['validation-split'], 0, 0.9),
    inputSize: parseSize(values['input-size']),
    seed: parseIntOption('seed', values.seed, 0),
    patience: parseIntOption('patience', values.patience, 0),
  };
  const out: TrainingNumbers = {};
  for (const [k, v] of Object.entries(parsed) as [keyof TrainingNumbers, TrainingNumbers[keyof TrainingNumbers]][]) {
    if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  }
  return out;
}

export function helpRequested(args: string[]): boolean {
  return args.includes('--help') || args.includes('-h');
}

/** A command with usage-error handling and `--help` / `-h` printing `usage`. */
export function engineCommand(usage: string, body: (args: string[]) => Promise<number>): CliCommand {
  return {
    run: (args) =>
      runCli(usage, async () => {
        if (helpRequested(args)) {
          console.log(usage);
          return 0;
        }
        return body(args);
      }),
  };
}

/** Starts the backend (printing which one on stderr when `announce`), runs `body`, always closes. */
export async function withEngine(
  backend: BackendChoice,
  opts: { quiet?: boolean; announce?: boolean },
  body: (engine: CliEngine) => Promise<number>,
): Promise<number> {
  const engine = await startEngine(backend, opts.quiet ? { quiet: true } : {});
  try {
    if (opts.announce) process.stderr.write(engine.backendLine + '\n');
    return await body(engine);
  } finally {
    engine.close();
  }
}

/** The result as one JSON line with the backend's name, or the readable summary `text` prints. */
export function printResult(json: boolean, result: object, backend: string, text: () => void): void {
  if (json) console.log(JSON.stringify({ ...result, backend }));
  else text();
}
