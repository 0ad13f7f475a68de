/**
 * Pure helpers of "Run cross-validation rounds": the default test-set size, the progress line
 * (round i/n and what the round is doing) and the closing message. No vscode import.
 */
import type { EngineProgress, RoundsResult } from '../../shared/protocol/engine';
import { formatDuration, formatLoss } from '../../shared/format';

/** About a fifth of the images (at least 1, leaving at least 2 to train on), as rounds' test sets. */
export function defaultTestSize(images: number): number {
  const fifth = Math.max(1, Math.round(images / 5));
  return Math.max(1, Math.min(fifth, images - 2));
}

/** Number of rounds the engine runs for `images` images and test sets of `testSize`. */
export function roundCount(images: number, testSize: number): number {
  return Math.ceil(images / Math.max(1, testSize));
}

/** Why a test-set size cannot be used with `images` images, or undefined when it can. */
export function testSizeProblem(text: string, images: number): string | undefined {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return 'A whole number of images per test set';
  const n = Number(t);
  if (n < 1) return 'At least 1 image per test set';
  if (images > 0 && n > images - 2) return `At most ${images - 2}: each round trains on the other images (${images} in all, at least 2 to train on)`;
  return undefined;
}

export interface RoundsProgressView {
  /** 1-based round being run, when known. */
  round?: number;
  rounds?: number;
  /** The notification's line: "round 2/4 · epoch 3/10 · loss 0.0123". */
  text: string;
  /** 0..1 of the whole run. */
  fraction?: number;
}

const ROUND = /round (\d+)\/(\d+)/;

/**
 * The notification line and overall fraction for one engine progress event of a rounds job.
 * `current` is the round seen last: a round's own steps (decode, validate) do not name it.
 */
export function roundsProgress(p: EngineProgress, current?: { round: number; rounds: number }): RoundsProgressView {
  if (p.kind === 'step') {
    const m = ROUND.exec(p.stage);
    if (m) {
      const round = Number(m[1]);
      const rounds = Number(m[2]);
      const text = [`round ${round}/${rounds}`, p.message].filter(Boolean).join(' · ');
      return { round, rounds, text, fraction: (round - 1) / rounds };
    }
    if (p.stage === 'rounds' && p.total > 0 && p.done >= p.total) return { rounds: p.total, text: `all ${p.total} rounds done`, fraction: 1 };
    const eta = p.etaSeconds !== undefined ? ` · ETA ${formatDuration(p.etaSeconds)}` : '';
    const step = `${p.stage} ${p.done}/${p.total}${p.message ? ` · ${p.message}` : ''}${eta}`;
    if (!current) return { text: step };
    return { ...current, text: `round ${current.round}/${current.rounds} · ${step}` };
  }
  const m = ROUND.exec(p.message ?? '');
  const round = m ? Number(m[1]) : current?.round;
  const rounds = m ? Number(m[2]) : current?.rounds;
  const rest = (p.message ?? '').replace(/^round \d+\/\d+:?\s*/, '');
  const parts = [round !== undefined ? `round ${round}/${rounds}` : '', `epoch ${p.epoch}/${p.epochs}`];
  if (p.trainLoss !== undefined) parts.push(`loss ${formatLoss(p.trainLoss)}`);
  else if (rest) parts.push(rest);
  const within = Math.min(1, (p.epoch - 1 + p.batch / Math.max(1, p.batches)) / Math.max(1, p.epochs));
  return {
    round,
    rounds,
    text: parts.filter(Boolean).join(' · '),
    fraction: round !== undefined && rounds ? (round - 1 + within) / rounds : undefined,
  };
}

/** The closing message: how many rounds, the mean error, where the files are. */
export function roundsSummary(r: RoundsResult, folder: string, images?: number): string {
  const e = r.evaluation;
  const head = r.cancelled
    ? `Cross-validation cancelled in round ${r.rounds}: ${e.matched}${images ? ` of ${images}` : ''} images tested.`
    : `Cross-validation: ${r.rounds} rounds, every image tested once (${e.matched} images).`;
  const err = ` Mean error ${e.mean.toFixed(2)} px (median ${e.median.toFixed(2)}, p90 ${e.p90.toFixed(2)})${e.meanScaled !== undefined ? `, ${e.meanScaled.toPrecision(3)} in SCALE units` : ''}.`;
  return `${head}${err} Files in ${folder}: predicted.tps, evaluation.json, round models (${formatDuration(r.seconds)}).`;
}
