/**
 * One CSV format for the CLI and VS Code (issue 13, item 5). The CLI's `evaluate --csv` /
 * `--landmarks-csv` write the evaluation of the engine; VS Code's Export CSV writes the
 * evaluation the engine sent to the extension (over its JSON IPC) with the same function. Both
 * are run here on the real fly wings (predictions: the manual landmarks shifted, SCALE= on part
 * of the specimens, one landmark missing, a name that needs quoting), and must be byte-identical.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { command as evaluateCli } from '../../src/cli/evaluate';
import { evaluateFiles } from '../../src/engine/evaluate';
import { evaluationCsv } from '../../src/shared/metrics/csv';
import type { EvaluationResult } from '../../src/shared/protocol/engine';
import { readCsv } from '../../src/shared/interop/csv-read';
import { requireData } from '../helpers/data';

const SCALED = 20; // the first 20 specimens have SCALE=0.0125
const ODD_NAME = 'wing "A", left.jpg';

/** Writes a manual and a predicted copy of the real wings file; returns their paths. */
function wingsPair(dir: string, tps: string): { manual: string; predicted: string } {
  const blocks = fs.readFileSync(tps, 'utf8').split(/(?=^LM=)/m).filter((b) => b.trim());
  const rename = (b: string, i: number) => (i === 0 ? b.replace(/^IMAGE=.*$/m, `IMAGE=${ODD_NAME}`) : b);
  const scale = (b: string, i: number) => (i < SCALED ? `${b.trimEnd()}\nSCALE=0.0125\n` : `${b.trimEnd()}\n`);
  const manual = blocks.map((b, i) => scale(rename(b, i), i)).join('');
  const predicted = blocks
    .map((b, i) => {
      let j = -1;
      const moved = rename(b, i).replace(/^(-?[\d.]+)\s+(-?[\d.]+)\s*$/gm, (_, x: string, y: string) => {
        j++;
        if (i === 3 && j === 1) return '-1 -1'; // missing in the prediction
        return `${(+x + 0.3 + (i % 5) * 0.7).toFixed(2)} ${(+y - 0.1 * j).toFixed(2)}`;
      });
      return scale(moved, i);
    })
    .join('');
  const out = { manual: path.join(dir, 'manual.tps'), predicted: path.join(dir, 'predicted.tps') };
  fs.writeFileSync(out.manual, manual);
  fs.writeFileSync(out.predicted, predicted);
  return out;
}

async function runCli(args: string[]): Promise<number> {
  const log = console.log;
  console.log = () => undefined;
  try {
    return await evaluateCli.run(args);
  } finally {
    console.log = log;
  }
}

