/**
 * What the training commands (train, rounds, finetune) and predict share around the engine:
 * the common `parseArgs` option block, preset and training numbers parsing, `--help`, running
 * a job with the backend started and closed, and printing the result (JSON or text).
 */
import * as fs from 'fs';
import { isPresetName, PRESET_NAMES, type BackendChoice, type PresetName, type ProfileSpec, type TrainingNumber, type TrainOptions } from '../shared/protocol/engine';
import { OptionError, parseOptionAssignments, resolveOptions, type OptionValue } from '../shared/protocol/options';
import { getPreset, presetNames } from '../engine/presets';
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
  option: { type: 'string', multiple: true },
  profile: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** `--profile FILE.json`: a pipeline profile for the default preset (stages and options), read and parsed here; the engine checks its stages. */
export function readProfileArg(file: string | undefined, preset: PresetName): ProfileSpec | undefined {
  if (file === undefined) return undefined;
  if (preset !== 'default') throw new UsageError(`--profile: only the default preset runs profiles (got --preset ${preset})`);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`--profile ${file}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text) as ProfileSpec;
  } catch (e) {
    throw new UsageError(`--profile ${file}: not valid JSON (${(e as Error).message})`);
  }
}

/**
 * `--option name=value` (repeatable): the preset's own options, checked against its declaration
 * (an unknown name or a bad value is a usage error naming it). Only the ones given are returned.
 */
export function parsePresetOptions(preset: PresetName, pairs: readonly string[] | undefined): Record<string, OptionValue> | undefined {
  if (!pairs?.length) return undefined;
  try {
    const given = parseOptionAssignments(pairs);
    const resolved = resolveOptions(getPreset(preset).options?.() ?? [], given, `--option (preset ${preset})`);
    return Object.fromEntries(Object.keys(given).map((k) => [k, resolved[k]]));
  } catch (e) {
    if (e instanceof OptionError) throw new UsageError(e.message);
    throw e;
  }
}

/** `--option` pairs as given (strings), for a profile the engine checks; a malformed pair is a usage error. */
export function parseOptionAssignmentsOrUsage(pairs: readonly string[] | undefined): Record<string, OptionValue> | undefined {
  if (!pairs?.length) return undefined;
  try {
    return parseOptionAssignments(pairs);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** The help lines for every preset's own options, generated from their declarations. */
export function presetOptionsHelp(): string[] {
  const lines: string[] = [];
  for (const name of presetNames()) {
    const p = getPreset(name);
    const decls = p.options?.() ?? [];
    const uses = p.uses.length ? `uses ${p.uses.map((u) => `--${u.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(' ')}` : 'uses none of --epochs --batch-size --learning-rate --input-size --patience';
    lines.push(`  preset ${name}: ${p.description}`, `    ${uses}${decls.length ? '; --option NAME=VALUE:' : ''}`);
    for (const d of decls) lines.push(`      ${`${d.name}=${d.type === 'string' && d.choices ? d.choices.join('|') : d.type}`.padEnd(34)} ${d.doc} (default ${d.default})`);
  }
  return lines;
}

const NUMBER_FLAGS: Record<TrainingNumber, string> = { epochs: '--epochs', batchSize: '--batch-size', learningRate: '--learning-rate', inputSize: '--input-size', patience: '--patience' };

/** Training numbers given that the preset does not read, as a warning for stderr (undefined when none). */
export function unusedNumbersWarning(preset: PresetName, numbers: TrainingNumbers): string | undefined {
  const uses = getPreset(preset).uses;
  const unused = (Object.keys(NUMBER_FLAGS) as TrainingNumber[]).filter((k) => numbers[k] !== undefined && !uses.includes(k));
  return unused.length ? `note: preset ${preset} does not use ${unused.map((k) => NUMBER_FLAGS[k]).join(', ')} (ignored)` : undefined;
}

export function parsePreset(v: string | undefined): PresetName {
  const preset = v ?? 'default';
  if (!isPresetName(preset)) throw new UsageError(`--preset ${preset}: expected ${PRESET_NAMES.join(', ')}`);
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
