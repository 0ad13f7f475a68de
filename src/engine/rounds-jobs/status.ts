/**
 * `rounds status <dir>`: every round's state from the work folder's files and, when the rounds
 * were submitted to SLURM, from squeue and sacct (rules in src/shared/rounds/state.ts). Also
 * what runs now, so that a new start refuses to run rounds twice.
 */
import * as fs from 'fs';
import * as os from 'os';
import type { RoundsPlan, RoundsStatus, RoundStatus } from '../../shared/protocol/rounds';
import { countStates, queueClass, roundStatus, type AcctEntry, type QueueEntry, type RoundEvidence } from '../../shared/rounds/state';
import { querySlurm, type QueueView } from './slurm';
import { processAlive, type WorkDir } from './workdir';

export interface StatusOptions {
  /** Environment for squeue / sacct (PATH, SLURM_CONF). */
  env?: NodeJS.ProcessEnv;
  /** Ask squeue / sacct (default true). */
  queue?: boolean;
}

/** A task squeue still lists after it ended says how it ended, as sacct would (when there is no accounting). */
function ended(q: QueueEntry | undefined): AcctEntry | undefined {
  return q && queueClass(q.state) === 'ended' ? { state: q.state } : undefined;
}

export function planStatus(work: WorkDir, plan: RoundsPlan, opts: StatusOptions = {}): RoundsStatus {
  const submission = work.readSubmission();
  const slurm = submission && submission.planId === plan.planId ? submission : undefined;
  const view: QueueView | undefined = slurm && opts.queue !== false ? querySlurm([slurm.arrayJob, slurm.mergeJob], opts.env) : undefined;
  const host = os.hostname();
  const rounds: RoundStatus[] = plan.rounds.map((r) => {
    const result = work.readResult(plan.planId, r.index);
    const running = work.readRunning(plan.planId, r.index);
    const covered = slurm?.rounds.includes(r.index);
    const job = covered && slurm ? `${slurm.arrayJob}_${r.index}` : undefined;
    const logs = [...(job ? [work.slurmLog(job)] : []), work.workerLog(r.index)];
    const evidence: RoundEvidence = {
      index: r.index,
      name: r.name,
      images: r.test.length,
      ...(result ? { result: { meanPx: result.meanPx, seconds: result.seconds, host: result.host } } : {}),
      failure: work.readFailure(plan.planId, r.index),
      running,
      ...(running && running.host === host ? { runningAlive: processAlive(running.pid) } : {}),
      ...(job
        ? { slurm: { job, queueKnown: view?.squeue !== undefined, queue: view?.squeue?.get(job), acct: view?.sacct?.get(job) ?? ended(view?.squeue?.get(job)) } }
        : {}),
      log: logs.find((l) => fs.existsSync(l)),
    };
    return roundStatus(evidence);
  });
  const merged = work.readMerged(plan.planId);
  const mergeState = slurm ? (view?.squeue?.get(slurm.mergeJob)?.state ?? view?.sacct?.get(slurm.mergeJob)?.state) : undefined;
  return {
    kind: 'rounds-status',
    dir: work.dir,
    planId: plan.planId,
    data: plan.data,
    testSize: plan.testSize,
    rounds,
    counts: countStates(rounds),
    ...(slurm
      ? {
          slurm: {
            arrayJob: slurm.arrayJob,
            mergeJob: slurm.mergeJob,
            ...(mergeState ? { mergeState } : {}),
            squeue: view?.squeue !== undefined,
            sacct: view?.sacct !== undefined,
          },
        }
      : {}),
    ...(merged
      ? { merged: { complete: merged.complete, meanPx: merged.meanPx, images: merged.images, at: merged.at, evaluation: merged.evaluation, predictedTps: merged.predictedTps } }
      : {}),
  };
}

export function workDirStatus(work: WorkDir, opts: StatusOptions = {}): RoundsStatus {
  return planStatus(work, work.readPlan(), opts);
}

/**
 * What runs or waits in a queue in this folder now, for a start to refuse (two jobs on one
 * round would write the same model folder). Empty when nothing does or there is no plan.
 */
export function activeWork(work: WorkDir, opts: StatusOptions = {}): string[] {
  const plan = work.tryReadPlan();
  if (!plan) return [];
  const status = planStatus(work, plan, opts);
  const busy = status.rounds
    // A pending round of a submission that squeue answers for is in the queue (out of it, rule 5
    // makes it failed); without squeue nothing can be known, and nothing is refused.
    .filter((r) => r.state === 'running' || (r.state === 'pending' && r.job !== undefined && status.slurm?.squeue === true))
    .map((r) => {
      if (r.job) return `round ${r.index + 1} ${r.state} (SLURM ${r.job})`;
      // A job on another machine that died cannot be seen from here: say how to release its round.
      const remote = r.host !== undefined && r.host !== os.hostname();
      return `round ${r.index + 1} running (pid ${r.pid} on ${r.host}${remote ? `; if that job is gone, remove ${work.running(r.index)}` : ''})`;
    });
  if (status.slurm?.mergeState && queueClass(status.slurm.mergeState) !== 'ended') busy.push(`merge job ${status.slurm.mergeJob} ${status.slurm.mergeState}`);
  return busy;
}
