/**
 * `npm run test:slurm`: the rounds on a real SLURM cluster. Starts a one-node SLURM on this
 * machine (scripts/test-slurm/local-slurm.sh: Debian slurm-wlm + munge, installed when
 * missing), runs the cross-validation rounds on the fly wings through `rounds --slurm` with the
 * built CLI, waits for the merge job, and checks the merged result against the same rounds run
 * here in one process (seeded: the same per-image errors). Also: a refusal without sbatch and
 * one by sbatch leave nothing behind, a resubmission runs only the round that is missing, and a
 * round that fails on SLURM is reported by `rounds status` while the merge job still merges the
 * others. Then SLURM is shut down and what it installed is removed.
 *
 * Prints one line per check and ends with `<n> passed, <m> failed`; exit code 1 on a failure.
 * Fast settings (paper network, 64x48 input, 2 epochs, test sets of 12: 4 rounds) keep it
 * within a few minutes on 2 cores. Env: LANDMARKS_DATA (data root), LANDMARKS_SLURM_KEEP_PACKAGES=1.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import type { EvaluationResult } from '../src/shared/protocol/engine';
import type { RoundsPlan, RoundsStatus } from '../src/shared/protocol/rounds';

const repo = path.resolve(__dirname, '..');
const dataRoot = process.env.LANDMARKS_DATA ?? path.resolve(repo, '..', 'shared', 'data');
const wings = path.join(dataRoot, 'drosophila-wings', 'landmarks.tps');
const cli = path.join(repo, 'dist', 'cli.js');
const helper = path.join(repo, 'scripts', 'test-slurm', 'local-slurm.sh');
const ROUND_ARGS = ['--data', wings, '--test-size', '12', '--preset', 'paper', '--epochs', '2', '--input-size', '64x48', '--seed', '1'];
const ROUNDS = 4; // 46 wings in test sets of 12
/** Per-image error difference allowed between SLURM and local rounds (px): seeded, so only float noise. */
const TOLERANCE_PX = 1e-6;
const started = Date.now();

