/**
 * `predict --model <dir> --images <dir-or-file> --out <file.tps> [--recursive] [--overwrite]
 *  [--backend ...] [--json]`: landmarks for every image, written as TPS (tpsDig convention,
 * IMAGE= relative to the TPS file). Refuses to replace an existing file without --overwrite.
 * Unreadable images are reported and skipped. Exit 0 done, 1 failed, 2 bad usage.
 */
import { parseArgs } from 'util';
import type { CliCommand } from './command';
import { predictImages } from '../engine/predict';
import { parseBackend, UsageError } from './engine-common';
import { engineCommand, printResult, withEngine } from './options';

export const USAGE = [
  'usage: predict --model <model-dir> --images <folder-or-image> --out <file.tps> [options]',
  '',
  '  --recursive   include images in subfolders',
  '  --overwrite   replace --out if it exists (default: refuse)',
  '  --backend auto|webgpu|native-gpu|native-cpu|wasm|cpu',
  '  --json        print the result as JSON on stdout',
].join('\n');

export const command: CliCommand = engineCommand(USAGE, async (args) => {
  const { values } = parseArgs({
    args,
    options: {
      model: { type: 'string' },
      images: { type: 'string' },
      out: { type: 'string' },
      recursive: { type: 'boolean' },
      overwrite: { type: 'boolean' },
      backend: { type: 'string' },
      json: { type: 'boolean' },
    },
    strict: true,
  });
  if (!values.model || !values.images || !values.out) throw new UsageError('--model, --images and --out are required');
  const json = !!values.json;
  const job = { model: values.model, images: values.images, out: values.out, recursive: !!values.recursive, overwrite: !!values.overwrite };
  return withEngine(parseBackend(values.backend), { quiet: json }, async (engine) => {
    const result = await predictImages(job, engine.env);
    printResult(json, result, engine.env.backend, () => {
      console.log(`wrote ${result.predicted} specimen(s) to ${result.out} in ${result.seconds.toFixed(1)} s (${engine.env.backend})`);
      for (const s of result.skipped) console.log(`skipped ${s.path}: ${s.why}`);
    });
    return 0;
  });
});
