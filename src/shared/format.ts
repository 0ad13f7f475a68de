/**
 * Numbers as people read them in progress lines and views: durations and losses. Pure, and in
 * src/shared so that the extension's messages and the webviews (training, results) say
 * "3 min 05 s" and "0.01234" the same way.
 */

/** "42 s", "3 min 05 s", "1 h 02 min"; '' when unknown. */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** A loss value with 4 significant digits (losses span orders of magnitude); '–' when unknown. */
export function formatLoss(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '–';
  return Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? v.toPrecision(4) : v.toExponential(2);
}
