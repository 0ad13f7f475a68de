/**
 * Rounds as independent jobs on the real fly wings (46 photos, test sets of 16: 3 rounds, the
 * paper network at 32x24 for one epoch): the plan, rounds on local worker processes (the real
 * CLI from source) with a round that fails while the others finish, resume, the merge against
 * the same rounds in one process (seeded: the same numbers), status, and the SLURM submission's
 * all-or-nothing (sbatch missing, or refusing).
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initBackend } from '../../src/engine/backend/init';
import * as tf from '../../src/engine/backend/tf';
import { CancelSource, type JobEnv } from '../../src/engine/env';
import { planRequest, runRounds, runRoundsOnWorkers, type WorkersRun } from '../../src/engine/rounds';
import { mergeWorkDir } from '../../src/engine/rounds-jobs/merge';
import { makePlan } from '../../src/engine/rounds-jobs/plan';
import { workDirStatus } from '../../src/engine/rounds-jobs/status';
import { submitToSlurm } from '../../src/engine/rounds-jobs/submit';
import { WorkDir } from '../../src/engine/rounds-jobs/workdir';
import { runOnWorkers } from '../../src/engine/rounds-jobs/workers';
import { command as roundsCommand } from '../../src/cli/rounds';
import type { BackendName, EvaluationResult, RoundsOptions } from '../../src/shared/protocol/engine';
import type { RoundsPlan } from '../../src/shared/protocol/rounds';
import { runCommand } from '../helpers/cli';
import { repoRoot, requireData } from '../helpers/data';

/** The CLI from source in a child process: what `--workers` starts, without needing a build. */
const fromSource = { command: process.execPath, args: ['--import', 'tsx', path.join(repoRoot, 'src', 'cli.ts')] };

