/**
 * `tps check <file-or-folder> [--json] [--images <dir>]`: parses TPS files (a folder: every
 * .tps/.TPS inside, recursively) and reports per file the specimen count, the distinct landmark
 * counts, errors and warnings (with line numbers), including images that cannot be found.
 * Exit code 1 when any file has errors, 2 on bad usage.
 */
import { promises as fsp } from 'fs';
import * as path from 'path';
import type { CliCommand } from './command';
import type { TpsDiagnostic } from '../shared/tps/model';
import { getField } from '../shared/tps/model';
import { createListingCache, resolveImage, unresolvedImageReason } from '../shared/dataset/images';
import { listTpsFiles, loadTpsFile } from '../shared/dataset/load';

export interface CheckIssue {
  line: number;
  /** 0-based specimen index, when the problem belongs to one. */
  specimen?: number;
  message: string;
}

export interface CheckedFile {
  path: string;
  specimens: number;
  /** Distinct landmark counts, ascending. */
  landmarks: number[];
  errors: CheckIssue[];
  warnings: CheckIssue[];
}

export interface CheckReport {
  files: CheckedFile[];
}

function issue(d: TpsDiagnostic): CheckIssue {
  return d.specimen !== undefined ? { line: d.line, specimen: d.specimen, message: d.message } : { line: d.line, message: d.message };
}

/** Checks one TPS file; `displayPath` is what the report shows. */
export async function checkTpsFile(
  file: string,
  options: { images?: string; displayPath?: string; cache?: ReturnType<typeof createListingCache> } = {},
): Promise<CheckedFile> {
  const shown = options.displayPath ?? file;
  let doc;
  try {
    doc = await loadTpsFile(file);
  } catch (e) {
    return {
      path: shown,
      specimens: 0,
      landmarks: [],
      errors: [{ line: 0, message: `cannot read: ${e instanceof Error ? e.message : String(e)}` }],
      warnings: [],
    };
  }
  const diags = [...doc.diagnostics];
  const cache = options.cache ?? createListingCache();
  for (const [index, s] of doc.specimens.entries()) {
    const image = getField(s, 'IMAGE');
    if (!image) continue;
    const found = await resolveImage(file, image, options.images, cache);
    if (!found) {
      const line = s.fields.find((f) => f.key.toUpperCase() === 'IMAGE')?.line ?? s.line;
      const reason = await unresolvedImageReason(file, image, options.images);
      // A photo that is missing may come later; a path to something that is no photo is wrong.
      const severity = reason.startsWith('image not found') ? 'warning' : 'error';
      diags.push({ severity, message: reason, line, specimen: index });
    }
  }
  diags.sort((a, b) => a.line - b.line);
  return {
    path: shown,
    specimens: doc.specimens.length,
    landmarks: [...new Set(doc.specimens.map((s) => s.landmarks.length))].sort((a, b) => a - b),
    errors: diags.filter((d) => d.severity === 'error').map(issue),
    warnings: diags.filter((d) => d.severity === 'warning').map(issue),
  };
}

/** Checks a file, or every .tps/.TPS under a folder (recursively). */
export async function checkTps(target: string, options: { images?: string } = {}): Promise<CheckReport> {
  const stat = await fsp.stat(target);
  const root = path.resolve(target);
  const files = stat.isDirectory() ? await listTpsFiles(root, { recursive: true }) : [root];
  const cache = createListingCache();
  const out: CheckedFile[] = [];
  for (const f of files) {
    const shown = stat.isDirectory() ? path.join(target, path.relative(root, f)) : target;
    out.push(await checkTpsFile(f, { images: options.images, cache, displayPath: shown }));
  }
  return { files: out };
}

function describe(f: CheckedFile): string[] {
  const lines = [`${f.path}: ${f.specimens} specimen(s), landmarks ${f.landmarks.length ? f.landmarks.join('/') : '-'}` +
    (f.errors.length || f.warnings.length ? `, ${f.errors.length} error(s), ${f.warnings.length} warning(s)` : '')];
  const where = (i: CheckIssue): string => `${f.path}:${i.line}${i.specimen !== undefined ? ` (specimen ${i.specimen + 1})` : ''}`;
  for (const e of f.errors) lines.push(`  error   ${where(e)}: ${e.message}`);
  for (const w of f.warnings) lines.push(`  warning ${where(w)}: ${w.message}`);
  return lines;
}

const USAGE = 'usage: node dist/cli.js tps check <file-or-folder> [--json] [--images <dir>]';

export const command: CliCommand = {
  async run(args: string[]): Promise<number> {
    const [sub, ...rest] = args;
    if (sub === '--help' || sub === '-h') {
      console.log(USAGE);
      return 0;
    }
    if (sub !== 'check') {
      console.error(sub ? `unknown tps subcommand "${sub}"\n${USAGE}` : USAGE);
      return 2;
    }
    let json = false;
    let images: string | undefined;
    const targets: string[] = [];
    for (let i = 0; i < rest.length; i++) {
      const a = rest[i];
      if (a === '--json') json = true;
      else if (a === '--images') images = rest[++i];
      else if (a === '--help' || a === '-h') {
        console.log(USAGE);
        return 0;
      } else if (a.startsWith('--')) {
        console.error(`unknown option ${a}\n${USAGE}`);
        return 2;
      } else targets.push(a);
    }
    if (targets.length === 0) {
      console.error(USAGE);
      return 2;
    }
    const files: CheckedFile[] = [];
    for (const t of targets) {
      try {
        files.push(...(await checkTps(t, { images })).files);
      } catch (e) {
        files.push({ path: t, specimens: 0, landmarks: [], errors: [{ line: 0, message: e instanceof Error ? e.message : String(e) }], warnings: [] });
      }
    }
    if (json) console.log(JSON.stringify({ files }));
    else {
      for (const f of files) console.log(describe(f).join('\n'));
      const bad = files.filter((f) => f.errors.length).length;
      const specimens = files.reduce((n, f) => n + f.specimens, 0);
      console.log(`${files.length} file(s), ${specimens} specimen(s), ${bad} file(s) with errors`);
    }
    return files.some((f) => f.errors.length > 0) ? 1 : 0;
  },
};
