/**
 * `rounds --slurm`: the plan and the two job scripts into the work folder, an sbatch job array
 * with one task per round still to do, and a merge job after it (afterany). All or nothing:
 * without sbatch nothing is written; when sbatch refuses either job, the array (if it was
 * accepted) is cancelled and the folder is put back as it was.
 */
import type { BackendChoice } from '../../shared/protocol/engine';
import type { RoundsPlan, SlurmSubmission } from '../../shared/protocol/rounds';
import { arraySpec, parseSbatchJobId } from '../../shared/rounds/state';
import { adoptPlan } from './plan';
import {
  describeFailure,
  findOnPath,
  mergeJobScript,
  mergeSbatchArgs,
  mergeScriptPath,
  roundsJobScript,
  roundsSbatchArgs,
  roundsScriptPath,
  runCommand,
  type JobScriptInput,
  type SlurmRequest,
} from './slurm';
import { StagedChanges } from './staged';
import { activeWork } from './status';
import type { WorkDir } from './workdir';

/** SLURM is not there or said no: the CLI says so and exits 1. */
export class SlurmError extends Error {}

export interface SubmitInput {
  work: WorkDir;
  /** The plan made for this run (adopted unless the folder holds the same one). */
  plan: RoundsPlan;
  request: SlurmRequest;
  node: string;
  nodeArgs?: string[];
  cli: string;
  backend?: BackendChoice;
  env?: NodeJS.ProcessEnv;
  log: (m: string) => void;
}

export type SubmitOutcome =
  | { kind: 'submitted'; submission: SlurmSubmission; scripts: string[]; resumed: boolean }
  /** Every round was done already: nothing submitted (the caller merges here). */
  | { kind: 'done'; plan: RoundsPlan };

/** sbatch on the PATH, or why --slurm cannot run here. */
export function requireSbatch(env: NodeJS.ProcessEnv = process.env): string {
  const sbatch = findOnPath('sbatch', env.PATH);
  if (!sbatch) {
    throw new SlurmError(
      'sbatch is not on the PATH: --slurm submits the rounds from a machine of a SLURM cluster (a login node); ' +
        'nothing was written. To run them here, use --workers N.',
    );
  }
  return sbatch;
}

export function submitToSlurm(input: SubmitInput): SubmitOutcome {
  const env = input.env ?? process.env;
  const sbatch = requireSbatch(env);
  const { work, log } = input;
  const busy = activeWork(work, { env });
  if (busy.length) {
    throw new SlurmError(`${work.dir}: rounds are still running or queued here (${busy.join('; ')}); wait for them (\`rounds status ${work.dir}\`) or cancel them (scancel) first. Nothing was submitted.`);
  }
  const staged = new StagedChanges();
  let arrayJob: string | undefined;
  try {
    staged.mkdir(work.dir);
    const { plan, resumed } = adoptPlan(work, input.plan, staged, log);
    const todo = plan.rounds.map((r) => r.index).filter((i) => !work.readResult(plan.planId, i));
    if (todo.length === 0) {
      staged.commit();
      return { kind: 'done', plan };
    }
    if (resumed && todo.length < plan.rounds.length) log(`rounds: ${plan.rounds.length - todo.length} of ${plan.rounds.length} round(s) done earlier; submitting the other ${todo.length}`);
    const scripts: JobScriptInput = {
      node: input.node,
      ...(input.nodeArgs?.length ? { nodeArgs: input.nodeArgs } : {}),
      cli: input.cli,
      dir: work.dir,
      request: input.request,
      ...(input.backend ? { backend: input.backend } : {}),
    };
    staged.write(roundsScriptPath(work.dir), roundsJobScript(scripts));
    staged.write(mergeScriptPath(work.dir), mergeJobScript(scripts));
    staged.mkdir(work.logsDir);
    const roundsArgs = roundsSbatchArgs(scripts, arraySpec(todo));
    const a = runCommand(sbatch, roundsArgs, env);
    arrayJob = a.ok ? parseSbatchJobId(a.stdout) : undefined;
    if (!arrayJob) throw new SlurmError(describeFailure(a.ok ? `sbatch gave no job id for the rounds array (it printed "${a.stdout.trim()}")` : 'sbatch refused the rounds job array', a));
    const mergeArgs = mergeSbatchArgs(scripts, arrayJob);
    const m = runCommand(sbatch, mergeArgs, env);
    const mergeJob = m.ok ? parseSbatchJobId(m.stdout) : undefined;
    if (!mergeJob) throw new SlurmError(describeFailure(m.ok ? `sbatch gave no job id for the merge job (it printed "${m.stdout.trim()}")` : 'sbatch refused the merge job', m));
    const submission: SlurmSubmission = {
      planId: plan.planId,
      arrayJob,
      mergeJob,
      rounds: todo,
      submitted: new Date().toISOString(),
      commands: [
        [sbatch, ...roundsArgs],
        [sbatch, ...mergeArgs],
      ],
    };
    staged.write(work.submission, JSON.stringify(submission, null, 2) + '\n');
    staged.commit();
    return { kind: 'submitted', submission, scripts: [roundsScriptPath(work.dir), mergeScriptPath(work.dir)], resumed };
  } catch (e) {
    const notes: string[] = [];
    if (arrayJob) {
      // The array was accepted but the rest failed: its tasks must not run against a folder put back.
      const scancel = findOnPath('scancel', env.PATH);
      const c = scancel ? runCommand(scancel, [arrayJob], env) : undefined;
      notes.push(c?.ok ? `the rounds array job ${arrayJob} was cancelled` : `cancel the rounds array job ${arrayJob} by hand (scancel ${arrayJob}): ${c ? describeFailure('scancel', c) : 'scancel is not on the PATH'}`);
    }
    const problems = staged.rollback();
    notes.push(problems.length ? `the work folder could not be fully restored: ${problems.join('; ')}` : `${work.dir} is as it was`);
    const message = `${(e as Error).message}; ${notes.join('; ')}`;
    throw e instanceof SlurmError ? new SlurmError(message) : new Error(message);
  }
}
