/**
 * Number formats shared by the result and training views. (Durations and losses, which the
 * extension's messages write too: src/shared/format.ts.)
 */

export function fmt(v: number | undefined, digits = 2): string {
  return v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits);
}