describe('rounds as jobs (fly wings)', function () {
  this.timeout(240000);
  let tps = '';
  let tmp = '';
  let backend: BackendName = 'wasm';
  const logs: string[] = [];
  const env = (): JobEnv => ({ tf, backend, cancel: new CancelSource(), log: (m) => logs.push(m), progress: () => undefined });
  const options = (out: string): RoundsOptions => ({ data: tps, out, testSize: 16, preset: 'paper', epochs: 1, inputSize: [32, 24], batchSize: 64, seed: 3 });
  const run = (extra: Partial<WorkersRun> = {}): WorkersRun => ({ workers: 2, worker: fromSource, backend: 'wasm', log: (m) => logs.push(m), progress: () => undefined, ...extra });

  /** Writes the plan of `out` with round `index`'s first test image renamed: that round must fail. */
  async function brokenPlan(out: string, index: number): Promise<{ plan: RoundsPlan; intact: string }> {
    const { plan } = await makePlan(planRequest(options(out)), () => undefined);
    const work = new WorkDir(out);
    const intact = JSON.stringify(plan, null, 2) + '\n';
    const broken = structuredClone(plan);
    broken.rounds[index].test[0] = 'not-a-wing';
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(work.plan, JSON.stringify(broken, null, 2) + '\n');
    return { plan, intact };
  }

  before(async function () {
    tps = path.join(requireData(this, 'drosophila-wings'), 'landmarks.tps');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rounds-jobs-'));
    backend = (await initBackend('wasm')).name;
  });
  after(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('plans seeded test sets that test every image once, with an id that follows data and options', async () => {
    const a = await makePlan(planRequest(options(path.join(tmp, 'p'))), () => undefined);
    assert.strictEqual(a.plan.rounds.length, 3);
    assert.deepStrictEqual(a.plan.rounds.map((r) => r.test.length), [16, 16, 14]);
    assert.deepStrictEqual(a.plan.rounds.flatMap((r) => r.samples).sort((x, y) => x - y), [...Array(46).keys()]);
    for (const r of a.plan.rounds) assert.deepStrictEqual(r.samples.map((i) => a.samples[i].name), r.test);
    assert.deepStrictEqual(a.plan.rounds.map((r) => r.seed), [3, 4, 5]);
    assert.ok(path.isAbsolute(a.plan.data));
    const b = await makePlan(planRequest(options(path.join(tmp, 'other-out'))), () => undefined);
    assert.strictEqual(b.plan.planId, a.plan.planId, 'the same data and options: the same plan (the work folder is not part of it)');
    const c = await makePlan(planRequest({ ...options(path.join(tmp, 'p')), epochs: 2 }), () => undefined);
    assert.notStrictEqual(c.plan.planId, a.plan.planId);
    await assert.rejects(makePlan(planRequest({ ...options(tmp), testSize: 45 }), () => undefined), /46 usable images, too few for test sets of 45/);
  });

  it('runs rounds on 2 workers: a broken round fails and is reported, the others finish; a rerun does only it; the merge equals the rounds in one process', async () => {
    const out = path.join(tmp, 'workers');
    const work = new WorkDir(out);
    const { intact } = await brokenPlan(out, 1);

    const first = await runRoundsOnWorkers(options(out), run());
    assert.deepStrictEqual(first.pool.done, [0, 2]);
    assert.strictEqual(first.pool.failed.length, 1);
    assert.strictEqual(first.pool.failed[0].index, 1);
    assert.match(first.pool.failed[0].error, /round 2\/3: the plan's test image 1 "not-a-wing" is not image \d+ of .*landmarks\.tps/);
    assert.ok(fs.existsSync(first.pool.failed[0].log));
    assert.ok(first.merged && !first.merged.complete, 'merged, marked partial');
    assert.strictEqual(first.merged.evaluation.matched, 30, 'rounds 1 and 3: 16 + 14 images');
    assert.deepStrictEqual(first.merged.notDone.map((n) => [n.index, n.state]), [[1, 'failed']]);

    const status = workDirStatus(work);
    assert.deepStrictEqual(status.rounds.map((r) => r.state), ['done', 'failed', 'done']);
    assert.match(status.rounds[1].error ?? '', /not-a-wing/);
    assert.ok(Number.isFinite(status.rounds[0].meanPx));
    assert.deepStrictEqual(status.counts, { pending: 0, running: 0, done: 2, failed: 1 });
    assert.strictEqual(status.merged?.complete, false);
    const cli = await runCommand(roundsCommand, ['status', out, '--json']);
    assert.strictEqual(cli.code, 0);
    const json = JSON.parse(cli.stdout) as typeof status;
    assert.deepStrictEqual(json.rounds.map((r) => ({ index: r.index, state: r.state })), [
      { index: 0, state: 'done' },
      { index: 1, state: 'failed' },
      { index: 2, state: 'done' },
    ]);

    // The plan repaired: the rerun keeps rounds 1 and 3 (their files untouched) and runs round 2.
    fs.writeFileSync(work.plan, intact);
    const kept = [0, 2].map((i) => fs.statSync(work.result(i)).mtimeMs);
    const second = await runRoundsOnWorkers(options(out), run());
    assert.deepStrictEqual(second.kept, [0, 2]);
    assert.deepStrictEqual(second.pool.done, [1]);
    assert.deepStrictEqual([0, 2].map((i) => fs.statSync(work.result(i)).mtimeMs), kept);
    assert.ok(second.merged?.complete);
    assert.strictEqual(second.merged.evaluation.matched, 46);
    assert.ok(!fs.existsSync(work.failure(1)), 'the failure of the last attempt is gone');
    assert.deepStrictEqual(workDirStatus(work).counts, { pending: 0, running: 0, done: 3, failed: 0 });

    // The same rounds in one process, another folder: the same numbers, the same TPS.
    const seq = await runRounds(options(path.join(tmp, 'sequential')), env());
    assert.strictEqual(seq.evaluation.matched, 46);
    const byName = new Map(seq.evaluation.images.map((i) => [i.name, i.errors]));
    for (const img of second.merged.evaluation.images) assert.deepStrictEqual(img.errors, byName.get(img.name), img.name);
    assert.strictEqual(fs.readFileSync(seq.predictedTps, 'utf8'), fs.readFileSync(work.predictedTps, 'utf8'));
    const onDisk = JSON.parse(fs.readFileSync(work.evaluation, 'utf8')) as EvaluationResult;
    assert.strictEqual(onDisk.mean, seq.evaluation.mean);
  });

  it('in one process too, a failed round does not stop the others: they are merged and the job fails naming it', async () => {
    const out = path.join(tmp, 'in-process');
    await brokenPlan(out, 2);
    await assert.rejects(runRounds(options(out), env()), (e: Error) => {
      assert.match(e.message, /1 round\(s\) failed: round 3\/3: .*"not-a-wing".*merged in .*predicted\.tps \(32 of 46 images\)/);
      return true;
    });
    assert.deepStrictEqual(workDirStatus(new WorkDir(out)).rounds.map((r) => r.state), ['done', 'done', 'failed']);
  });

  it('reports a worker that dies without a word, and stops workers when aborted (their rounds stay to do)', async () => {
    const out = path.join(tmp, 'dying');
    const { plan } = await makePlan(planRequest(options(out)), () => undefined);
    fs.mkdirSync(out, { recursive: true });
    const work = new WorkDir(out);
    work.writeJson(work.plan, plan);
    const killed = await runOnWorkers(work, plan, [0, 1], { workers: 2, worker: { command: 'bash', args: ['-c', 'echo loading the data; kill -9 $$', 'worker'] }, log: () => undefined });
    assert.deepStrictEqual(killed.failed.map((f) => f.index), [0, 1]);
    assert.match(killed.failed[0].error, /the worker was killed by SIGKILL without a result; its log ends: loading the data/);
    assert.strictEqual(workDirStatus(work).rounds[0].state, 'failed');

    const abort = new AbortController();
    setTimeout(() => abort.abort(), 300);
    const t0 = Date.now();
    const stopped = await runOnWorkers(work, plan, [2], { workers: 1, worker: { command: 'bash', args: ['-c', 'sleep 30', 'worker'] }, log: () => undefined, signal: abort.signal });
    assert.ok(Date.now() - t0 < 10000, 'the worker was ended');
    assert.ok(stopped.cancelled);
    assert.deepStrictEqual(stopped.failed, []);
    assert.strictEqual(workDirStatus(work).rounds[2].state, 'pending');
  });

  it('--slurm: without sbatch, or when sbatch refuses, says so and leaves nothing; an accepted array with a refused merge is cancelled', async function () {
    const out = path.join(tmp, 'slurm');
    const emptyBin = fs.mkdtempSync(path.join(tmp, 'bin-empty-'));
    const r = spawnSync(fromSource.command, [...fromSource.args, 'rounds', '--data', tps, '--test-size', '16', '--out', out, '--slurm'], {
      cwd: repoRoot,
      env: { ...process.env, PATH: emptyBin },
      encoding: 'utf8',
    });
    assert.strictEqual(r.status, 1, r.stderr);
    assert.match(r.stderr, /sbatch is not on the PATH.*nothing was written.*--workers N/);
    assert.ok(!fs.existsSync(out));

    // A stand-in sbatch that refuses what it is told to (the real one refuses in test:slurm).
    const bin = fs.mkdtempSync(path.join(tmp, 'bin-'));
    const calls = path.join(tmp, 'calls.txt');
    fs.writeFileSync(
      path.join(bin, 'sbatch'),
      `#!/bin/bash\necho "sbatch $*" >> ${calls}\n` +
        `if [ "$REFUSE" = all ] || { [ "$REFUSE" = merge ] && [[ "$*" == *dependency* ]]; }; then echo "sbatch: error: Batch job submission failed: Invalid account" >&2; exit 1; fi\n` +
        'echo 4242\n',
      { mode: 0o755 },
    );
    fs.writeFileSync(path.join(bin, 'scancel'), `#!/bin/bash\necho "scancel $*" >> ${calls}\n`, { mode: 0o755 });
    const { plan } = await makePlan(planRequest(options(out)), () => undefined);
    const submit = (refuse: string) =>
      submitToSlurm({ work: new WorkDir(out), plan, request: { sbatchArgs: [] }, node: process.execPath, cli: '/x/dist/cli.js', env: { ...process.env, PATH: bin, REFUSE: refuse }, log: () => undefined });
    assert.throws(() => submit('all'), /sbatch refused the rounds job array \(exit 1\): sbatch: error: Batch job submission failed: Invalid account; .* is as it was/);
    assert.ok(!fs.existsSync(out), 'nothing half-written');
    assert.throws(() => submit('merge'), /sbatch refused the merge job .*the rounds array job 4242 was cancelled/);
    assert.ok(!fs.existsSync(out));
    assert.match(fs.readFileSync(calls, 'utf8'), /scancel 4242/);

    // Into a folder with finished rounds of another plan: a refusal puts the old plan and results back.
    const old = path.join(tmp, 'workers');
    const before = fs.readdirSync(path.join(old, 'results')).sort();
    const planBefore = fs.readFileSync(path.join(old, 'plan.json'), 'utf8');
    const other = await makePlan(planRequest({ ...options(old), epochs: 2 }), () => undefined);
    assert.throws(() =>
      submitToSlurm({ work: new WorkDir(old), plan: other.plan, request: { sbatchArgs: [] }, node: process.execPath, cli: '/x/dist/cli.js', env: { ...process.env, PATH: bin, REFUSE: 'all' }, log: () => undefined }),
    );
    assert.strictEqual(fs.readFileSync(path.join(old, 'plan.json'), 'utf8'), planBefore);
    assert.deepStrictEqual(fs.readdirSync(path.join(old, 'results')).sort(), before);
    assert.deepStrictEqual(fs.readdirSync(old).filter((f) => f.endsWith('.bak') || f === 'slurm'), []);
    assert.strictEqual((await mergeWorkDir(new WorkDir(old))).complete, true, 'the old rounds still merge whole');

    // Accepted: the plan, the scripts and the submission are there.
    const ok = submit('');
    assert.strictEqual(ok.kind, 'submitted');
    if (ok.kind === 'submitted') {
      assert.deepStrictEqual(ok.submission.rounds, [0, 1, 2]);
      assert.strictEqual(ok.submission.arrayJob, '4242');
      assert.ok(ok.submission.commands[0].includes('--array=0-2'));
      assert.ok(ok.submission.commands[1].includes('--dependency=afterany:4242'));
      for (const f of ['plan.json', 'slurm/rounds.sbatch', 'slurm/merge.sbatch', 'slurm/submitted.json']) assert.ok(fs.existsSync(path.join(out, f)), f);
      assert.match(fs.readFileSync(path.join(out, 'slurm', 'rounds.sbatch'), 'utf8'), /rounds --round "\$SLURM_ARRAY_TASK_ID" --plan /);
    }
  });
});
