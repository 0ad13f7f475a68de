/**
 * The state of a round from what can be seen of it: its files in the work folder and, on
 * SLURM, what squeue and sacct say of its array task. Pure (the caller reads files and runs the
 * commands), so the rules are tested on every combination, and the text output of squeue and
 * sacct is parsed here.
 *
 * The rules, first match wins:
 *   1. a complete result file                        -> done
 *   2. squeue lists the task as running / pending    -> running / pending (the live queue beats
 *      the files: a resubmitted round still has the failure file of its last attempt)
 *   3. a failure file                                -> failed, with its error
 *   4. a running marker: its process alive           -> running; known dead -> failed (ended
 *      without a result: killed, out of memory); cannot tell (another host, no queue) -> running
 *   5. submitted to SLURM, the queue known, the task no longer in it -> failed, with sacct's
 *      state when it has one (TIMEOUT, OUT_OF_MEMORY, ...), else "ended without a result"
 *   6. submitted, the queue unknown (no squeue here)  -> pending, saying the queue is unknown
 *   7. otherwise                                      -> pending
 */
import type { RoundFailure, RoundRunning, RoundState, RoundStatus } from '../protocol/rounds';

export interface QueueEntry {
  state: string;
  reason?: string;
}

export interface AcctEntry {
  state: string;
  exitCode?: string;
}

export interface RoundEvidence {
  index: number;
  name: string;
  images: number;
  result?: { meanPx: number; seconds: number; host?: string };
  failure?: RoundFailure;
  running?: RoundRunning;
  /** Whether the running marker's process is alive: known on its own host only. */
  runningAlive?: boolean;
  /** When the latest SLURM submission covers this round. */
  slurm?: { job: string; queueKnown: boolean; queue?: QueueEntry; acct?: AcctEntry };
  log?: string;
}