let passed = 0;
let failed = 0;
function check(name: string, ok: boolean, detail = ''): boolean {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? `: ${detail}` : ''}`);
  return ok;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutS = 300): Run {
  const r = spawnSync(command, args, { env, encoding: 'utf8', timeout: timeoutS * 1000, maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? `\n${r.error.message}` : '') };
}

function cliRun(args: string[], env: NodeJS.ProcessEnv, timeoutS = 300): Run {
  return run(process.execPath, [cli, ...args], env, timeoutS);
}

function lastJson<T>(text: string): T | undefined {
  const line = text.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  try {
    return line ? (JSON.parse(line) as T) : undefined;
  } catch {
    return undefined;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function status(dir: string, env: NodeJS.ProcessEnv): RoundsStatus | undefined {
  return lastJson<RoundsStatus>(cliRun(['rounds', 'status', dir, '--json'], env, 60).stdout);
}

/** Polls `rounds status` until the merge of this submission is written and its job has left the queue. */
async function waitForMerge(dir: string, env: NodeJS.ProcessEnv, after: number, timeoutS: number): Promise<{ status?: RoundsStatus; seen: Set<string> }> {
  const seen = new Set<string>();
  const deadline = Date.now() + timeoutS * 1000;
  let s: RoundsStatus | undefined;
  while (Date.now() < deadline) {
    s = status(dir, env);
    for (const r of s?.rounds ?? []) seen.add(r.state);
    const mergedNow = s?.merged && Date.parse(s.merged.at) >= after;
    const mergeGone = !s?.slurm?.mergeState || /^(COMPLETED|FAILED)/.test(s.slurm.mergeState);
    if (mergedNow && mergeGone) return { status: s, seen };
    await sleep(2000);
  }
  return { status: s, seen };
}

function readEvaluation(file: string): EvaluationResult {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as EvaluationResult;
}

/** Largest per-image, per-landmark error difference between two evaluations of the same images (px). */
function maxErrorDiff(a: EvaluationResult, b: EvaluationResult): { diff: number; missing: string[] } {
  const byName = new Map(b.images.map((i) => [i.name, i]));
  let diff = 0;
  const missing: string[] = [];
  for (const ia of a.images) {
    const ib = byName.get(ia.name);
    if (!ib) {
      missing.push(ia.name);
      continue;
    }
    for (const [k, e] of ia.errors.entries()) {
      const f = ib.errors[k];
      // A landmark missing on one side only is as different as can be.
      const d = e === null || e === undefined || f === null || f === undefined ? (e === f ? 0 : Infinity) : Math.abs(e - f);
      diff = Math.max(diff, d);
    }
    if (ia.errors.length !== ib.errors.length) diff = Infinity;
  }
  return { diff, missing };
}

function exists(p: string): boolean {
  return fs.existsSync(p);
}

async function main(): Promise<number> {
  if (!exists(wings)) {
    console.log(`skipped: real data not found at ${wings} (the test reads ../shared/data beside the checkout)`);
    console.log('0 passed, 0 failed');
    return 0;
  }
  if (process.getuid?.() !== 0) {
    console.log('FAIL test:slurm starts SLURM daemons and installs packages: it must run as root');
    console.log('0 passed, 1 failed');
    return 1;
  }
  const load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`test:slurm on ${os.hostname()}: ${os.cpus().length} cores, load ${load}`);
  const build = run(process.execPath, [path.join(repo, 'esbuild.js'), 'cli'], process.env, 120);
  if (!check('the CLI builds (dist/cli.js)', build.code === 0 && exists(cli), build.stderr.trim())) return 1;

  const state = fs.mkdtempSync(path.join(os.tmpdir(), 'landmarks-slurm-'));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'landmarks-slurm-work-'));
  const ctldPort = await freePort();
  let slurmdPort = await freePort();
  while (slurmdPort === ctldPort) slurmdPort = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, SLURM_CONF: path.join(state, 'slurm.conf') };
  let cleaned = false;
  const cleanup = (): void => {
    if (cleaned) return;
    cleaned = true;
    const down = run('bash', [helper, 'stop', state], process.env, 600);
    process.stderr.write(down.stderr);
    check('SLURM shuts down (daemons stopped, what it installed removed)', down.code === 0 && !exists(state), down.stderr.trim().split('\n').pop());
    fs.rmSync(work, { recursive: true, force: true });
  };
  // Interrupted: the daemons must not outlive the test.
  const onSignal = (sig: NodeJS.Signals): void => {
    console.log(`interrupted (${sig}): shutting SLURM down`);
    cleanup();
    console.log(`${passed} passed, ${failed + 1} failed`);
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const up = run('bash', [helper, 'start', state, String(ctldPort), String(slurmdPort)], process.env, 600);
    process.stderr.write(up.stderr);
    if (!check('a one-node SLURM starts (slurmctld, slurmd, munged)', up.code === 0, up.code === 0 ? '' : up.stderr.trim().split('\n').slice(-3).join(' / '))) return 1;

    // The reference: the same rounds, one after the other in one process.
    const localDir = path.join(work, 'local');
    const local = cliRun(['rounds', ...ROUND_ARGS, '--out', localDir, '--json'], env, 600);
    const localResult = lastJson<{ evaluation: EvaluationResult; rounds: number }>(local.stdout);
    check('local rounds (in one process) test every wing once', local.code === 0 && localResult?.evaluation.matched === 46 && localResult.rounds === ROUNDS, `exit ${local.code}, ${localResult?.evaluation.matched} images`);

    // Refusals leave nothing behind.
    const noSbatchDir = path.join(work, 'no-sbatch');
    // A PATH with nothing on it (node runs by its absolute path): no sbatch, as off a cluster.
    const emptyBin = fs.mkdtempSync(path.join(work, 'bin-'));
    const noSbatch = cliRun(['rounds', ...ROUND_ARGS, '--out', noSbatchDir, '--slurm'], { ...env, PATH: emptyBin }, 60);
    check('without sbatch on the PATH: exit 1, says so, writes nothing', noSbatch.code === 1 && /sbatch is not on the PATH/.test(noSbatch.stderr) && !exists(noSbatchDir), `exit ${noSbatch.code}: ${noSbatch.stderr.trim()}`);
    const refusedDir = path.join(work, 'refused');
    const refused = cliRun(['rounds', ...ROUND_ARGS, '--out', refusedDir, '--slurm', '--partition', 'nosuch'], env, 120);
    check(
      'sbatch refusing (unknown partition): exit 1, its message, nothing left',
      refused.code === 1 && /sbatch refused the rounds job array/.test(refused.stderr) && /invalid partition/i.test(refused.stderr) && !exists(refusedDir),
      `exit ${refused.code}: ${refused.stderr.trim().split('\n').pop()}`,
    );

    // The rounds on SLURM.
    const dir = path.join(work, 'slurm');
    const submittedAt = Date.now();
    const sub = cliRun(['rounds', ...ROUND_ARGS, '--out', dir, '--slurm', '--time', '15:00', '--json'], env, 120);
    const submission = lastJson<{ arrayJob: string; mergeJob: string; rounds: number[]; scripts: string[] }>(sub.stdout);
    if (!check('rounds --slurm submits a job array and a merge job', sub.code === 0 && !!submission?.arrayJob && !!submission.mergeJob, `exit ${sub.code} ${sub.stderr.trim().split('\n').pop()}`)) return 1;
    check('the array has one task per round', JSON.stringify(submission?.rounds) === JSON.stringify([0, 1, 2, 3]), JSON.stringify(submission?.rounds));
    const script = fs.readFileSync(path.join(dir, 'slurm', 'rounds.sbatch'), 'utf8');
    check(
      'the job script runs the same CLI on its round, by absolute paths',
      script.includes(`${cli} rounds --round "$SLURM_ARRAY_TASK_ID" --plan ${path.join(dir, 'plan.json')}`) && script.includes('#SBATCH --time=15:00'),
    );
    const first = status(dir, env);
    check(
      'just after submitting, rounds status says pending or running for every round',
      !!first && first.rounds.length === ROUNDS && first.rounds.every((r) => r.state === 'pending' || r.state === 'running') && first.slurm?.squeue === true,
      first?.rounds.map((r) => `${r.index}:${r.state}`).join(' '),
    );
    const { status: end, seen } = await waitForMerge(dir, env, submittedAt, 360);
    check('every round ends done on SLURM', end?.counts.done === ROUNDS, end ? JSON.stringify(end.counts) : 'no status');
    check('the merge job (afterany) wrote the complete merge', end?.merged?.complete === true && end.merged.images === 46, JSON.stringify(end?.merged ?? {}));
    check('rounds status saw the rounds before they were done', [...seen].some((s) => s === 'pending' || s === 'running'), [...seen].join(','));
    const logs = fs.existsSync(path.join(dir, 'logs')) ? fs.readdirSync(path.join(dir, 'logs')) : [];
    check('each task and the merge wrote a log in the work folder', [0, 1, 2, 3].every((i) => logs.includes(`slurm-${submission?.arrayJob}_${i}.out`)) && logs.includes(`merge-${submission?.mergeJob}.out`), logs.join(' '));
    if (localResult && exists(path.join(dir, 'evaluation.json'))) {
      const onSlurm = readEvaluation(path.join(dir, 'evaluation.json'));
      const { diff, missing } = maxErrorDiff(localResult.evaluation, onSlurm);
      check(
        `merged SLURM rounds = local rounds: same images, per-image errors within ${TOLERANCE_PX} px`,
        onSlurm.matched === 46 && missing.length === 0 && diff <= TOLERANCE_PX,
        `max difference ${diff} px, mean ${onSlurm.mean.toFixed(4)} vs ${localResult.evaluation.mean.toFixed(4)} px${missing.length ? `, missing ${missing.join(' ')}` : ''}`,
      );
      const same = fs.readFileSync(path.join(dir, 'predicted.tps'), 'utf8') === fs.readFileSync(path.join(localDir, 'predicted.tps'), 'utf8');
      check('and the same predicted.tps', same);
    } else check('merged SLURM rounds = local rounds', false, 'no evaluation.json');

    // Resume: a round whose result is gone is the only one submitted again.
    fs.rmSync(path.join(dir, 'results', 'round-02.json'));
    const again = Date.now();
    const resub = cliRun(['rounds', ...ROUND_ARGS, '--out', dir, '--slurm', '--time', '15:00', '--json'], env, 120);
    const resubmission = lastJson<{ rounds: number[] }>(resub.stdout);
    check('a resubmission runs only the round that is not done', resub.code === 0 && JSON.stringify(resubmission?.rounds) === '[1]', `exit ${resub.code}, rounds ${JSON.stringify(resubmission?.rounds)}`);
    const { status: end2 } = await waitForMerge(dir, env, again, 240);
    const diff2 = localResult && exists(path.join(dir, 'evaluation.json')) ? maxErrorDiff(localResult.evaluation, readEvaluation(path.join(dir, 'evaluation.json'))).diff : Infinity;
    check('and the merge is whole and the same again', end2?.merged?.complete === true && diff2 <= TOLERANCE_PX, `${JSON.stringify(end2?.counts)}, max difference ${diff2} px`);

    // A round that fails on SLURM: reported, the merge job merges the others.
    const planFile = path.join(dir, 'plan.json');
    const planText = fs.readFileSync(planFile, 'utf8');
    const plan = JSON.parse(planText) as RoundsPlan;
    plan.rounds[3].test[0] = 'no-such-wing';
    fs.writeFileSync(planFile, JSON.stringify(plan, null, 2));
    fs.rmSync(path.join(dir, 'results', 'round-04.json'));
    const broken = Date.now();
    const sub3 = cliRun(['rounds', ...ROUND_ARGS, '--out', dir, '--slurm', '--time', '15:00', '--json'], env, 120);
    check('a round with a broken plan entry is submitted', sub3.code === 0 && JSON.stringify(lastJson<{ rounds: number[] }>(sub3.stdout)?.rounds) === '[3]', `exit ${sub3.code}`);
    const { status: end3 } = await waitForMerge(dir, env, broken, 240);
    const r4 = end3?.rounds[3];
    check('rounds status: that round failed, saying why; the others done', r4?.state === 'failed' && /no-such-wing/.test(r4.error ?? '') && end3?.counts.done === 3, `${r4?.state}: ${r4?.error}`);
    check(
      'the merge job still merged the other rounds, marked partial, and failed',
      end3?.merged?.complete === false && end3.merged.images === 36 && /^FAILED/.test(end3.slurm?.mergeState ?? ''),
      `${JSON.stringify(end3?.merged ?? {})} merge job ${end3?.slurm?.mergeState}`,
    );
    fs.writeFileSync(planFile, planText);
  } finally {
    cleanup();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return 0;
}

main()
  .catch((e: unknown) => {
    check('test:slurm ran to its end', false, e instanceof Error ? (e.stack ?? e.message) : String(e));
    return 1;
  })
  .then(() => {
    console.log(`test:slurm took ${((Date.now() - started) / 1000).toFixed(0)} s`);
    console.log(`${passed} passed, ${failed} failed`);
    process.exitCode = failed > 0 ? 1 : 0;
  });
