/**
 * `npm run demo`: the whole path a user takes, through the CLI (node dist/cli.js), on the fly
 * wings in ../shared/data/drosophila-wings (or LANDMARKS_DATA):
 *   1. train the `default` preset, holding out a test set of 12 wings (never seen in training);
 *   2. predict the held-out photos into a new TPS file;
 *   3. evaluate the predictions against the manual landmarks and print the per-landmark table.
 * Work files go to a fresh folder under the OS temp dir (printed). Options: --preset paper,
 * --backend <choice>, --test N.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import { loadDataset } from '../src/shared/dataset/load';

const repo = path.resolve(__dirname, '..');
const dataRoot = process.env.LANDMARKS_DATA ?? path.resolve(repo, '..', 'shared', 'data');
const wings = path.join(dataRoot, 'drosophila-wings');

/** Seconds each step took, printed at the end with the machine and its load. */
const stepTimes: { step: string; seconds: number }[] = [];

function cli(step: string, args: string[]): void {
  const t0 = Date.now();
  console.log(`\n$ node dist/cli.js ${args.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')}`);
  const r = spawnSync(process.execPath, [path.join(repo, 'dist', 'cli.js'), ...args], { stdio: 'inherit', cwd: repo });
  if (r.status !== 0) {
    console.error(`demo: step failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
  const seconds = (Date.now() - t0) / 1000;
  stepTimes.push({ step, seconds });
  console.log(`(${seconds.toFixed(1)} s)`);
}

/** The machine and load the times were measured on: a time means little without them. */
function machineLine(): string {
  const cpus = os.cpus();
  const load = os.loadavg().map((l) => l.toFixed(1)).join(' ');
  return `${cpus.length} x ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load average ${load}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { preset: { type: 'string' }, backend: { type: 'string' }, test: { type: 'string' } },
  });
  const tps = path.join(wings, 'landmarks.tps');
  if (!fs.existsSync(tps)) {
    console.error(`demo: the sample data is not at ${wings} (set LANDMARKS_DATA to the shared data folder)`);
    process.exit(1);
  }
  if (!fs.existsSync(path.join(repo, 'dist', 'cli.js'))) {
    console.error('demo: dist/cli.js is missing; run `npm run build` first (npm run demo does)');
    process.exit(1);
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'landmarks-demo-'));
  const ds = await loadDataset(tps);
  const withImages = ds.entries.filter((e) => e.imagePath);
  const nTest = Number(values.test ?? 12);
  // A fixed test set: every k-th wing, spread over the file.
  const step = withImages.length / nTest;
  const test = Array.from({ length: nTest }, (_, i) => withImages[Math.floor(i * step)]);
  const testDir = path.join(work, 'test-photos');
  fs.mkdirSync(testDir);
  for (const e of test) fs.symlinkSync(e.imagePath!, path.join(testDir, path.basename(e.imagePath!)));
  const backend = values.backend ? ['--backend', values.backend] : [];
  const preset = values.preset ?? 'default';
  console.log(`Landmarks demo: ${withImages.length} fly wings, ${nTest} held out for testing; work folder ${work}`);

  const started = Date.now();
  const machineAtStart = machineLine();
  cli('train', ['train', '--data', tps, '--out', path.join(work, 'model'), '--preset', preset, '--exclude', test.map((e) => e.name).join(','), ...backend]);
  const predicted = path.join(work, 'predicted.tps');
  cli('predict', ['predict', '--model', path.join(work, 'model'), '--images', testDir, '--out', predicted, ...backend]);
  // The manual file has every wing; only the held-out ones were predicted, so only they match
  // (the training wings are listed as unmatched).
  cli('evaluate', ['evaluate', '--manual', tps, '--predicted', predicted]);
  console.log(`\ndemo done in ${((Date.now() - started) / 1000).toFixed(1)} s; predictions: ${predicted}`);
  console.log(`machine at start: ${machineAtStart}`);
  console.log(`machine at end:   ${machineLine()}`);
  console.log(stepTimes.map((t) => `${t.step} ${t.seconds.toFixed(1)} s`).join(' · '));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
