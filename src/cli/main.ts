/**
 * The command line: `node dist/cli.js <command> ...`. A thin shell: each command lives in
 * src/cli/<name>.ts and exports `run(args): Promise<number>` (the exit code).
 */
import type { CliCommand } from './command';

const commands: Record<string, () => Promise<CliCommand>> = {
  tps: async () => (await import('./tps')).command,
  train: async () => (await import('./train')).command,
  predict: async () => (await import('./predict')).command,
  evaluate: async () => (await import('./evaluate')).command,
  rounds: async () => (await import('./rounds')).command,
  finetune: async () => (await import('./finetune')).command,
  shape: async () => (await import('./shape')).command,
  convert: async () => (await import('./convert')).command,
  backends: async () => (await import('./backends')).command,
};

function usage(): string {
  return [
    'usage: node dist/cli.js <command> [options]',
    '',
    'commands:',
    '  tps check <file-or-folder> [--json]        parse TPS files and report counts and problems',
    '  train --data <tps> --out <model-dir> ...   train a landmark model',
    '  predict --model <dir> --images <dir> --out <file.tps>',
    '  evaluate --manual <tps> --predicted <tps> [--json]',
    '  rounds --data <tps> --test-size N --out <dir>   the paper\'s cross-validation rounds',
    '  finetune ...                               pretrain on several parts, fine-tune on one',
  '  shape gpa --data <tps-or-folder> [--json]  Procrustes alignment, distances, outliers, PCA',
  '  convert <file> --to <format> --out <file>  TPS <-> MorphoJ, NTS, CSV, DeepLabCut, dlib XML, SLEAP',
    '  backends [--json]                          which backends start here (the WebGPU adapter) and why',
    '',
    'Run a command with --help for its options.',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const load = commands[name];
  if (!load) {
    console.error(`unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  const command = await load();
  return command.run(rest);
}

/**
 * Ends the process once stdout and stderr are written. Dawn (the WebGPU backend) keeps the event
 * loop alive after the work is done, so a CLI that only set exitCode would never return.
 */
function exitWhenFlushed(code: number): void {
  process.exitCode = code;
  let pending = 2;
  const done = (): void => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

/** Runs the command line and ends the process with its exit code. */
export function runCli(argv: string[]): void {
  main(argv).then(
    (code) => exitWhenFlushed(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      exitWhenFlushed(1);
    },
  );
}
