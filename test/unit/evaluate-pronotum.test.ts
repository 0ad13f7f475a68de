import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { listTpsFiles, loadTpsFile } from '../../src/shared/dataset/load';
import { writeTps } from '../../src/shared/tps/write';
import { type TpsSpecimen, cloneSpecimen, getField, setField } from '../../src/shared/tps/model';
import { evaluateFiles } from '../../src/engine/evaluate';
import { command } from '../../src/cli/evaluate';
import type { Evaluation } from '../../src/shared/metrics/evaluation';
import { requireData } from '../helpers/data';
import { runCommand } from '../helpers/cli';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'landmarks-eval-test-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Runs the CLI command, capturing what it prints. */
async function runCli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const r = await runCommand(command, args);
  return { code: r.code, out: r.stdout, err: r.stderr };
}

/**
 * Predictions made from the paper's manual pronotum landmarks by a known displacement: landmark
 * k (1-based) moved by (0.6k, -0.8k), an error of exactly k pixels; Prono_010 moved three times
 * as far; landmark 3 of Prono_020 missing; Prono_100..102 not predicted; one extra prediction of
 * an unknown image. All in ONE TPS file, IMAGE= written as `C:\preds\Prono_<n>.JPG` (no
 * leading zeros, a Windows folder, an extension), with SCALE=0.1 on the predictions.
 */
