/**
 * Line-chart maths for the loss curves: scales (linear or log), "nice" ticks, SVG path data.
 * Pure: no DOM, unit-tested.
 */
import type { LossPoint, StageCurve } from '../../shared/protocol/views';

export interface Scale {
  (v: number): number;
  domain: [number, number];
  log: boolean;
}

export function linearScale(d0: number, d1: number, r0: number, r1: number): Scale {
  const span = d1 - d0 || 1;
  const f = ((v: number) => r0 + ((v - d0) / span) * (r1 - r0)) as Scale;
  f.domain = [d0, d1];
  f.log = false;
  return f;
}

export function logScale(d0: number, d1: number, r0: number, r1: number): Scale {
  const l0 = Math.log10(d0);
  const l1 = Math.log10(d1);
  const span = l1 - l0 || 1;
  const f = ((v: number) => r0 + ((Math.log10(Math.max(v, d0 * 1e-3)) - l0) / span) * (r1 - r0)) as Scale;
  f.domain = [d0, d1];
  f.log = true;
  return f;
}

/** Ticks at 1, 2, 5 x 10^k covering [a, b], about `count` of them. */
export function niceTicks(a: number, b: number, count = 5): number[] {
  if (!(b > a)) return [a];
  const raw = (b - a) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(a / step) * step; v <= b + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** Decades (and 2x, 5x when few) inside [a, b] for a log axis. */
export function logTicks(a: number, b: number): number[] {
  const out: number[] = [];
  const k0 = Math.floor(Math.log10(a));
  const k1 = Math.ceil(Math.log10(b));
  const mults = k1 - k0 <= 2 ? [1, 2, 5] : [1];
  for (let k = k0; k <= k1; k++) for (const m of mults) {
    const v = m * 10 ** k;
    if (v >= a * 0.999 && v <= b * 1.001) out.push(Number(v.toPrecision(6)));
  }
  return out;
}

export interface ChartLayout {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** X and y scales for the series; y is logarithmic when the values span more than 20x. */
export function chartScales(series: LossPoint[][], epochs: number, L: ChartLayout): { x: Scale; y: Scale } {
  const pts = series.flat().filter((p) => Number.isFinite(p.y) && p.y > 0);
  // The x axis follows the data (zoomed to what ran, with room to grow), up to the planned epochs.
  const seen = Math.max(0, ...series.flat().map((p) => p.x));
  const xMax = Math.max(seen, Math.min(Math.max(epochs, 1), Math.max(5, seen * 1.25)));
  const x = linearScale(0, xMax, L.left, L.width - L.right);
  if (pts.length === 0) return { x, y: linearScale(0, 1, L.height - L.bottom, L.top) };
  let lo = Math.min(...pts.map((p) => p.y));
  let hi = Math.max(...pts.map((p) => p.y));
  if (hi / lo > 20) {
    return { x, y: logScale(lo / 1.2, hi * 1.2, L.height - L.bottom, L.top) };
  }
  const pad = (hi - lo) * 0.08 || hi * 0.1 || 1;
  lo = Math.max(0, lo - pad);
  hi = hi + pad;
  return { x, y: linearScale(lo, hi, L.height - L.bottom, L.top) };
}

/** SVG path "M x y L x y ..." of the finite points. */
export function pathData(points: LossPoint[], x: Scale, y: Scale): string {
  let d = '';
  for (const p of points) {
    if (!Number.isFinite(p.y) || (y.log && p.y <= 0)) continue;
    d += `${d ? 'L' : 'M'}${x(p.x).toFixed(1)} ${y(p.y).toFixed(1)}`;
  }
  return d;
}

/**
 * Adds a progress message to the series: the training loss at its fractional epoch position
 * (replacing the previous point at the same position), the validation loss at the epoch's end.
 */
export function addProgress(
  train: LossPoint[],
  val: LossPoint[],
  p: { epoch: number; batch: number; batches: number; trainLoss?: number; valLoss?: number },
): void {
  const x = p.epoch - 1 + p.batch / Math.max(1, p.batches);
  if (p.trainLoss !== undefined && Number.isFinite(p.trainLoss)) {
    const last = train[train.length - 1];
    if (last && Math.abs(last.x - x) < 1e-9) last.y = p.trainLoss;
    else if (!last || x > last.x) train.push({ x, y: p.trainLoss });
  }
  if (p.valLoss !== undefined && Number.isFinite(p.valLoss)) {
    const last = val[val.length - 1];
    if (last && last.x === p.epoch) last.y = p.valLoss;
    else val.push({ x: p.epoch, y: p.valLoss });
  }
}

/**
 * A multi-stage preset's progress: the stage's metric, when it sent one, appended to that stage's
 * curve at x = % of the whole training done (a stage's curves follow each other left to right).
 */
export function addStageMetric(curves: StageCurve[], p: { phase?: { name: string }; fraction?: number; metric?: { name: string; value: number } }): void {
  if (!p.phase || !p.metric || p.fraction === undefined || !Number.isFinite(p.metric.value)) return;
  const name = `${p.phase.name}: ${p.metric.name}`;
  let c = curves.find((x) => x.name === name);
  if (!c) curves.push((c = { name, points: [] }));
  const x = 100 * p.fraction;
  const last = c.points[c.points.length - 1];
  if (last && Math.abs(last.x - x) < 1e-9) last.y = p.metric.value;
  else if (!last || x > last.x) c.points.push({ x, y: p.metric.value });
}
