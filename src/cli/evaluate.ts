/**
 * `evaluate --manual <tps-or-dir> --predicted <tps-or-dir> [--json] [--worst N] [--csv <file>]`
 * Prints the per-landmark error table (mean, median, p90, max in pixels; SCALE units when the
 * specimens have SCALE), the worst images and the unmatched specimens. With --json, prints the
 * engine's EvaluationResult as JSON:
 *   {"landmarks":[{"index":1,"mean":..,"median":..,"p90":..,"count":..,"missing":..,"max":..}],
 *    "mean":..,"median":..,"p90":..,"matched":N,"images":[...worst first],"unmatchedManual":[...],
 *    "unmatchedPredicted":[...],"manualPath":..,"predictedPath":..,...}
 * Statistics with no data are null in JSON. Exit 0 when at least one specimen matched, 1 when
 * none did or an input cannot be read, 2 on bad usage.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import type { CliCommand } from './command';
import { evaluateFiles } from '../engine/evaluate';
import type { Evaluation } from '../shared/metrics/evaluation';
import { evaluationCsv } from '../shared/metrics/csv';
import { writeFileAtomicSync } from '../shared/node/atomic-write';

const USAGE = [
  'usage: evaluate --manual <tps-or-folder> --predicted <tps-or-folder> [--json] [--worst N] [--csv <file>]',
  '',
  'Compares predicted landmarks with manual ones, specimen by specimen (matched by image name:',
  'IMAGE=, else ID=, else the file name of one-specimen TPS files; folder, extension, case and',
  'leading zeros ignored). Errors are Euclidean distances in the TPS files\' pixels.',
  '',
  '  --manual <path>     manual landmarks: a TPS file or a folder of TPS files',
  '  --predicted <path>  predicted landmarks: a TPS file or a folder of TPS files',
  '  --json              print the result as JSON',
  '  --worst N           how many worst images to list (default 10)',
  '  --csv <file>        also write one CSV row per image (worst first): mean, max, each landmark\'s',
  '                      error in px, and in SCALE units when the specimens have SCALE',
  '  --landmarks-csv <file>  also write the per-landmark table as CSV (the same file as VS Code\'s',
  '                      Export CSV, per landmark)',
].join('\n');

function num(v: number | undefined, digits = 3): string {
  return v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits);
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : ' '.repeat(n - s.length) + s;
}

/** The readable report. */
export function formatEvaluation(e: Evaluation, worst = 10): string {
  const lines: string[] = [];
  lines.push(`manual:    ${e.manualPath}`);
  lines.push(`predicted: ${e.predictedPath}`);
  lines.push(`matched ${e.matched} specimens, ${e.landmarkCount} landmarks each; errors in pixels`);
  const scaled = e.meanScaled !== undefined;
  const head = ['landmark', 'n', 'missing', 'mean', 'median', 'p90', 'max'];
  if (scaled) head.push('mean*S', 'median*S', 'p90*S');
  const widths = head.map((h) => Math.max(9, h.length + 1));
  const row = (cells: string[]): string => cells.map((c, i) => pad(c, widths[i])).join(' ');
  lines.push('');
  lines.push(row(head));
  for (const l of e.landmarks) {
    const cells = [String(l.index), String(l.count), String(l.missing), num(l.mean), num(l.median), num(l.p90), num(l.max)];
    if (scaled) cells.push(num(l.meanScaled, 4), num(l.medianScaled, 4), num(l.p90Scaled, 4));
    lines.push(row(cells));
  }
  const all = ['all', String(e.count), String(e.missing), num(e.mean), num(e.median), num(e.p90), num(e.max)];
  if (scaled) all.push(num(e.meanScaled, 4), num(e.medianScaled, 4), num(e.p90Scaled, 4));
  lines.push(row(all));
  if (scaled) lines.push(`(*S: in SCALE units, over the ${e.scaledCount} landmark errors of specimens with SCALE)`);
  if (e.missing > 0) lines.push(`${e.missing} landmark(s) missing on one side were left out of the statistics`);
  if (e.images.length && worst > 0) {
    lines.push('');
    lines.push(`worst images (mean error, worst landmark):`);
    const nameWidth = Math.min(40, Math.max(...e.images.slice(0, worst).map((i) => i.name.length)));
    for (const img of e.images.slice(0, worst)) {
      lines.push(`  ${img.name.padEnd(nameWidth)}  ${pad(num(img.mean), 9)}   landmark ${img.worstLandmark}: ${num(img.max)}${img.missing ? `   (${img.missing} missing)` : ''}`);
    }
  }
  const list = (title: string, names: string[]): void => {
    if (names.length === 0) return;
    lines.push('');
    lines.push(`${title} (${names.length}): ${names.slice(0, 20).join(', ')}${names.length > 20 ? ', ...' : ''}`);
  };
  list('unmatched manual', e.unmatchedManual);
  list('unmatched predicted', e.unmatchedPredicted);
  list('excluded', e.excluded.map((x) => `${x.name} (${x.why})`));
  if (e.warnings.length) {
    lines.push('');
    lines.push('warnings:');
    for (const w of e.warnings.slice(0, 20)) lines.push(`  ${w}`);
    if (e.warnings.length > 20) lines.push(`  ... and ${e.warnings.length - 20} more`);
  }
  return lines.join('\n');
}

export const command: CliCommand = {
  async run(args: string[]): Promise<number> {
    let values: {
      manual?: string;
      predicted?: string;
      json?: boolean;
      worst?: string;
      csv?: string;
      'landmarks-csv'?: string;
      help?: boolean;
    };
    try {
      ({ values } = parseArgs({
        args,
        options: {
          manual: { type: 'string' },
          predicted: { type: 'string' },
          json: { type: 'boolean' },
          worst: { type: 'string' },
          csv: { type: 'string' },
          'landmarks-csv': { type: 'string' },
          help: { type: 'boolean', short: 'h' },
        },
        strict: true,
        allowPositionals: false,
      }));
    } catch (e) {
      console.error(`evaluate: ${(e as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    if (!values.manual || !values.predicted) {
      console.error(`evaluate: --manual and --predicted are required\n\n${USAGE}`);
      return 2;
    }
    const worst = values.worst === undefined ? 10 : Number(values.worst);
    if (!Number.isInteger(worst) || worst < 0) {
      console.error(`evaluate: --worst must be a whole number, got "${values.worst}"`);
      return 2;
    }
    let result: Evaluation;
    try {
      result = await evaluateFiles({ manual: values.manual, predicted: values.predicted });
    } catch (e) {
      console.error(`evaluate: ${(e as Error).message}`);
      return 1;
    }
    try {
      if (values.csv) writeFileAtomicSync(values.csv, evaluationCsv(result, 'images'));
      if (values['landmarks-csv']) writeFileAtomicSync(values['landmarks-csv'], evaluationCsv(result, 'landmarks'));
    } catch (e) {
      console.error(`evaluate: cannot write CSV: ${(e as Error).message}`);
      return 1;
    }
    if (values.json) console.log(JSON.stringify(result, null, 2));
    else console.log(formatEvaluation(result, worst));
    if (result.matched === 0) {
      console.error('evaluate: no specimen matched: check that both sides name the same images (IMAGE=)');
      return 1;
    }
    return 0;
  },
};
