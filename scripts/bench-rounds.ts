/**
 * `npm run bench:rounds`: wall time of the cross-validation rounds on the fly wings, run the old
 * way (one process, one round after the other, as `rounds` without --workers always did) and on
 * 1 and 2 local worker processes (`rounds --workers N`), in one run, through the built CLI (what
 * users run). Prints one table with the speed-up over the old way, checks the three give the
 * same evaluation (seeded rounds), and says the machine's load, since other work on the cores
 * shows in the times. Writes the same as JSON into bench-results/.
 *
 * Other work on a shared machine comes and goes, so each way runs `--repeat` times (default 2)
 * in a mirrored order (old, w1, w2, w2, w1, old): a load that drifts during the run weighs on
 * every way alike. The table gives the median and the best of each.
 *
 * Options: --epochs N (default 5), --input-size WxH (default 96x72), --test-size N (default 12:
 * 4 rounds), --preset paper|default (default paper), --repeat N, --data DIR (data root), --out DIR.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import type { EvaluationResult } from '../src/shared/protocol/engine';
import { writeFileAtomicSync } from '../src/shared/node/atomic-write';

const repo = path.resolve(__dirname, '..');
const { values } = parseArgs({
  options: {
    epochs: { type: 'string', default: '5' },
    'input-size': { type: 'string', default: '96x72' },
    'test-size': { type: 'string', default: '12' },
    preset: { type: 'string', default: 'paper' },
    repeat: { type: 'string', default: '2' },
    data: { type: 'string', default: path.resolve(repo, '..', 'shared', 'data') },
    out: { type: 'string', default: path.join(repo, 'bench-results') },
  },
});

interface Mode {
  label: string;
  workers?: number;
}
const MODES: Mode[] = [{ label: 'old: one process, rounds in turn' }, { label: 'new: --workers 1', workers: 1 }, { label: 'new: --workers 2', workers: 2 }];

interface Run {
  mode: number;
  seconds: number;
  /** Mean 1-minute load average while it ran (sampled every second). */
  load: number;
  meanPx: number;
  images: number;
  sameAsOld?: boolean;
  exit: number | null;
}

interface Row {
  label: string;
  workers: number;
  runs: number[];
  median: number;
  best: number;
  load: number;
  meanPx: number;
  images: number;
  sameAsOld?: boolean;
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function runTimed(args: string[]): Promise<{ code: number | null; seconds: number; load: number; stderr: string }> {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const loads: number[] = [];
    const sampler = setInterval(() => loads.push(os.loadavg()[0]), 1000);
    let stderr = '';
    const child = spawn(process.execPath, [path.join(repo, 'dist', 'cli.js'), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-20000);
    });
    child.on('exit', (code) => {
      clearInterval(sampler);
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      resolve({ code, seconds, load: loads.length ? loads.reduce((a, b) => a + b, 0) / loads.length : os.loadavg()[0], stderr });
    });
  });
}

function sameErrors(a: EvaluationResult, b: EvaluationResult): boolean {
  const byName = new Map(b.images.map((i) => [i.name, i.errors]));
  return a.matched === b.matched && a.images.every((i) => JSON.stringify(i.errors) === JSON.stringify(byName.get(i.name)));
}

async function main(): Promise<number> {
  const tps = path.join(values.data, 'drosophila-wings', 'landmarks.tps');
  if (!fs.existsSync(tps)) {
    console.log(`skipped: real data not found at ${tps}`);
    return 0;
  }
  const build = await new Promise<number | null>((resolve) => spawn(process.execPath, [path.join(repo, 'esbuild.js'), 'cli'], { stdio: 'inherit' }).on('exit', resolve));
  if (build !== 0) return 1;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-rounds-'));
  const common = ['--data', tps, '--test-size', values['test-size'], '--preset', values.preset, '--epochs', values.epochs, '--input-size', values['input-size'], '--seed', '1', '--backend', 'wasm'];
  const loadBefore = os.loadavg();
  console.log(
    `bench:rounds on ${os.hostname()}: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), load ${loadBefore.map((l) => l.toFixed(2)).join(' ')} before; ` +
      `preset ${values.preset}, ${values['input-size']}, ${values.epochs} epochs, test sets of ${values['test-size']}, wasm`,
  );
  const repeat = Math.max(1, Number(values.repeat) || 1);
  const order: number[] = [];
  for (let k = 0; k < repeat; k++) order.push(...(k % 2 === 0 ? [0, 1, 2] : [2, 1, 0]));
  const runs: Run[] = [];
  let old: EvaluationResult | undefined;
  try {
    for (const [n, mode] of order.entries()) {
      const m = MODES[mode];
      const out = path.join(work, `run-${n}`);
      const r = await runTimed(['rounds', ...common, '--out', out, ...(m.workers ? ['--workers', String(m.workers)] : [])]);
      const evalFile = path.join(out, 'evaluation.json');
      const e = fs.existsSync(evalFile) ? (JSON.parse(fs.readFileSync(evalFile, 'utf8')) as EvaluationResult) : undefined;
      if (r.code !== 0 || !e) console.error(`${m.label}: exit ${r.code}\n${r.stderr.split('\n').slice(-10).join('\n')}`);
      if (mode === 0 && !old) old = e;
      runs.push({ mode, seconds: r.seconds, load: r.load, meanPx: e?.mean ?? NaN, images: e?.matched ?? 0, exit: r.code, ...(old && e ? { sameAsOld: sameErrors(old, e) } : {}) });
      fs.rmSync(out, { recursive: true, force: true });
      console.error(`${m.label}: ${r.seconds.toFixed(1)} s (load ${r.load.toFixed(2)})`);
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  const rows: Row[] = MODES.map((m, i) => {
    const mine = runs.filter((r) => r.mode === i);
    const seconds = mine.map((r) => r.seconds);
    return {
      label: m.label,
      workers: m.workers ?? 0,
      runs: seconds,
      median: median(seconds),
      best: Math.min(...seconds),
      load: mine.reduce((a, r) => a + r.load, 0) / mine.length,
      meanPx: mine[0]?.meanPx ?? NaN,
      images: mine[0]?.images ?? 0,
      ...(i > 0 ? { sameAsOld: mine.every((r) => r.sameAsOld === true) } : {}),
    };
  });
  const base = rows[0].median;
  const lines = [
    '',
    `rounds on the fly wings (46 images)   median s  speed-up   best s   runs (s)        mean px  images  same as old  load while running`,
    ...rows.map(
      (r) =>
        `${r.label.padEnd(36)} ${r.median.toFixed(1).padStart(9)} ${`${(base / r.median).toFixed(2)}x`.padStart(9)} ${r.best.toFixed(1).padStart(8)}   ` +
        `${r.runs.map((x) => x.toFixed(1)).join(', ').padEnd(14)} ${r.meanPx.toFixed(3).padStart(8)} ${String(r.images).padStart(7)} ` +
        `${(r.sameAsOld === undefined ? '-' : r.sameAsOld ? 'yes' : 'NO').padStart(12)}  ${r.load.toFixed(2)}`,
    ),
    `load average before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (${os.cpus().length} cores)`,
  ];
  console.log(lines.join('\n'));
  const file = path.join(values.out, `rounds-workers-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileAtomicSync(file, JSON.stringify({ host: os.hostname(), cores: os.cpus().length, loadBefore, loadAfter: os.loadavg(), options: values, rows, runs }, null, 2) + '\n');
  console.log(`written: ${path.relative(repo, file)}`);
  return runs.every((r) => r.exit === 0 && r.sameAsOld !== false) ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  },
);
