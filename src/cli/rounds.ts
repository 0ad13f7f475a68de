/**
 * `rounds --data <tps> --test-size N --out <dir> [train options]`: the paper's cross-validation
 * (test sets of N in turn until every image was tested once), one table over all images.
 * Writes <out>/round-XX/ models, <out>/predicted.tps and <out>/evaluation.json, with the plan
 * and each round's result in <out> so that a rerun resumes. The rounds run in this process,
 * on N local worker processes (`--workers N`), or as a SLURM job array (`--slurm`); `rounds
 * status` and `rounds merge` follow and end them; `rounds --round K --plan` is one round (what
 * a worker or a SLURM task runs).
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import type { CliCommand } from './command';
import { PRESET_NAMES, type BackendChoice, type RoundsOptions } from '../shared/protocol/engine';
import type { RoundsStatus } from '../shared/protocol/rounds';
import { runRounds, runRoundsOnWorkers } from '../engine/rounds';
import { mergeWorkDir } from '../engine/rounds-jobs/merge';
import { makePlan } from '../engine/rounds-jobs/plan';
import { runPlannedRound } from '../engine/rounds-jobs/round';
import { slurmRequestProblems, type SlurmRequest } from '../engine/rounds-jobs/slurm';
import { requireSbatch, submitToSlurm } from '../engine/rounds-jobs/submit';
import { workDirStatus } from '../engine/rounds-jobs/status';
import { WorkDir } from '../engine/rounds-jobs/workdir';
import type { WorkerCommand } from '../engine/rounds-jobs/workers';
import { planRequest } from '../engine/rounds';
import { evaluationTable, formatProgress, parseBackend, parseIntOption, parseLandmarkList, runCli, UsageError } from './engine-common';
import { engineCommand, helpRequested, parseOptionAssignmentsOrUsage, parsePreset, parsePresetOptions, parseTrainingNumbers, printResult, readProfileArg, TRAINING_ARGS, withEngine } from './options';

export const USAGE = [
  'usage: rounds --data <tps-or-folder> --test-size N --out <work-dir> [options]',
  '       rounds status <work-dir> [--json]      every round: pending, running, done or failed',
  '       rounds merge <work-dir> [--json]       one evaluation over the rounds done',
  '       rounds --round K --plan <work-dir>/plan.json   one round (0-based K): what a worker or a SLURM task runs',
  '',
  '  --test-size N     images per test set (paper: 33)',
  `  --images <dir>  --preset ${PRESET_NAMES.join('|')}  --epochs N  --batch-size N  --learning-rate X`,
  '  --validation-split X  --input-size WxH  --seed N  --patience N  --landmarks 1,2,5-8',
  '  --backend auto|native-gpu|native-cpu|wasm|cpu',
  '  --workers N       run N rounds at once, each in its own engine process (logs in <work-dir>/logs)',
  '  --slurm           submit the rounds as a SLURM job array (one task per round) and a merge job',
  '                    after it, then return; the work dir must be on a file system the nodes share',
  '    --partition P  --time T (e.g. 2:00:00)  --gpus N (or type:N, per round)',
  '    --sbatch-arg=--option=value   more sbatch options for both jobs (repeatable)',
  '  --option NAME=VALUE  one of the preset\'s own options (repeatable; `train --help` lists them)',
  '  --profile FILE.json  default preset: run this profile of stages instead of its own',
  '  --json            print the result as JSON on stdout',
  '',
  'A rerun with the same data and options keeps the rounds already done and runs the others.',
].join('\n');

/** Node, its own options (a loader, when the CLI runs from source) and this CLI: to start it again. */
function self(): { node: string; nodeArgs: string[]; cli: string } {
  const cli = process.argv[1];
  if (!cli) throw new Error('cannot tell which program this is (no process.argv[1]) to start workers');
  // A debugger flag would make every worker fight for one port.
  return { node: process.execPath, nodeArgs: process.execArgv.filter((a) => !/^--inspect/.test(a)), cli: path.resolve(cli) };
}

function selfCommand(): WorkerCommand {
  const me = self();
  return { command: me.node, args: [...me.nodeArgs, me.cli] };
}

const SLURM_ARGS = ['partition', 'time', 'gpus', 'sbatch-arg'] as const;

function parseRoundsArgs(args: string[]) {
  return parseArgs({
    args,
    options: {
      ...TRAINING_ARGS,
      data: { type: 'string' },
      'test-size': { type: 'string' },
      landmarks: { type: 'string' },
      workers: { type: 'string' },
      slurm: { type: 'boolean' },
      partition: { type: 'string' },
      time: { type: 'string' },
      gpus: { type: 'string' },
      'sbatch-arg': { type: 'string', multiple: true },
      round: { type: 'string' },
      plan: { type: 'string' },
    },
    strict: true,
  }).values;
}