describe('evaluate: the paper\'s manual pronotum landmarks against a known displacement', function () {
  let manualDir = '';
  let predictedFile = '';
  let n = 0;

  before(async function () {
    manualDir = requireData(this, 'beetles', 'manual-256x192', 'pronotum');
    const files = await listTpsFiles(manualDir);
    const predicted: TpsSpecimen[] = [];
    for (const f of files) {
      const doc = await loadTpsFile(f);
      assert.equal(doc.specimens.length, 1, f);
      const s = cloneSpecimen(doc.specimens[0]);
      const image = getField(s, 'IMAGE') ?? '';
      const num = Number(/(\d+)$/.exec(image)?.[1]);
      if (num >= 100 && num <= 102) continue;
      const factor = num === 10 ? 3 : 1;
      s.landmarks = s.landmarks.map((p, k) => (p ? { x: p.x + 0.6 * (k + 1) * factor, y: p.y - 0.8 * (k + 1) * factor } : null));
      if (num === 20) s.landmarks[2] = null;
      s.fields = [];
      setField(s, 'IMAGE', `C:\\preds\\Prono_${num}.JPG`);
      setField(s, 'SCALE', '0.1');
      predicted.push(s);
      n++;
    }
    const ghost = cloneSpecimen(predicted[0]);
    ghost.fields = [];
    setField(ghost, 'IMAGE', 'Ghost_001.jpg');
    predicted.push(ghost);
    predictedFile = path.join(tmp, 'predicted.tps');
    fs.writeFileSync(predictedFile, writeTps({ specimens: predicted, diagnostics: [], eol: '\n', finalNewline: true }));
  });

  it('gives the exact per-landmark errors, worst images, missing and unmatched specimens', async () => {
    assert.equal(n, 290);
    const e = await evaluateFiles({ manual: manualDir, predicted: predictedFile });
    assert.equal(e.matched, 290);
    assert.equal(e.landmarkCount, 8);
    assert.deepEqual(e.unmatchedManual, ['Prono_100', 'Prono_101', 'Prono_102']);
    assert.deepEqual(e.unmatchedPredicted, ['Ghost_001.jpg']);
    assert.equal(e.landmarks.length, 8);
    for (const l of e.landmarks) {
      const k = l.index;
      const count = k === 3 ? 289 : 290;
      assert.equal(l.count, count, `landmark ${k} count`);
      assert.equal(l.missing, k === 3 ? 1 : 0);
      const expectedMean = ((count - 1) * k + 3 * k) / count;
      assert.ok(Math.abs(l.mean - expectedMean) < 1e-9, `landmark ${k}: mean ${l.mean} vs ${expectedMean}`);
      assert.ok(Math.abs(l.median - k) < 1e-9, `landmark ${k} median`);
      assert.ok(Math.abs(l.p90 - k) < 1e-9, `landmark ${k} p90`);
      assert.ok(Math.abs(l.max - 3 * k) < 1e-9);
      assert.ok(Math.abs((l.meanScaled ?? NaN) - 0.1 * expectedMean) < 1e-9, 'SCALE units from the predicted SCALE=');
    }
    assert.equal(e.missing, 1);
    assert.equal(e.count, 290 * 8 - 1);
    assert.equal(e.images[0].name, 'Prono_010');
    assert.ok(Math.abs(e.images[0].mean - 13.5) < 1e-9);
    assert.equal(e.images[0].worstLandmark, 8);
    const p20 = e.images.find((i) => i.name === 'Prono_020');
    assert.ok(p20 && p20.errors[2] === null && p20.missing === 1);
    assert.ok(Math.abs((p20?.mean ?? NaN) - (1 + 2 + 4 + 5 + 6 + 7 + 8) / 7) < 1e-9);
    const total = 289 * 36 - 3 + 3 * 36; // every image 1+..+8, minus Prono_020's landmark 3, Prono_010 tripled
    assert.ok(Math.abs(e.mean - total / (290 * 8 - 1)) < 1e-9);
    assert.equal(e.manualPath, path.resolve(manualDir));
  });

  it('the CLI prints the table and the documented JSON', async () => {
    const json = await runCli(['--manual', manualDir, '--predicted', predictedFile, '--json']);
    assert.equal(json.code, 0, json.err);
    const parsed = JSON.parse(json.out) as Evaluation;
    assert.equal(parsed.matched, 290);
    assert.deepEqual(Object.keys(parsed.landmarks[0]).slice(0, 4), ['index', 'mean', 'median', 'p90']);
    assert.equal(parsed.landmarks[0].index, 1);
    assert.ok(Math.abs(parsed.landmarks[1].median - 2) < 1e-9);
    assert.equal(typeof parsed.mean, 'number');

    const text = await runCli(['--manual', manualDir, '--predicted', predictedFile, '--worst', '3']);
    assert.equal(text.code, 0);
    assert.match(text.out, /matched 290 specimens, 8 landmarks each/);
    assert.match(text.out, /^\s+1\s+290\s+0\s+1\.007\s+1\.000\s+1\.000\s+3\.000/m);
    assert.match(text.out, /Prono_010\s+13\.500\s+landmark 8: 24\.000/);
    assert.match(text.out, /unmatched manual \(3\): Prono_100, Prono_101, Prono_102/);
    assert.match(text.out, /unmatched predicted \(1\): Ghost_001\.jpg/);

    const csv = path.join(tmp, 'errors.csv');
    const lcsv = path.join(tmp, 'landmarks.csv');
    assert.equal((await runCli(['--manual', manualDir, '--predicted', predictedFile, '--csv', csv, '--landmarks-csv', lcsv])).code, 0);
    const lines = fs.readFileSync(csv, 'utf8').trimEnd().split('\r\n');
    assert.equal(lines.length, 291);
    // The format VS Code's Export CSV writes too (test/unit/evaluation-csv.test.ts); the pronotum has SCALE=: SCALE columns.
    const lm = (u: string) => Array.from({ length: 8 }, (_, k) => `lm${k + 1}_${u}`).join(',');
    assert.equal(lines[0], `image,mean_px,max_px,missing,${lm('px')},scale,mean_scaled,${lm('scaled')},manual_image,predicted_image`);
    assert.match(lines[1], /^Prono_010,13\.5,24,0,3,6,9,12,15,18,21,24,0\.1,1\.35,0\.3,0\.6,0\.9,1\.2,1\.5,1\.8,2\.1,2\.4,Prono_010,/);
    assert.ok(lines.some((l) => /^Prono_020,[\d.]+,[\d.]+,1,[\d.]+,[\d.]+,,/.test(l)), 'a missing landmark is an empty cell');
    const ltable = fs.readFileSync(lcsv, 'utf8').trimEnd().split('\r\n');
    assert.equal(ltable.length, 10);
    assert.match(ltable[3], /^3,289,1,/);
  });

  it('the same manual files against themselves give zero error; bad usage and missing inputs are reported', async () => {
    const self = await evaluateFiles({ manual: manualDir, predicted: manualDir });
    assert.equal(self.matched, 293);
    assert.equal(self.mean, 0);
    assert.equal((await runCli(['--manual', manualDir])).code, 2);
    assert.equal((await runCli(['--manual', manualDir, '--predicted', predictedFile, '--bogus'])).code, 2);
    const missing = await runCli(['--manual', path.join(tmp, 'nope'), '--predicted', predictedFile]);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /manual: no such file or folder: .*nope/);
    const empty = path.join(tmp, 'empty');
    fs.mkdirSync(empty);
    assert.match((await runCli(['--manual', empty, '--predicted', predictedFile])).err, /no \.tps file/);
  });

  it('matches one-specimen files without IMAGE= by their file name', async () => {
    const dir = path.join(tmp, 'by-file-name');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'p_001.tps'), 'LM=2\n1 1\n2 2\n');
    fs.writeFileSync(path.join(dir, 'p_2.tps'), 'LM=2\n1 1\n2 2\n');
    const pred = path.join(tmp, 'by-name.tps');
    fs.writeFileSync(pred, 'LM=2\n4 5\n2 2\nIMAGE=P_1.jpg\nLM=2\n1 1\n2 4\nIMAGE=p_002.JPG\n');
    const e = await evaluateFiles({ manual: dir, predicted: pred });
    assert.equal(e.matched, 2);
    assert.deepEqual(e.landmarks.map((l) => l.mean), [2.5, 1]);
  });
});
