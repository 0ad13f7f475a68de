/**
 * How well a per-landmark doubt predicts the error it goes with: pure.
 *   spearman:    rank correlation between doubt and error (ties get their mean rank);
 *   topShare:    share of the big errors (above a threshold) held by the `share` most doubtful items;
 *   coverage:    share of the items whose error stays within their doubt (a bound: 90% is the aim).
 */

/** 1-based ranks, ties given the mean of the ranks they span. */
export function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v);
  const out = new Array<number>(values.length);
  for (let s = 0; s < order.length; ) {
    let e = s;
    while (e + 1 < order.length && order[e + 1].v === order[s].v) e++;
    const r = (s + e) / 2 + 1;
    for (let k = s; k <= e; k++) out[order[k].i] = r;
    s = e + 1;
  }
  return out;
}

/** Spearman's rank correlation of two equally long lists (NaN with fewer than 2 items or no spread). */
export function spearman(xs: readonly number[], ys: readonly number[]): number {
  if (xs.length !== ys.length) throw new Error(`spearman: ${xs.length} vs ${ys.length} values`);
  const n = xs.length;
  if (n < 2) return NaN;
  const rx = ranks(xs);
  const ry = ranks(ys);
  const mean = (n + 1) / 2;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const a = rx[i] - mean;
    const b = ry[i] - mean;
    sxy += a * b;
    sxx += a * a;
    syy += b * b;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : NaN;
}

/** Share of the errors above `bigThreshold` held by the round(share * n) (at least 1) most doubtful items. */
export function topDoubtShare(doubts: readonly number[], errors: readonly number[], bigThreshold: number, share = 0.1): number {
  if (doubts.length !== errors.length) throw new Error(`topDoubtShare: ${doubts.length} doubts vs ${errors.length} errors`);
  const total = errors.filter((e) => e > bigThreshold).length;
  if (!total) return NaN;
  const k = Math.max(1, Math.round(share * doubts.length));
  const top = doubts.map((d, i) => ({ d, i })).sort((a, b) => b.d - a.d || a.i - b.i).slice(0, k);
  return top.filter((t) => errors[t.i] > bigThreshold).length / total;
}

/** Share of the items with error <= bound (NaN when there are none). */
export function coverage(bounds: readonly number[], errors: readonly number[]): number {
  if (bounds.length !== errors.length) throw new Error(`coverage: ${bounds.length} bounds vs ${errors.length} errors`);
  if (!bounds.length) return NaN;
  return errors.filter((e, i) => e <= bounds[i]).length / errors.length;
}

export interface DoubtFigures {
  spearman: number;
  /** Share of the errors above the errors' p90 held by the 10% most doubtful landmarks. */
  top10Share: number;
  /** Share of the landmarks within their doubt. */
  coverage: number;
}

/** The three figures for one dataset's landmarks; `bigThreshold` defaults to the errors' 90th percentile. */
export function doubtFigures(doubts: readonly number[], errors: readonly number[], bigThreshold?: number): DoubtFigures {
  let t = bigThreshold;
  if (t === undefined) {
    const s = [...errors].sort((a, b) => a - b);
    t = s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil(0.9 * s.length) - 1))] : NaN;
  }
  return { spearman: spearman(doubts, errors), top10Share: topDoubtShare(doubts, errors, t), coverage: coverage(doubts, errors) };
}