type RoundsValues = ReturnType<typeof parseRoundsArgs>;

function roundsOptions(values: RoundsValues): RoundsOptions {
  if (!values.data || !values.out || !values['test-size']) throw new UsageError('--data, --test-size and --out are required');
  const options: RoundsOptions = {
    data: values.data,
    out: values.out,
    testSize: parseIntOption('test-size', values['test-size']) ?? 1,
    preset: parsePreset(values.preset),
    ...(values.images ? { images: values.images } : {}),
    ...parseTrainingNumbers(values),
  };
  const profile = readProfileArg(values.profile, options.preset ?? 'default');
  if (profile) options.profile = profile;
  const presetOptions = profile ? parseOptionAssignmentsOrUsage(values.option) : parsePresetOptions(options.preset ?? 'default', values.option);
  if (presetOptions) options.presetOptions = presetOptions;
  const landmarkSubset = parseLandmarkList('landmarks', values.landmarks);
  if (landmarkSubset !== undefined) options.landmarkSubset = landmarkSubset;
  return options;
}

const stderr = (m: string): void => void process.stderr.write(m + '\n');

/** The backends the done rounds ran on ("wasm", or "tensorflow-gpu+wasm" when machines differed). */
function roundBackends(work: WorkDir): string {
  const plan = work.readPlan();
  const names = new Set(plan.rounds.map((r) => work.readResult(plan.planId, r.index)?.backend).filter((b): b is string => !!b));
  return [...names].sort().join('+') || 'none';
}

/** `--round K --plan P`: one round of a plan in this process. */
async function oneRound(values: RoundsValues): Promise<number> {
  if (values.round === undefined || !values.plan) throw new UsageError('--round and --plan go together');
  const extra = Object.keys(values).filter((k) => !['round', 'plan', 'backend', 'json'].includes(k));
  if (extra.length) throw new UsageError(`--round runs a round of a plan as planned: --${extra[0]} is not for it`);
  const index = parseIntOption('round', values.round, 0) ?? 0;
  const planPath = path.resolve(values.plan);
  const isDir = fs.existsSync(planPath) && fs.statSync(planPath).isDirectory();
  if (!isDir && path.basename(planPath) !== 'plan.json') throw new UsageError(`--plan ${values.plan}: expected <work-dir>/plan.json`);
  const work = new WorkDir(isDir ? planPath : path.dirname(planPath));
  const plan = work.readPlan();
  if (!plan.rounds[index]) throw new UsageError(`--round ${index}: ${work.plan} has rounds 0..${plan.rounds.length - 1}`);
  const done = work.readResult(plan.planId, index);
  if (done) {
    stderr(`round ${index + 1}/${plan.rounds.length}: done earlier (${work.result(index)}): nothing to do`);
    if (values.json) console.log(JSON.stringify({ kind: 'round', index, meanPx: done.meanPx, result: work.result(index), kept: true }));
    return 0;
  }
  const arrayJob = process.env.SLURM_ARRAY_JOB_ID;
  const task = process.env.SLURM_ARRAY_TASK_ID;
  const slurmJob = arrayJob && task !== undefined ? `${arrayJob}_${task}` : undefined;
  return withEngine(parseBackend(values.backend), { announce: true }, async (engine) => {
    const outcome = await runPlannedRound(work, plan, index, engine.env, { ...(slurmJob ? { slurmJob, log: work.slurmLog(slurmJob) } : {}) });
    if (outcome.cancelled) {
      stderr(`round ${index + 1}/${plan.rounds.length}: cancelled; it stays to do`);
      return 130;
    }
    const r = outcome.result;
    if (values.json) console.log(JSON.stringify({ kind: 'round', index, meanPx: r?.meanPx, result: work.result(index), backend: engine.env.backend }));
    else console.log(`round ${index + 1}/${plan.rounds.length}: ${r?.rows.length ?? 0} tested, mean error ${r?.meanPx.toFixed(2)} px; ${work.result(index)}`);
    return 0;
  });
}

function slurmRequest(values: RoundsValues): SlurmRequest {
  const request: SlurmRequest = {
    ...(values.partition ? { partition: values.partition } : {}),
    ...(values.time ? { time: values.time } : {}),
    ...(values.gpus ? { gpus: values.gpus } : {}),
    sbatchArgs: values['sbatch-arg'] ?? [],
  };
  const problems = slurmRequestProblems(request);
  if (problems.length) throw new UsageError(problems.join('\n'));
  return request;
}

