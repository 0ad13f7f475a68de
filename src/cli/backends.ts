/**
 * `backends [--json]`: every TensorFlow.js backend the engine knows (webgpu, native-gpu,
 * native-cpu, wasm, cpu), whether it starts on this machine, the WebGPU adapter, and why.
 * With --json:
 *   {"backends":[{"name":"webgpu","available":bool,"auto":bool,"adapter":"...","reason":"..."}, ...],
 *    "auto":"wasm"}
 * Exit 0 (the listing is the answer, whatever it says), 2 on bad usage.
 */
import { parseArgs } from 'util';
import type { CliCommand } from './command';
import { runCli } from './engine-common';
import { listBackends } from '../engine/backend/list';

const USAGE = [
  'usage: backends [--json]',
  '',
  'Lists the backends training and prediction can run on, in auto\'s order, whether each starts',
  'here and why; for WebGPU, the GPU adapter it found. Force one with --backend on train/predict,',
  'LANDMARKS_BACKEND, or the setting landmarks.engine.backend.',
  '',
  '  --json   print the listing as JSON',
].join('\n');

async function run(args: string[]): Promise<number> {
  return runCli(USAGE, async () => {
    const { values } = parseArgs({ args, options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, strict: true });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const listing = await listBackends();
    if (values.json) {
      const backends = listing.backends.map((b) => ({
        name: b.name,
        available: b.available,
        auto: b.auto,
        ...(b.adapter !== undefined ? { adapter: b.adapter } : {}),
        ...(b.adapterInfo ? { adapterInfo: b.adapterInfo } : {}),
        reason: b.reason,
      }));
      console.log(JSON.stringify({ backends, auto: listing.autoPick }));
      return 0;
    }
    for (const b of listing.backends) {
      const mark = b.available ? (b.auto ? 'yes ' : 'yes*') : 'no  ';
      console.log(`${b.name.padEnd(10)} ${mark}  ${b.reason}`);
    }
    console.log(`\nauto runs: ${listing.autoPick ?? 'nothing (no backend starts)'}${listing.backends.some((b) => b.available && !b.auto) ? '   (* starts when forced; auto skips it)' : ''}`);
    return 0;
  });
}

export const command: CliCommand = { run };
