/**
 * The merge of a plan's rounds: every round's test predictions, in round order, into one
 * evaluation over all images (`evaluation.json`), one `predicted.tps`, and `merged.json` saying
 * whether every round was in. The same code ends the in-process rounds, so rounds run on
 * workers or on SLURM give the same files as rounds run one after the other.
 *
 * Rounds that are not done are left out and named (a failed round is reported, the others
 * count); the result says `complete: false` and the CLI exits 1.
 */
import type { TpsSpecimen } from '../../shared/tps/model';
import { writeTps } from '../../shared/tps/write';
import type { MergeSummary, RoundResultFile, RoundsMergeResult, RoundsPlan } from '../../shared/protocol/rounds';
import { writeFileAtomicSync } from '../../shared/node/atomic-write';
import { predictionSpecimen } from '../predict';
import { summarise, type PixelComparison } from '../train/pixel-errors';
import type { Evaluation } from '../../shared/metrics/evaluation';
import { roundStage } from './round';
import type { WorkDir } from './workdir';

export interface MergedRounds {
  rows: PixelComparison[];
  specimens: TpsSpecimen[];
  done: number[];
  evaluation: Evaluation;
}

/** Pure: the rows and TPS specimens of the done rounds in round order, and the evaluation over them. */
export function mergeResults(plan: RoundsPlan, results: readonly (RoundResultFile | undefined)[], dir: string, predictedTps: string): MergedRounds {
  const rows: PixelComparison[] = [];
  const specimens: TpsSpecimen[] = [];
  const done: number[] = [];
  for (const [i, r] of results.entries()) {
    if (!r) continue;
    done.push(i);
    const stage = roundStage(plan, i);
    for (const row of r.rows) {
      rows.push(row);
      const prediction = {
        landmarks: row.predicted,
        width: row.width,
        height: row.height,
        ...(row.confidence !== undefined ? { confidence: row.confidence } : {}),
        ...(row.spreadPx ? { spreadPx: row.spreadPx } : {}),
      };
      specimens.push(predictionSpecimen(row.image, prediction, dir, specimens.length, `${stage}, predicted by ${r.name} (preset ${r.preset})`));
    }
  }
  return { rows, specimens, done, evaluation: summarise(rows, plan.data, predictedTps) };
}

export interface MergeOptions {
  /** Round results held in memory (a cancelled in-process round), used before the files. */
  extra?: ReadonlyMap<number, RoundResultFile>;
  /**
   * Seconds to wait for rounds that have neither a result nor a failure file: on a shared file
   * system a file another node just wrote can take a while to appear (NFS caches directory
   * entries). The SLURM merge job waits; a person's `rounds merge` does not.
   */
  settleSeconds?: number;
  log?: (m: string) => void;
}

function readAll(work: WorkDir, plan: RoundsPlan, extra: ReadonlyMap<number, RoundResultFile> | undefined): (RoundResultFile | undefined)[] {
  return plan.rounds.map((r) => extra?.get(r.index) ?? work.readResult(plan.planId, r.index));
}

export async function mergeWorkDir(work: WorkDir, opts: MergeOptions = {}): Promise<RoundsMergeResult> {
  const started = Date.now();
  const plan = work.readPlan();
  let results = readAll(work, plan, opts.extra);
  const unaccounted = (): number[] => plan.rounds.filter((r) => !results[r.index] && !work.readFailure(plan.planId, r.index)).map((r) => r.index);
  const deadline = started + (opts.settleSeconds ?? 0) * 1000;
  while (unaccounted().length > 0 && Date.now() < deadline) {
    opts.log?.(`merge: waiting for the files of round(s) ${unaccounted().map((i) => i + 1).join(', ')}`);
    await new Promise((r) => setTimeout(r, Math.min(5000, Math.max(0, deadline - Date.now()))));
    results = readAll(work, plan, opts.extra);
  }
  const notDone: MergeSummary['notDone'] = plan.rounds
    .filter((r) => !results[r.index])
    .map((r) => {
      const failure = work.readFailure(plan.planId, r.index);
      if (failure) return { index: r.index, state: 'failed' as const, error: failure.error };
      return { index: r.index, state: work.readRunning(plan.planId, r.index) ? ('running' as const) : ('pending' as const) };
    });
  if (notDone.length === plan.rounds.length) {
    const why = notDone.map((n) => `${roundStage(plan, n.index)} ${n.state}${n.error ? `: ${n.error}` : ''}`).join('; ');
    throw new Error(`${work.dir}: no round has finished, nothing to merge (${why})`);
  }
  const merged = mergeResults(plan, results, work.dir, work.predictedTps);
  writeFileAtomicSync(work.predictedTps, writeTps({ specimens: merged.specimens, diagnostics: [], eol: '\n', finalNewline: true }));
  writeFileAtomicSync(work.evaluation, JSON.stringify(merged.evaluation, null, 2) + '\n');
  const summary: MergeSummary = {
    planId: plan.planId,
    // A round held in memory only (cancelled) is not a finished round of the plan.
    complete: notDone.length === 0 && !opts.extra?.size,
    done: merged.done,
    notDone,
    images: merged.evaluation.matched,
    meanPx: merged.evaluation.mean,
    predictedTps: work.predictedTps,
    evaluation: work.evaluation,
    at: new Date().toISOString(),
  };
  work.writeJson(work.merged, summary);
  return {
    kind: 'rounds',
    rounds: merged.done.length,
    roundDirs: merged.done.map((i) => work.modelDir(i)),
    evaluation: merged.evaluation,
    predictedTps: work.predictedTps,
    seconds: (Date.now() - started) / 1000,
    complete: summary.complete,
    notDone,
  };
}