async function onSlurm(values: RoundsValues, options: RoundsOptions, backend: BackendChoice | undefined): Promise<number> {
  const request = slurmRequest(values);
  // Before reading any data: without sbatch there is nothing to do, and nothing is written.
  requireSbatch();
  const { plan } = await makePlan(planRequest(options), stderr);
  const me = self();
  const work = new WorkDir(options.out);
  const outcome = submitToSlurm({ work, plan, request, ...me, log: stderr, ...(backend ? { backend } : {}) });
  if (outcome.kind === 'done') {
    stderr(`rounds: every round of ${work.dir} is done already: nothing submitted; merging here`);
    return printMerge(work, !!values.json);
  }
  const s = outcome.submission;
  if (values.json) {
    console.log(JSON.stringify({ kind: 'rounds-submitted', dir: work.dir, planId: s.planId, arrayJob: s.arrayJob, mergeJob: s.mergeJob, rounds: s.rounds, scripts: outcome.scripts }));
  } else {
    console.log(
      `submitted ${s.rounds.length} round(s) as SLURM array job ${s.arrayJob} and the merge as job ${s.mergeJob} (after the rounds, whatever their outcome)\n` +
        `job scripts: ${outcome.scripts.join(', ')}; logs in ${work.logsDir}\n` +
        `follow them: ${[me.node, ...me.nodeArgs, me.cli].join(' ')} rounds status ${work.dir}`,
    );
  }
  return 0;
}

