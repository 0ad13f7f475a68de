/**
 * Landmark subsets written the way biologists write them: 1-based numbers and ranges,
 * `2-5,7,8,10,11` (the paper's scenario 2 keeps these of the body's 11). Pure.
 */

/** 0-based indices of `text`, in the order written; an error message naming the bad part. */
export function parseLandmarkSubset(text: string, available?: number): { subset: number[] } | { error: string } {
  const subset: number[] = [];
  const parts = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (parts.length === 0) return { error: 'no landmark numbers: write them like 1,2,5-8' };
  for (const part of parts) {
    const r = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(part);
    if (!r) return { error: `"${part}" is not a landmark number or range: write them like 1,2,5-8` };
    const a = Number(r[1]);
    const b = r[2] ? Number(r[2]) : a;
    if (a < 1 || b < a) return { error: `"${part}": a range goes from 1 upwards, low to high` };
    if (available !== undefined && b > available) return { error: `"${part}": there are only ${available} landmarks` };
    for (let i = a; i <= b; i++) subset.push(i - 1);
  }
  const seen = new Set<number>();
  for (const i of subset) {
    if (seen.has(i)) return { error: `landmark ${i + 1} is listed twice` };
    seen.add(i);
  }
  return { subset };
}

/** The text that `parseLandmarkSubset` reads back as `subset` (runs written as ranges). */
export function formatLandmarkSubset(subset: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < subset.length; ) {
    let j = i;
    while (j + 1 < subset.length && subset[j + 1] === subset[j] + 1) j++;
    parts.push(j > i ? `${subset[i] + 1}-${subset[j] + 1}` : `${subset[i] + 1}`);
    i = j + 1;
  }
  return parts.join(',');
}
