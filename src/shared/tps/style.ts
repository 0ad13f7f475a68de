/**
 * How a TPS file writes its numbers, so a landmark moved in the editor is written the way the
 * rest of the file is: tpsDig's `1886.00000` keeps 5 decimals, integer files stay integers,
 * ml-morph's `290.` keeps its trailing dot, and files of shortest-form floats (`115.309633027523`,
 * `2129.25 1734`) get the shortest text that reads back as the value. Pure.
 */
import { formatNumber } from './write';

/**
 * `fixed`: (nearly) every coordinate has `decimals` digits after the point (`trailingDot`: `290.`).
 * `free`: the file's digits vary (shortest-form writers) or it uses exponents.
 */
export type NumberStyle = { kind: 'fixed'; decimals: number; trailingDot: boolean } | { kind: 'free' };

/**
 * `file`: round a moved landmark to the file's own decimals (an integer file gets integers).
 * `subpixel`: keep the value's own decimals (at least the file's), e.g. 2 for a photo.
 */
export type CoordinatePrecision = 'file' | 'subpixel';

const PLAIN = /^[+-]?(\d*)(\.(\d*))?$/;

/** Share of the coordinates that must agree before a file counts as fixed-decimal. */
const FIXED_SHARE = 0.9;

/** The style of these number tokens (as written in the file); `free` when there are none. */
export function detectNumberStyle(tokens: readonly string[]): NumberStyle {
  const tally = new Map<string, number>();
  let counted = 0;
  for (const t of tokens) {
    const m = PLAIN.exec(t);
    if (!m || (m[1] === '' && !m[3])) {
      if (/^[+-]?(?:\d|\.\d)/.test(t)) counted++; // 3.13E-001: a number, but in no fixed style
      continue;
    }
    counted++;
    const decimals = m[3]?.length ?? 0;
    const key = `${decimals}${m[2] !== undefined && decimals === 0 ? '.' : ''}`;
    tally.set(key, (tally.get(key) ?? 0) + 1);
  }
  let best = '';
  let n = 0;
  for (const [k, c] of tally) if (c > n) [best, n] = [k, c];
  if (counted === 0 || n < FIXED_SHARE * counted) return { kind: 'free' };
  return { kind: 'fixed', decimals: parseInt(best, 10), trailingDot: best.endsWith('.') };
}

/** Digits after the point in the shortest text of `v`; undefined when that text has an exponent. */
function ownDecimals(v: number): number | undefined {
  const s = formatNumber(v);
  if (/e/i.test(s)) return undefined;
  const dot = s.indexOf('.');
  return dot < 0 ? 0 : s.length - dot - 1;
}

/** toFixed without a "-0.00" for values that round to zero. */
function fixed(v: number, decimals: number): string {
  const s = v.toFixed(decimals);
  return Number(s) === 0 ? s.replace(/^-/, '') : s;
}

/** Largest decimals toFixed writes without showing a double's binary noise for pixel values. */
const MAX_FIXED_DECIMALS = 10;

/** The text of coordinate `v` in `style`. Throws RangeError for non-finite values. */
export function formatCoordinate(v: number, style: NumberStyle, precision: CoordinatePrecision = 'file'): string {
  if (!Number.isFinite(v)) throw new RangeError(`cannot write ${v} as a TPS coordinate`);
  if (style.kind === 'free' || style.decimals > MAX_FIXED_DECIMALS) return formatNumber(v);
  let decimals = style.decimals;
  if (precision === 'subpixel') {
    const own = ownDecimals(v);
    if (own === undefined || own > MAX_FIXED_DECIMALS) return formatNumber(v);
    decimals = Math.max(decimals, own);
  }
  const s = fixed(v, decimals);
  return decimals === 0 && style.trailingDot ? `${s}.` : s;
}

/** The value `formatCoordinate` text reads back as (what the file will hold). */
export function writtenValue(v: number, style: NumberStyle, precision: CoordinatePrecision = 'file'): number {
  return Number(formatCoordinate(v, style, precision));
}