async function onWorkers(values: RoundsValues, options: RoundsOptions, workers: number, backend: BackendChoice | undefined): Promise<number> {
  const abort = new AbortController();
  let interrupts = 0;
  const onSigint = (): void => {
    if (++interrupts > 1) process.exit(130);
    stderr('interrupt: stopping the workers (finished rounds are kept; a rerun does the others); Ctrl-C again to quit at once');
    abort.abort();
  };
  process.on('SIGINT', onSigint);
  let last = 0;
  try {
    const r = await runRoundsOnWorkers(options, {
      workers,
      worker: selfCommand(),
      log: stderr,
      progress: (p) => {
        if (Date.now() - last > 1000 || (p.kind === 'step' && p.done === p.total)) stderr(formatProgress(p));
        last = Date.now();
      },
      signal: abort.signal,
      ...(backend ? { backend } : {}),
    });
    const backends = roundBackends(new WorkDir(options.out));
    if (r.merged) {
      const m = r.merged;
      printResult(!!values.json, { ...m, seconds: r.seconds, failed: r.pool.failed, kept: r.kept }, backends, () => {
        console.log(
          `${m.rounds} of ${r.plan.rounds.length} round(s) in ${r.seconds.toFixed(1)} s on ${Math.min(workers, Math.max(1, r.plan.rounds.length - r.kept.length))} worker(s) (${backends})` +
            `${r.kept.length ? `, ${r.kept.length} done earlier` : ''}; predictions in ${m.predictedTps}`,
        );
        console.log(evaluationTable(m.evaluation));
      });
    }
    for (const f of r.pool.failed) stderr(`round ${f.index + 1}/${r.plan.rounds.length} FAILED: ${f.error} (log ${f.log})`);
    if (r.pool.cancelled) return 130;
    if (r.pool.failed.length) {
      stderr(`${r.pool.failed.length} round(s) failed; the others are kept: rerun the same command to run the failed one(s) again`);
      return 1;
    }
    return r.merged?.complete ? 0 : 1;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

async function planned(args: string[]): Promise<number> {
  const values = parseRoundsArgs(args);
  if (values.round !== undefined || values.plan !== undefined) return oneRound(values);
  const options = roundsOptions(values);
  const backend = values.backend !== undefined ? parseBackend(values.backend) : undefined;
  const usedSlurmArgs = SLURM_ARGS.filter((k) => values[k] !== undefined);
  if (values.slurm && values.workers !== undefined) throw new UsageError('--slurm and --workers exclude each other (SLURM decides where the rounds run)');
  if (!values.slurm && usedSlurmArgs.length) throw new UsageError(`--${usedSlurmArgs[0]} is for --slurm`);
  if (values.slurm) return onSlurm(values, options, backend);
  if (values.workers !== undefined) return onWorkers(values, options, parseIntOption('workers', values.workers) ?? 1, backend);
  return withEngine(backend ?? 'auto', { announce: true }, async (engine) => {
    const result = await runRounds(options, engine.env);
    printResult(!!values.json, result, engine.env.backend, () => {
      console.log(
        `${result.rounds} round(s)${result.cancelled ? ' (cancelled)' : ''} in ${result.seconds.toFixed(1)} s on ${engine.env.backend}; ` +
          `predictions in ${result.predictedTps}`,
      );
      console.log(evaluationTable(result.evaluation));
    });
    return result.cancelled ? 130 : 0;
  });
}

function statusText(s: RoundsStatus): string {
  const lines = [`rounds in ${s.dir} (plan ${s.planId}: ${s.rounds.length} rounds, test sets of ${s.testSize} from ${s.data})`];
  lines.push('round  state    images  mean px  seconds  detail');
  for (const r of s.rounds) {
    const detail = [r.error, r.detail, r.job ? `job ${r.job}` : '', r.state === 'running' && r.pid ? `pid ${r.pid} on ${r.host}` : '', r.state === 'failed' && r.log ? `log ${r.log}` : '']
      .filter(Boolean)
      .join('; ');
    lines.push(
      `${String(r.index + 1).padStart(5)}  ${r.state.padEnd(7)}  ${String(r.images).padStart(6)}  ${(r.meanPx !== undefined ? r.meanPx.toFixed(2) : '').padStart(7)}  ` +
        `${(r.seconds !== undefined ? r.seconds.toFixed(1) : '').padStart(7)}  ${detail}`,
    );
  }
  const c = s.counts;
  lines.push(`${c.done} done, ${c.running} running, ${c.pending} pending, ${c.failed} failed`);
  if (s.slurm) {
    const q = s.slurm.squeue ? '' : ' (squeue did not answer: states from the files)';
    lines.push(`SLURM: array job ${s.slurm.arrayJob}, merge job ${s.slurm.mergeJob}${s.slurm.mergeState ? ` ${s.slurm.mergeState}` : ''}${q}`);
  }
  if (s.merged) lines.push(`merged ${s.merged.at}: ${s.merged.complete ? 'all rounds' : 'PARTIAL'}, ${s.merged.images} images, mean ${s.merged.meanPx.toFixed(2)} px (${s.merged.evaluation})`);
  return lines.join('\n');
}

function workDirArg(args: string[], extra: Record<string, { type: 'string' | 'boolean' }>) {
  const { values, positionals } = parseArgs({ args, options: { json: { type: 'boolean' }, ...extra }, allowPositionals: true, strict: true });
  if (positionals.length !== 1) throw new UsageError('expected one work folder');
  return { work: new WorkDir(positionals[0]), values: values as Record<string, string | boolean | undefined> };
}

async function printMerge(work: WorkDir, json: boolean, settleSeconds = 0): Promise<number> {
  const r = await mergeWorkDir(work, { settleSeconds, log: stderr });
  const plan = work.readPlan();
  printResult(json, r, roundBackends(work), () => {
    console.log(`merged ${r.rounds} of ${plan.rounds.length} round(s): ${r.evaluation.matched} images; predictions in ${r.predictedTps}`);
    console.log(evaluationTable(r.evaluation));
  });
  for (const n of r.notDone) stderr(`round ${n.index + 1}/${plan.rounds.length} not merged: ${n.state}${n.error ? `: ${n.error}` : ''}`);
  if (!r.complete) stderr(`PARTIAL: ${r.notDone.length} of ${plan.rounds.length} round(s) missing (\`rounds status ${work.dir}\`)`);
  return r.complete ? 0 : 1;
}

const STATUS_USAGE = 'usage: rounds status <work-dir> [--json]   (JSON: RoundsStatus, rounds[] of {index (0-based), state, meanPx?, error?, ...})';
const MERGE_USAGE = 'usage: rounds merge <work-dir> [--json] [--settle SECONDS]   (exit 1 when a round is missing)';

export const command: CliCommand = {
  run: (args) => {
    if (args[0] === 'status') {
      return runCli(STATUS_USAGE, async () => {
        if (helpRequested(args)) {
          console.log(STATUS_USAGE);
          return 0;
        }
        const { work, values } = workDirArg(args.slice(1), {});
        const s = workDirStatus(work);
        console.log(values.json ? JSON.stringify(s) : statusText(s));
        return 0;
      });
    }
    if (args[0] === 'merge') {
      return runCli(MERGE_USAGE, async () => {
        if (helpRequested(args)) {
          console.log(MERGE_USAGE);
          return 0;
        }
        const { work, values } = workDirArg(args.slice(1), { settle: { type: 'string' } });
        const settle = parseIntOption('settle', typeof values.settle === 'string' ? values.settle : undefined, 0) ?? 0;
        return printMerge(work, !!values.json, settle);
      });
    }
    return engineCommand(USAGE, planned).run(args);
  },
};