const RUNNING_STATES = new Set(['RUNNING', 'COMPLETING', 'CONFIGURING', 'RESIZING', 'SIGNALING', 'STAGE_OUT']);
const PENDING_STATES = new Set(['PENDING', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED', 'SUSPENDED', 'STOPPED', 'RESV_DEL_HOLD', 'SPECIAL_EXIT']);

/** squeue / sacct state in the classes a round state needs (unknown words count as ended). */
export function queueClass(state: string): 'running' | 'pending' | 'ended' {
  const s = state.trim().split(/\s+/)[0]?.toUpperCase() ?? '';
  if (RUNNING_STATES.has(s)) return 'running';
  if (PENDING_STATES.has(s)) return 'pending';
  return 'ended';
}

export function roundStatus(e: RoundEvidence): RoundStatus {
  const base: RoundStatus = { index: e.index, name: e.name, state: 'pending', images: e.images, ...(e.log ? { log: e.log } : {}) };
  const job = e.slurm ? { job: e.slurm.job } : {};
  const at = (state: RoundState, extra: Partial<RoundStatus> = {}): RoundStatus => ({ ...base, ...job, state, ...extra });
  if (e.result) return at('done', { meanPx: e.result.meanPx, seconds: e.result.seconds, ...(e.result.host ? { host: e.result.host } : {}) });
  const queue = e.slurm?.queue;
  if (queue) {
    const cls = queueClass(queue.state);
    const detail = `SLURM ${queue.state}${queue.reason && queue.reason !== 'None' ? ` (${queue.reason})` : ''}`;
    if (cls === 'running') return at('running', { detail, ...(e.running ? { host: e.running.host, pid: e.running.pid } : {}) });
    if (cls === 'pending') return at('pending', { detail });
  }
  if (e.failure) return at('failed', { error: e.failure.error, host: e.failure.host, ...(e.failure.log ? { log: e.failure.log } : {}) });
  if (e.running) {
    const who = { host: e.running.host, pid: e.running.pid };
    if (e.runningAlive === false) {
      return at('failed', { ...who, error: `the job (pid ${e.running.pid} on ${e.running.host}) ended without a result: killed, or out of memory? See the log` });
    }
    if (e.runningAlive === true || !e.slurm?.queueKnown) return at('running', who);
    // On SLURM with the queue known: not in the queue any more (rule 2 did not match).
    return at('failed', { ...who, error: endedWithoutResult(e.slurm.acct) });
  }
  if (e.slurm) {
    if (e.slurm.queueKnown) return at('failed', { error: endedWithoutResult(e.slurm.acct) });
    return at('pending', { detail: 'submitted to SLURM; squeue is not available here to say more' });
  }
  return at('pending');
}

function endedWithoutResult(acct: AcctEntry | undefined): string {
  if (acct && queueClass(acct.state) === 'ended' && !/^COMPLETED/i.test(acct.state)) {
    return `the SLURM task ended ${acct.state}${acct.exitCode ? ` (exit ${acct.exitCode})` : ''} without a result; see the log`;
  }
  // Also what NFS attribute caching looks like for a minute after a task wrote its result.
  return 'the SLURM task ended without a result file; see the log';
}

export function countStates(rounds: readonly RoundStatus[]): Record<RoundState, number> {
  const counts: Record<RoundState, number> = { pending: 0, running: 0, done: 0, failed: 0 };
  for (const r of rounds) counts[r.state]++;
  return counts;
}

/** Sorted distinct indices as a SLURM array spec: [0,1,2,3,5] -> "0-3,5". */
export function arraySpec(indices: readonly number[]): string {
  const sorted = [...new Set(indices)].sort((a, b) => a - b);
  if (sorted.length === 0 || sorted.some((i) => !Number.isInteger(i) || i < 0)) throw new Error(`array spec of ${JSON.stringify(indices)}: need indices >= 0`);
  const parts: string[] = [];
  let start = sorted[0];
  let prev = start;
  for (const i of [...sorted.slice(1), Number.NaN]) {
    if (i === prev + 1) {
      prev = i;
      continue;
    }
    parts.push(start === prev ? String(start) : `${start}-${prev}`);
    start = i;
    prev = i;
  }
  return parts.join(',');
}

/** "1-3,5" (optionally with a "%N" throttle) -> [1,2,3,5]. */
export function parseArraySpec(spec: string): number[] {
  const out: number[] = [];
  for (const part of spec.replace(/%\d+$/, '').split(',')) {
    const m = /^(\d+)(?:-(\d+))?(?::(\d+))?$/.exec(part.trim());
    if (!m) throw new Error(`array spec "${spec}": cannot read "${part}"`);
    const a = Number(m[1]);
    const b = m[2] !== undefined ? Number(m[2]) : a;
    const step = m[3] !== undefined ? Number(m[3]) : 1;
    for (let i = a; i <= b; i += step) out.push(i);
  }
  return out;
}

/**
 * Expands a job id as squeue / sacct print it into one key per array task:
 * "123_4" -> ["123_4"], "123_[0-2,5%2]" -> ["123_0", "123_1", "123_2", "123_5"], "124" -> ["124"].
 */
export function expandJobIds(id: string): string[] {
  const m = /^(\d+)_\[(.+)\]$/.exec(id.trim());
  if (!m) return [id.trim()];
  return parseArraySpec(m[2]).map((i) => `${m[1]}_${i}`);
}

/** `squeue -h -r -o '%i|%T|%r'` output -> job key -> state and reason. */
export function parseSqueue(text: string): Map<string, QueueEntry> {
  const out = new Map<string, QueueEntry>();
  for (const line of text.split(/\r?\n/)) {
    const [id, state, reason] = line.split('|').map((s) => s.trim());
    if (!id || !state) continue;
    for (const key of expandJobIds(id)) out.set(key, { state, ...(reason ? { reason } : {}) });
  }
  return out;
}

/** `sacct -n -P -X -o JobID,State,ExitCode` output -> job key -> state and exit code. */
export function parseSacct(text: string): Map<string, AcctEntry> {
  const out = new Map<string, AcctEntry>();
  for (const line of text.split(/\r?\n/)) {
    const [id, state, exitCode] = line.split('|').map((s) => s.trim());
    if (!id || !state) continue;
    for (const key of expandJobIds(id)) out.set(key, { state, ...(exitCode ? { exitCode } : {}) });
  }
  return out;
}

/** The job id `sbatch --parsable` prints ("123" or "123;cluster"), or undefined. */
export function parseSbatchJobId(stdout: string): string | undefined {
  const m = /^\s*(\d+)(?:;\S+)?\s*$/.exec(stdout.trim().split(/\r?\n/).pop() ?? '');
  return m ? m[1] : undefined;
}
