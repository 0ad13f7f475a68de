/**
 * Pairing manual and predicted specimens by name (see ../names.ts for what a name ignores).
 * Each specimen offers names in priority order (IMAGE=, then ID=, then the TPS file name for a
 * one-specimen file). A first pass pairs by each side's first name; a second pass pairs what is
 * left by any of their names. A name used by several specimens on one side is reported, and its
 * specimens pair in file order. Pure.
 */
import { specimenKey } from '../names';

export interface Named<T> {
  /** Names in priority order; empty strings are ignored. */
  names: string[];
  /** What reports show. */
  label: string;
  value: T;
}

export interface Matched<A, B> {
  manual: Named<A>;
  predicted: Named<B>;
  /** The key they share. */
  key: string;
}

export interface MatchResult<A, B> {
  pairs: Matched<A, B>[];
  unmatchedManual: Named<A>[];
  unmatchedPredicted: Named<B>[];
  /** Human-readable notes on ambiguous names. */
  warnings: string[];
}

function keysOf<T>(s: Named<T>): string[] {
  const out: string[] = [];
  for (const n of s.names) {
    const k = n ? specimenKey(n) : '';
    if (k && !out.includes(k)) out.push(k);
  }
  return out;
}

export function matchSpecimens<A, B>(manual: readonly Named<A>[], predicted: readonly Named<B>[]): MatchResult<A, B> {
  const mKeys = manual.map(keysOf);
  const pKeys = predicted.map(keysOf);
  const warnings: string[] = [];
  const duplicates = (keys: string[][], items: readonly Named<unknown>[], side: string): void => {
    const seen = new Map<string, string[]>();
    keys.forEach((k, i) => {
      if (!k[0]) return;
      const list = seen.get(k[0]) ?? [];
      list.push(items[i].label);
      seen.set(k[0], list);
    });
    for (const [k, labels] of seen) {
      if (labels.length > 1) warnings.push(`${side}: ${labels.length} specimens share the name "${k}" (${labels.slice(0, 3).join(', ')}${labels.length > 3 ? ', ...' : ''})`);
    }
  };
  duplicates(mKeys, manual, 'manual');
  duplicates(pKeys, predicted, 'predicted');

  const usedM = new Array<boolean>(manual.length).fill(false);
  const usedP = new Array<boolean>(predicted.length).fill(false);
  const pairs: Matched<A, B>[] = [];
  const pass = (keysOfP: (i: number) => string[], keysOfM: (i: number) => string[]): void => {
    const index = new Map<string, number[]>();
    predicted.forEach((_, j) => {
      if (usedP[j]) return;
      for (const k of keysOfP(j)) {
        const list = index.get(k) ?? [];
        list.push(j);
        index.set(k, list);
      }
    });
    manual.forEach((m, i) => {
      if (usedM[i]) return;
      for (const k of keysOfM(i)) {
        const j = (index.get(k) ?? []).find((c) => !usedP[c]);
        if (j !== undefined) {
          usedM[i] = true;
          usedP[j] = true;
          pairs.push({ manual: m, predicted: predicted[j], key: k });
          return;
        }
      }
    });
  };
  pass((j) => pKeys[j].slice(0, 1), (i) => mKeys[i].slice(0, 1));
  pass((j) => pKeys[j], (i) => mKeys[i]);
  return {
    pairs,
    unmatchedManual: manual.filter((_, i) => !usedM[i]),
    unmatchedPredicted: predicted.filter((_, j) => !usedP[j]),
    warnings,
  };
}