describe('evaluation CSV: one format for the CLI and VS Code', function () {
  this.timeout(30_000);
  let dir: string;
  let files: { manual: string; predicted: string };
  let cli: { images: string; landmarks: string };
  let sentToExtension: EvaluationResult;

  before(async function () {
    const tps = requireData(this, 'drosophila-wings', 'landmarks.tps');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-eval-csv-'));
    files = wingsPair(dir, tps);
    const imagesCsv = path.join(dir, 'cli-images.csv');
    const landmarksCsv = path.join(dir, 'cli-landmarks.csv');
    assert.strictEqual(await runCli(['--manual', files.manual, '--predicted', files.predicted, '--csv', imagesCsv, '--landmarks-csv', landmarksCsv]), 0);
    cli = { images: fs.readFileSync(imagesCsv, 'latin1'), landmarks: fs.readFileSync(landmarksCsv, 'latin1') };
    // What the extension holds: the engine's evaluation after the engine's JSON IPC (NaN -> null, undefined dropped).
    sentToExtension = JSON.parse(JSON.stringify(await evaluateFiles({ manual: files.manual, predicted: files.predicted }))) as EvaluationResult;
  });

  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the CLI and VS Code export byte-identical files, per landmark and per image', function () {
    assert.strictEqual(Buffer.from(evaluationCsv(sentToExtension, 'landmarks'), 'utf8').toString('latin1'), cli.landmarks);
    assert.strictEqual(Buffer.from(evaluationCsv(sentToExtension, 'images'), 'utf8').toString('latin1'), cli.images);
  });

  it('is RFC 4180 with CRLF: the per-landmark table has a row per landmark, an "all" row, px and SCALE columns', function () {
    const text = cli.landmarks;
    assert.ok(text.endsWith('\r\n') && !/[^\r]\n/.test(text), 'CRLF line ends only');
    const { records } = readCsv(text);
    const rows = records.map((r) => r.cells);
    assert.deepStrictEqual(rows[0], ['landmark', 'n', 'missing', 'mean_px', 'median_px', 'p90_px', 'max_px', 'mean_scaled', 'median_scaled', 'p90_scaled']);
    assert.strictEqual(rows.length, 1 + 12 + 1);
    assert.deepStrictEqual(rows.slice(1, 13).map((r) => r[0]), Array.from({ length: 12 }, (_, i) => String(i + 1)));
    assert.deepStrictEqual(rows[2].slice(1, 3), ['45', '1'], 'landmark 2: 45 errors, 1 missing');
    assert.strictEqual(rows[13][0], 'all');
    assert.ok(Math.abs(Number(rows[1][3]) - sentToExtension.landmarks[0].mean) < 1e-8, '10 significant digits');
    assert.ok(Number(rows[1][7]) > 0, 'SCALE units from the specimens with SCALE');
  });

  it('per image: one row per image, worst first, mean, max, missing, each landmark in px, and in SCALE units where SCALE is known', function () {
    const { records } = readCsv(cli.images);
    const rows = records.map((r) => r.cells);
    const lm = (s: string) => Array.from({ length: 12 }, (_, i) => `lm${i + 1}_${s}`);
    assert.deepStrictEqual(rows[0], ['image', 'mean_px', 'max_px', 'missing', ...lm('px'), 'scale', 'mean_scaled', ...lm('scaled'), 'manual_image', 'predicted_image']);
    assert.strictEqual(rows.length, 1 + 46);
    const means = rows.slice(1).map((r) => Number(r[1]));
    for (let i = 1; i < means.length; i++) assert.ok(means[i - 1] >= means[i], 'worst first');
    const byName = new Map(rows.slice(1).map((r) => [r[0], r]));
    const odd = byName.get(ODD_NAME);
    assert.ok(odd, `the name that needs quoting reads back: ${[...byName.keys()].slice(0, 3).join(' | ')}`);
    assert.strictEqual(odd[16], '0.0125', 'scale');
    for (let k = 0; k < 12; k++) assert.ok(Math.abs(Number(odd[18 + k]) - Number(odd[4 + k]) * 0.0125) < 1e-9, `lm${k + 1}_scaled = px x SCALE`);
    assert.ok(Math.abs(Number(odd[17]) - Number(odd[1]) * 0.0125) < 1e-9, 'mean_scaled');
    const withMissing = rows.slice(1).find((r) => r[3] === '1');
    assert.ok(withMissing, 'the image with a missing landmark');
    assert.strictEqual(withMissing[5], '', 'its landmark 2 is an empty cell');
    const unscaled = rows.slice(1).filter((r) => r[16] === '');
    assert.strictEqual(unscaled.length, 46 - SCALED);
    assert.ok(unscaled.every((r) => r.slice(16, 30).every((c) => c === '')), 'no SCALE: empty SCALE cells');
    // Without any SCALE, no SCALE columns at all.
    const noScale: EvaluationResult = { ...sentToExtension, images: sentToExtension.images.map(({ scale: _s, meanScaled: _m, ...im }) => im) };
    assert.deepStrictEqual(readCsv(evaluationCsv(noScale, 'images')).records[0].cells, ['image', 'mean_px', 'max_px', 'missing', ...lm('px'), 'manual_image', 'predicted_image']);
  });
});
