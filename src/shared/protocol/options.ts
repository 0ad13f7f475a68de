/**
 * Declared options: each stage (and so each preset) says which options it reads, with their type,
 * default and a one-line doc. The engine resolves a profile against these declarations; the CLI
 * help and the Train wizard are generated from the same declarations (sent in `ready`), so no
 * preset is asked for an option it ignores. Pure: no Node, no tfjs.
 */

export type OptionValue = number | boolean | string;

export interface OptionDecl {
  /** Name as written in a profile and on the command line (`--option sdm.steps=3`). */
  name: string;
  type: 'number' | 'integer' | 'boolean' | 'string';
  default: OptionValue;
  /** One line for people: what it changes. */
  doc: string;
  min?: number;
  max?: number;
  /** Allowed values of a string option. */
  choices?: string[];
}

export type OptionValues = Record<string, OptionValue>;

/** A clear error naming where the bad option came from (a profile file, the command line). */
export class OptionError extends Error {}

/** Checks one value against its declaration and returns it typed; `where` names its origin. */
export function checkOption(decl: OptionDecl, value: unknown, where: string): OptionValue {
  const bad = (why: string): never => {
    throw new OptionError(`${where}: option "${decl.name}" ${why} (${decl.doc})`);
  };
  switch (decl.type) {
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      return bad(`must be true or false, got ${JSON.stringify(value)}`);
    case 'string':
      if (typeof value !== 'string') return bad(`must be a string, got ${JSON.stringify(value)}`);
      if (decl.choices && !decl.choices.includes(value)) return bad(`must be one of ${decl.choices.join(', ')}, got "${value}"`);
      return value;
    default: {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isFinite(n)) return bad(`must be a number, got ${JSON.stringify(value)}`);
      if (decl.type === 'integer' && !Number.isInteger(n)) return bad(`must be a whole number, got ${n}`);
      if (decl.min !== undefined && n < decl.min) return bad(`must be >= ${decl.min}, got ${n}`);
      if (decl.max !== undefined && n > decl.max) return bad(`must be <= ${decl.max}, got ${n}`);
      return n;
    }
  }
}

/**
 * Every declared option set: `given` over the defaults. An option that is not declared is an
 * error (a typo would otherwise be silently ignored).
 */
export function resolveOptions(decls: readonly OptionDecl[], given: Record<string, unknown>, where: string): OptionValues {
  const out: OptionValues = {};
  for (const d of decls) out[d.name] = d.default;
  for (const [k, v] of Object.entries(given)) {
    const d = decls.find((x) => x.name === k);
    if (!d) throw new OptionError(`${where}: unknown option "${k}" (known: ${decls.map((x) => x.name).join(', ') || 'none'})`);
    out[k] = checkOption(d, v, where);
  }
  return out;
}

/** `name=value` pairs from the command line, split at the first `=`. */
export function parseOptionAssignments(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new OptionError(`--option ${p}: expected name=value`);
    out[p.slice(0, eq).trim()] = p.slice(eq + 1).trim();
  }
  return out;
}
