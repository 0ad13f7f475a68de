/**
 * The pure parts of rounds as jobs: a round's state from its files and the SLURM queue, the
 * queue commands' output, array specs, the job scripts' text, and the plan / result checks.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { checkPlan, checkRoundResult, type RoundFailure, type RoundRunning } from '../../src/shared/protocol/rounds';
import {
  arraySpec,
  countStates,
  expandJobIds,
  parseArraySpec,
  parseSacct,
  parseSbatchJobId,
  parseSqueue,
  queueClass,
  roundStatus,
  type RoundEvidence,
} from '../../src/shared/rounds/state';
import {
  mergeJobScript,
  mergeSbatchArgs,
  roundsJobScript,
  roundsSbatchArgs,
  shellQuote,
  slurmRequestProblems,
} from '../../src/engine/rounds-jobs/slurm';
import { StagedChanges } from '../../src/engine/rounds-jobs/staged';

const base: RoundEvidence = { index: 2, name: 'round-03', images: 12 };
const failure: RoundFailure = { planId: 'p', index: 2, error: 'boom', host: 'h', pid: 7, at: 't' };
const running: RoundRunning = { planId: 'p', index: 2, host: 'node7', pid: 99, started: 't' };

describe('rounds as jobs: round states', () => {
  it('a complete result is done whatever else is there', () => {
    const s = roundStatus({ ...base, result: { meanPx: 3.5, seconds: 9 }, failure, running, slurm: { job: '5_2', queueKnown: true, queue: { state: 'RUNNING' } } });
    assert.strictEqual(s.state, 'done');
    assert.strictEqual(s.meanPx, 3.5);
    assert.strictEqual(s.index, 2);
  });

  it('the live queue beats an old failure file (a resubmitted round)', () => {
    assert.strictEqual(roundStatus({ ...base, failure, slurm: { job: '5_2', queueKnown: true, queue: { state: 'PENDING', reason: 'Dependency' } } }).state, 'pending');
    const r = roundStatus({ ...base, failure, running, slurm: { job: '5_2', queueKnown: true, queue: { state: 'RUNNING' } } });
    assert.strictEqual(r.state, 'running');
    assert.strictEqual(r.host, 'node7');
    assert.match(r.detail ?? '', /SLURM RUNNING/);
  });

  it('a failure file is failed, with its error', () => {
    const s = roundStatus({ ...base, failure });
    assert.strictEqual(s.state, 'failed');
    assert.strictEqual(s.error, 'boom');
  });

  it('a running marker: alive is running, dead is failed, unknown is running', () => {
    assert.strictEqual(roundStatus({ ...base, running, runningAlive: true }).state, 'running');
    const dead = roundStatus({ ...base, running, runningAlive: false });
    assert.strictEqual(dead.state, 'failed');
    assert.match(dead.error ?? '', /pid 99 on node7\) ended without a result/);
    assert.strictEqual(roundStatus({ ...base, running }).state, 'running', 'another host, no queue: cannot tell');
  });

  it('submitted, out of the queue and without a result: failed, with how SLURM ended it', () => {
    const s = roundStatus({ ...base, running, slurm: { job: '5_2', queueKnown: true, acct: { state: 'TIMEOUT', exitCode: '0:15' } } });
    assert.strictEqual(s.state, 'failed');
    assert.match(s.error ?? '', /ended TIMEOUT \(exit 0:15\)/);
    assert.match(roundStatus({ ...base, slurm: { job: '5_2', queueKnown: true } }).error ?? '', /ended without a result file/);
    assert.strictEqual(roundStatus({ ...base, slurm: { job: '5_2', queueKnown: true, queue: { state: 'FAILED' }, acct: { state: 'FAILED' } } }).state, 'failed');
  });

  it('submitted but no squeue here: pending, saying so; nothing at all: pending', () => {
    const s = roundStatus({ ...base, slurm: { job: '5_2', queueKnown: false } });
    assert.strictEqual(s.state, 'pending');
    assert.match(s.detail ?? '', /squeue is not available/);
    assert.deepStrictEqual(roundStatus(base), { index: 2, name: 'round-03', state: 'pending', images: 12 });
  });

  it('counts states and classes queue states', () => {
    const rs = [roundStatus(base), roundStatus({ ...base, failure }), roundStatus({ ...base, result: { meanPx: 1, seconds: 1 } })];
    assert.deepStrictEqual(countStates(rs), { pending: 1, running: 0, done: 1, failed: 1 });
    assert.strictEqual(queueClass('CANCELLED by 0'), 'ended');
    assert.strictEqual(queueClass('COMPLETING'), 'running');
    assert.strictEqual(queueClass('REQUEUED'), 'pending');
  });
});

describe('rounds as jobs: SLURM text', () => {
  it('writes and reads array specs', () => {
    assert.strictEqual(arraySpec([0, 1, 2, 3]), '0-3');
    assert.strictEqual(arraySpec([5, 1, 3, 4, 1]), '1,3-5');
    assert.strictEqual(arraySpec([7]), '7');
    assert.throws(() => arraySpec([]), /need indices/);
    assert.deepStrictEqual(parseArraySpec('0-3,7,9-13:2%2'), [0, 1, 2, 3, 7, 9, 11, 13]);
    assert.deepStrictEqual(expandJobIds('123_[0-2,5%2]'), ['123_0', '123_1', '123_2', '123_5']);
    assert.deepStrictEqual(expandJobIds('124'), ['124']);
  });

  it('parses squeue, sacct and sbatch --parsable output', () => {
    const q = parseSqueue('5_0|RUNNING|None\n5_[1-2]|PENDING|Resources\n6|PENDING|Dependency\n\n');
    assert.deepStrictEqual(q.get('5_0'), { state: 'RUNNING', reason: 'None' });
    assert.deepStrictEqual(q.get('5_2'), { state: 'PENDING', reason: 'Resources' });
    assert.strictEqual(q.get('6')?.reason, 'Dependency');
    const a = parseSacct('5_0|COMPLETED|0:0\n5_1|OUT_OF_MEMORY|0:125\n5_2|CANCELLED by 0|0:0\n');
    assert.strictEqual(a.get('5_1')?.state, 'OUT_OF_MEMORY');
    assert.strictEqual(a.get('5_2')?.state, 'CANCELLED by 0');
    assert.strictEqual(parseSbatchJobId('4242\n'), '4242');
    assert.strictEqual(parseSbatchJobId('4242;cluster2'), '4242');
    assert.strictEqual(parseSbatchJobId('Submitted batch job 4242'), undefined);
  });

  it('quotes shell words only when needed', () => {
    assert.strictEqual(shellQuote('/usr/bin/node'), '/usr/bin/node');
    assert.strictEqual(shellQuote('/data/my rounds'), `'/data/my rounds'`);
    assert.strictEqual(shellQuote(`it's`), `'it'\\''s'`);
  });

  it("writes job scripts that run the same CLI on the task's round, by absolute paths", () => {
    const input = { node: '/opt/node/bin/node', cli: '/home/me/landmarks/dist/cli.js', dir: '/scratch/me/wings rounds', request: { partition: 'gpu', time: '2:00:00', gpus: 'a100:1', sbatchArgs: ['--account=lab'] } };
    const script = roundsJobScript(input);
    assert.ok(script.startsWith('#!/bin/bash\n'));
    assert.match(script, /^#SBATCH --job-name=landmarks-rounds$/m);
    assert.match(script, /^#SBATCH --partition=gpu$/m);
    assert.match(script, /^#SBATCH --time=2:00:00$/m);
    assert.match(script, /^#SBATCH --gpus=a100:1$/m);
    assert.match(script, /^cd '\/scratch\/me\/wings rounds'$/m);
    assert.ok(script.includes(`\nexec /opt/node/bin/node /home/me/landmarks/dist/cli.js rounds --round "$SLURM_ARRAY_TASK_ID" --plan '/scratch/me/wings rounds/plan.json'\n`), script);
    assert.ok(!/--backend/.test(script), 'each task picks its best backend unless one was chosen');
    assert.match(roundsJobScript({ ...input, backend: 'native-gpu' }), /--plan '[^']+' --backend native-gpu\n/);
    const merge = mergeJobScript(input);
    assert.match(merge, /^#SBATCH --job-name=landmarks-rounds-merge$/m);
    assert.ok(!/--gpus/.test(merge), 'the merge needs no GPU');
    assert.ok(merge.includes(`\nexec /opt/node/bin/node /home/me/landmarks/dist/cli.js rounds merge '/scratch/me/wings rounds' --settle 60\n`), merge);
    assert.deepStrictEqual(roundsSbatchArgs(input, '0-8'), [
      '--parsable',
      '--array=0-8',
      '--chdir=/scratch/me/wings rounds',
      '--output=/scratch/me/wings rounds/logs/slurm-%A_%a.out',
      '--account=lab',
      '/scratch/me/wings rounds/slurm/rounds.sbatch',
    ]);
    assert.deepStrictEqual(mergeSbatchArgs(input, '77').slice(0, 2), ['--parsable', '--dependency=afterany:77']);
    assert.match(mergeSbatchArgs(input, '77')[3], /logs\/merge-%j\.out$/);
    const withLoader = roundsJobScript({ ...input, nodeArgs: ['--import', 'tsx'] });
    assert.ok(withLoader.includes('exec /opt/node/bin/node --import tsx /home/me/landmarks/dist/cli.js rounds'));
  });

  it('refuses SLURM options that would break a script', () => {
    assert.deepStrictEqual(slurmRequestProblems({ partition: 'gpu,short', time: '1-12:00', gpus: '2', sbatchArgs: ['--qos=high'] }), []);
    const p = slurmRequestProblems({ partition: 'gpu\n#SBATCH --x', time: 'soon', gpus: 'many', sbatchArgs: ['account=lab'] });
    assert.strictEqual(p.length, 4);
    assert.match(p.join('\n'), /--partition/);
    assert.match(p.join('\n'), /--time soon/);
    assert.match(p.join('\n'), /--sbatch-arg=--option=value/);
  });
});

describe('rounds as jobs: file checks and staged changes', () => {
  const plan = {
    format: 'landmarks-rounds-plan',
    version: 1,
    planId: 'abc',
    created: 't',
    data: '/d.tps',
    testSize: 2,
    seed: 1,
    train: { preset: 'paper' },
    samples: 4,
    landmarkCount: 2,
    samplesHash: 'h',
    rounds: [
      { index: 0, name: 'round-01', seed: 1, test: ['a', 'b'], samples: [0, 1] },
      { index: 1, name: 'round-02', seed: 2, test: ['c', 'd'], samples: [2, 3] },
    ],
  };

  it('reads a plan, and says what is wrong with a broken one', () => {
    assert.strictEqual(typeof checkPlan(plan), 'object');
    assert.strictEqual(checkPlan({ ...plan, version: 2 }), 'plan version 2 (this engine reads version 1)');
    assert.strictEqual(checkPlan({ ...plan, rounds: [plan.rounds[1]] }), 'plan round 0 is malformed');
    assert.strictEqual(checkPlan({ ...plan, rounds: [{ ...plan.rounds[0], samples: [0] }] }), 'plan round 0 is malformed');
    assert.strictEqual(checkPlan([]), 'not a rounds plan');
  });

  it('takes a round result only when complete and of this plan and round', () => {
    const row = { name: 'a', image: '/a.jpg', manual: [[1, 2], null], predicted: [[1, 2], [3, 4]], width: 10, height: 10 };
    const r = { format: 'landmarks-round-result', version: 1, planId: 'abc', index: 1, rows: [row], meanPx: 1.5, finished: 't' };
    assert.ok(checkRoundResult(r, 'abc', 1));
    assert.strictEqual(checkRoundResult(r, 'other', 1), undefined, 'another plan');
    assert.strictEqual(checkRoundResult(r, 'abc', 0), undefined, 'another round');
    assert.strictEqual(checkRoundResult({ ...r, meanPx: undefined }, 'abc', 1), undefined, 'cut short');
    assert.strictEqual(checkRoundResult({ ...r, rows: [{ ...row, predicted: [[1]] }] }, 'abc', 1), undefined, 'a bad point');
  });

  it('rolls back writes, replacements, removals and new folders; commits drop the backups', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'staged-'));
    try {
      const keep = path.join(tmp, 'keep.json');
      const gone = path.join(tmp, 'gone.json');
      fs.writeFileSync(keep, 'old');
      fs.writeFileSync(gone, 'was here');
      const s = new StagedChanges();
      s.write(keep, 'new');
      s.write(keep, 'newer');
      s.remove(gone);
      s.write(path.join(tmp, 'a', 'b', 'new.txt'), 'x');
      assert.strictEqual(fs.readFileSync(keep, 'utf8'), 'newer');
      assert.ok(!fs.existsSync(gone));
      assert.deepStrictEqual(s.rollback(), []);
      assert.strictEqual(fs.readFileSync(keep, 'utf8'), 'old');
      assert.strictEqual(fs.readFileSync(gone, 'utf8'), 'was here');
      assert.deepStrictEqual(fs.readdirSync(tmp).sort(), ['gone.json', 'keep.json'], 'new folders and backups gone');
      const c = new StagedChanges();
      c.write(keep, 'committed');
      c.remove(gone);
      c.commit();
      assert.strictEqual(fs.readFileSync(keep, 'utf8'), 'committed');
      assert.deepStrictEqual(fs.readdirSync(tmp), ['keep.json']);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
