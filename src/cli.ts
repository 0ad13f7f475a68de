/**
 * Command-line entry, run from source (`node --import tsx src/cli.ts <command> ...`); the
 * bundle dist/cli.js runs the same src/cli/main.ts (esbuild.js).
 */
import { runCli } from './cli/main';

runCli(process.argv.slice(2));
