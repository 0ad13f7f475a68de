/**
 * Error colours: a perceptually ordered sequential map (viridis-like, dark blue -> yellow) from
 * 0 to a robust maximum (the p95 of the errors, so one outlier does not wash out the rest).
 * Pure, unit-tested.
 */

const STOPS: [number, number, number][] = [
  [68, 1, 84],
  [72, 40, 120],
  [62, 74, 137],
  [49, 104, 142],
  [38, 130, 142],
  [31, 158, 137],
  [53, 183, 121],
  [110, 206, 88],
  [181, 222, 43],
  [253, 231, 37],
];

/** RGB of t in [0, 1] (clamped) on the map. */
export function colourAt(t: number): [number, number, number] {
  const u = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(u));
  const f = u - i;
  const a = STOPS[i];
  const b = STOPS[i + 1];
  return [0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * f)) as [number, number, number];
}

export function rgb(c: [number, number, number]): string {
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/** The value mapped to the top colour: the p95 of the finite values (at least a tiny positive number). */
export function robustMax(values: readonly (number | null)[]): number {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return 1;
  const q = v[Math.min(v.length - 1, Math.floor(0.95 * (v.length - 1) + 0.5))];
  return Math.max(q, 1e-9);
}

/** Black or white text, whichever reads better on the colour. */
export function textOn(c: [number, number, number]): string {
  const l = 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  return l > 140 ? '#000' : '#fff';
}
