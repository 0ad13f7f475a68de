/**
 * Small text helpers of the workbench: input sizes, file stamps and names. Pure. (Durations and
 * losses, which the webviews write too: src/shared/format.ts.)
 */

/** Parses "WxH" (e.g. "256x192") into [w, h]; undefined for '' and throws on malformed text. */
export function parseInputSize(text: string): [number, number] | undefined {
  const t = text.trim();
  if (!t) return undefined;
  const m = /^(\d+)\s*[xX×]\s*(\d+)$/.exec(t);
  if (!m) throw new Error(`input size "${text}" is not WIDTHxHEIGHT, e.g. 256x192`);
  const w = Number(m[1]);
  const h = Number(m[2]);
  if (w < 16 || h < 16 || w > 4096 || h > 4096) throw new Error(`input size ${w}x${h} is out of range (16..4096)`);
  return [w, h];
}

/** A timestamp usable in file names: 20261125-204233. */
export function fileStamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** A file-name-safe slug of a dataset name. */
export function slug(name: string): string {
  return name.replace(/\.[^.]+$/, '').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'model';
}

/**
 * A name for a new file in a folder that does not exist yet: `base.ext`, else `base-2.ext`, ...
 * `exists` is asked about candidate names (file names only).
 */
export function freeName(base: string, ext: string, exists: (name: string) => boolean): string {
  if (!exists(`${base}${ext}`)) return `${base}${ext}`;
  for (let i = 2; i < 10000; i++) {
    const n = `${base}-${i}${ext}`;
    if (!exists(n)) return n;
  }
  throw new Error(`no free file name for ${base}${ext}`);
}
