/**
 * `shape gpa --data <tps-or-folder> [--json] [--csv <file>]`: generalized Procrustes analysis of
 * a TPS file or a folder of TPS files (../shared/morphometrics/procrustes.ts). Prints each
 * specimen's centroid size and Procrustes distance to the consensus, outliers first flagged
 * (above Q3 + 1.5 IQR), the specimens left out and why, and the variance of the principal
 * components. With --json:
 *   {"specimens":[{"name":..,"centroidSize":n,"procrustesDistance":n,"outlier":bool,"file":..,"index":n}],
 *    "leftOut":[{"name":..,"file":..,"index":n,"reason":..}],"consensus":[[x,y],...],
 *    "pca":{"variance":[...],"proportion":[...]},"iterations":n,"converged":bool,"outlierThreshold":n}
 * --csv writes one row per specimen: name, file, centroid size, distance, outlier, PC1, PC2 and
 * the aligned coordinates. Exit 0 with at least one specimen aligned, 1 when none could be, 2 on
 * bad usage.
 */
import * as path from 'path';
import { parseArgs } from 'util';
import type { CliCommand } from './command';
import { loadDataset } from '../shared/dataset/load';
import { writeFileAtomic } from '../shared/node/atomic-write';
import { specimenName } from '../shared/editing/views';
import { csvText, type CsvCell } from '../shared/metrics/csv';
import { generalizedProcrustes, type GpaResult } from '../shared/morphometrics/procrustes';

const USAGE = [
  'usage: shape gpa --data <tps-or-folder> [--json] [--csv <file>]',
  '',
  'Generalized Procrustes analysis: every specimen centred, scaled to unit centroid size and',
  'rotated (never reflected) onto the consensus shape, iterated until the consensus is stable.',
  'Specimens with missing landmarks or another landmark count are left out (and listed).',
  '',
  '  --data <path>   a TPS file, or a folder of TPS files (one specimen each, say)',
  '  --json          print the result as JSON',
  '  --csv <file>    also write one row per specimen (distance, outlier, PC1, PC2, aligned x/y)',
].join('\n');

export interface ShapeReport {
  specimens: { name: string; file: string; index: number; centroidSize: number; procrustesDistance: number; outlier: boolean }[];
  leftOut: { name: string; file: string; index: number; reason: string }[];
  consensus: [number, number][];
  pca: { variance: number[]; proportion: number[] };
  iterations: number;
  converged: boolean;
  outlierThreshold: number | null;
}

/** GPA of a TPS file or folder, with each specimen named by its IMAGE= file name or ID=. */
export async function shapeReport(data: string): Promise<{ report: ShapeReport; gpa: GpaResult }> {
  const ds = await loadDataset(data, { resolveImages: false });
  const entries = ds.entries;
  const gpa = generalizedProcrustes(entries.map((e) => ({ name: specimenName(e.specimen, e.index), landmarks: e.specimen.landmarks })));
  const file = (i: number) => path.relative(process.cwd(), entries[i].tpsPath) || path.basename(entries[i].tpsPath);
  const report: ShapeReport = {
    specimens: gpa.specimens.map((s) => ({
      name: s.name,
      file: file(s.index),
      index: entries[s.index].index,
      centroidSize: s.centroidSize,
      procrustesDistance: s.procrustesDistance,
      outlier: s.outlier,
    })),
    leftOut: gpa.leftOut.map((l) => ({ name: l.name, file: file(l.index), index: entries[l.index].index, reason: l.reason })),
    consensus: gpa.consensus,
    pca: gpa.pca,
    iterations: gpa.iterations,
    converged: gpa.converged,
    outlierThreshold: Number.isFinite(gpa.outlierThreshold) ? gpa.outlierThreshold : null,
  };
  return { report, gpa };
}

function shapeCsv(report: ShapeReport, gpa: GpaResult): string {
  const k = gpa.landmarkCount;
  const head: CsvCell[] = ['specimen', 'file', 'centroid_size', 'procrustes_distance', 'outlier', 'pc1', 'pc2'];
  for (let j = 1; j <= k; j++) head.push(`x${j}`, `y${j}`);
  const table: CsvCell[][] = [head];
  gpa.specimens.forEach((s, i) => {
    const r = report.specimens[i];
    table.push([r.name, r.file, s.centroidSize, s.procrustesDistance, s.outlier ? 1 : 0, s.scores[0], s.scores[1], ...s.aligned.flat()]);
  });
  return csvText(table);
}

function formatReport(r: ShapeReport): string {
  const lines: string[] = [];
  const byDistance = [...r.specimens].sort((a, b) => b.procrustesDistance - a.procrustesDistance);
  lines.push(`${r.specimens.length} specimens aligned, ${r.leftOut.length} left out; ${r.converged ? 'converged' : 'NOT converged'} in ${r.iterations} iterations`);
  lines.push(`outlier above Procrustes distance ${r.outlierThreshold === null ? '- (fewer than 4 specimens)' : r.outlierThreshold.toFixed(4)}`);
  lines.push('');
  lines.push(`${'distance'.padStart(9)} ${'centroid'.padStart(10)}  specimen`);
  for (const s of byDistance) {
    lines.push(`${s.procrustesDistance.toFixed(4).padStart(9)} ${s.centroidSize.toFixed(1).padStart(10)}  ${s.name}${s.outlier ? '  OUTLIER' : ''}`);
  }
  if (r.leftOut.length) {
    lines.push('', 'left out:');
    for (const l of r.leftOut) lines.push(`  ${l.name} (${l.file}, specimen ${l.index + 1}): ${l.reason}`);
  }
  const shown = r.pca.proportion.slice(0, 5).map((p, i) => `PC${i + 1} ${(100 * p).toFixed(1)}%`);
  lines.push('', `shape variance: ${shown.join(', ')}${r.pca.proportion.length > 5 ? ', ...' : ''}`);
  return lines.join('\n');
}

export const command: CliCommand = {
  async run(args: string[]): Promise<number> {
    const [sub, ...rest] = args;
    if (!sub || sub === '--help' || sub === '-h') {
      console.log(USAGE);
      return sub ? 0 : 2;
    }
    if (sub !== 'gpa') {
      console.error(`shape ${sub}: unknown subcommand (known: gpa)\n\n${USAGE}`);
      return 2;
    }
    let values: { data?: string; json?: boolean; csv?: string; help?: boolean };
    try {
      values = parseArgs({
        args: rest,
        options: { data: { type: 'string' }, json: { type: 'boolean' }, csv: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      }).values;
    } catch (e) {
      console.error(`${e instanceof Error ? e.message : String(e)}\n\n${USAGE}`);
      return 2;
    }
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    if (!values.data) {
      console.error(`shape gpa: --data is required\n\n${USAGE}`);
      return 2;
    }
    let result: Awaited<ReturnType<typeof shapeReport>>;
    try {
      result = await shapeReport(values.data);
    } catch (e) {
      console.error(`shape gpa: cannot read ${values.data}: ${e instanceof Error ? e.message : String(e)}`);
      return 1;
    }
    if (values.csv) await writeFileAtomic(values.csv, shapeCsv(result.report, result.gpa));
    console.log(values.json ? JSON.stringify(result.report) : formatReport(result.report));
    if (result.report.specimens.length === 0) {
      console.error('shape gpa: no specimen could be aligned (see "left out")');
      return 1;
    }
    return 0;
  },
};
