import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { requireData } from '../helpers/data';
import { summarizeErrors } from '../../src/shared/metrics/errors';
import type { EvaluationResult } from '../../src/shared/protocol/engine';
import type { TpsLandmark } from '../../src/shared/tps/model';
import { evaluateFiles } from '../../src/engine/evaluate';
import { specimenKey } from '../../src/shared/names';
import { buildResultsModel, type PhotoInfo, type SpecimenLite } from '../../src/extension/workbench/results-model';
import { landmarkTable } from '../../src/extension/workbench/stats';
import { loadTps } from '../../src/extension/workbench/tps-source';
import { checkDataset } from '../../src/extension/workbench/dataset-check';
import { listModels, describeModel } from '../../src/extension/workbench/models';

/** An evaluation as the engine reports it, computed with the shared metrics. */
function evaluate(manual: SpecimenLite[], predicted: SpecimenLite[], manualPath: string, predictedPath: string): EvaluationResult {
  const byKey = new Map(predicted.map((p) => [specimenKey(p.name), p]));
  const pairs = manual
    .filter((m) => byKey.has(specimenKey(m.name)))
    .map((m) => ({ name: m.name, manualImage: m.image, predictedImage: byKey.get(specimenKey(m.name))?.image, manual: m.landmarks, predicted: byKey.get(specimenKey(m.name))!.landmarks, scale: m.scale }));
  const s = summarizeErrors(pairs);
  return {
    landmarks: s.landmarks,
    mean: s.mean,
    median: s.median,
    p90: s.p90,
    matched: pairs.length,
    images: s.images,
    unmatchedManual: manual.filter((m) => !byKey.has(specimenKey(m.name))).map((m) => m.name),
    unmatchedPredicted: [],
    manualPath,
    predictedPath,
  };
}

const shift = (l: TpsLandmark, dx: number, dy: number): TpsLandmark => (l ? { x: l.x + dx, y: l.y + dy } : null);

describe('workbench results model', function () {
  it('tabulates per landmark in px and SCALE units where the engine sent no table', () => {
    const rows = landmarkTable(
      [
        { errors: [1, 4, null], scale: 0.5 },
        { errors: [3, null, 2] },
      ],
      3,
    );
    assert.deepStrictEqual(rows.map((r) => [r.index, r.count, r.mean]), [[1, 2, 2], [2, 1, 4], [3, 1, 2]]);
    assert.strictEqual(rows[0].meanScaled, 0.5, 'only images with a SCALE count in SCALE units');
    assert.strictEqual(rows[2].meanScaled, undefined);
    // The CSV exports are the CLI's: test/unit/evaluation-csv.test.ts.
  });

  it('shows the table the engine sent (its SCALE figures included), and tabulates only where it sent none', () => {
    const s: SpecimenLite = { index: 0, name: 'a', landmarks: [{ x: 0, y: 0 }, { x: 5, y: 5 }], file: 'm.tps' };
    // The engine took SCALE from the predicted file, which the view never sees: its figures stand.
    const engine: EvaluationResult = {
      landmarks: [
        { index: 1, mean: 3, median: 3, p90: 3, count: 1, meanScaled: 0.3, medianScaled: 0.3, p90Scaled: 0.3, scaledCount: 1 },
        { index: 2, mean: 4, median: 4, p90: 4, count: 1, meanScaled: 0.4, medianScaled: 0.4, p90Scaled: 0.4, scaledCount: 1 },
      ],
      mean: 3.5, median: 3.5, p90: 3.9, matched: 1,
      images: [{ name: 'a', errors: [3, 4], mean: 3.5 }],
      unmatchedManual: [], unmatchedPredicted: [], manualPath: 'm.tps', predictedPath: 'p.tps',
    };
    const model = buildResultsModel({ title: 't', evaluation: engine, manual: [s], predicted: [s], photos: new Map() });
    assert.deepStrictEqual(model.table, [
      { index: 1, count: 1, mean: 3, median: 3, p90: 3, meanScaled: 0.3, medianScaled: 0.3, p90Scaled: 0.3 },
      { index: 2, count: 1, mean: 4, median: 4, p90: 4, meanScaled: 0.4, medianScaled: 0.4, p90Scaled: 0.4 },
    ]);
    assert.deepStrictEqual(model.overall, { mean: 3.5, median: 3.5, p90: 3.9, matched: 1 });
    // No table from the engine: tabulated from the errors, in px only (the manual file has no SCALE).
    const bare = buildResultsModel({ title: 't', evaluation: { ...engine, landmarks: [] }, manual: [s], predicted: [s], photos: new Map() });
    assert.deepStrictEqual(bare.table, [
      { index: 1, count: 1, mean: 3, median: 3, p90: 3 },
      { index: 2, count: 1, mean: 4, median: 4, p90: 4 },
    ]);
    assert.deepStrictEqual(bare.overall, { mean: 3.5, median: 3.5, p90: 3.9, matched: 1 });
  });

  it('matches real wing specimens, flips TPS y with the photo height, sorts worst first', async function () {
    const tps = requireData(this, 'drosophila-wings', 'landmarks.tps');
    const manual = (await loadTps(tps)).specimens.slice(0, 12);
    assert.strictEqual(manual.length, 12);
    assert.ok(manual.every((s) => s.imagePath && fs.existsSync(s.imagePath)), 'wing photos resolve');
    // Predictions: every landmark 2 px right; landmark 3 of the 5th image 30 px up (TPS y up).
    const predicted: SpecimenLite[] = manual.map((m, i) => ({
      ...m,
      name: m.name.replace(/^0*/, '00'), // leading zeros differ: still the same specimen
      landmarks: m.landmarks.map((l, k) => shift(l, 2, i === 4 && k === 2 ? 30 : 0)),
    }));
    const ev = evaluate(manual, predicted, tps, 'predicted.tps');
    const photos = new Map<SpecimenLite, PhotoInfo>(manual.map((m) => [m, { src: m.imagePath, width: 632, height: 480 }]));
    const model = buildResultsModel({ title: 't', evaluation: ev, manual, predicted, photos });
    assert.strictEqual(model.images.length, 12);
    assert.strictEqual(model.landmarkCount, 12);
    assert.strictEqual(model.images[0].name, manual[4].name, 'the image with the big error comes first');
    assert.ok(Math.abs((model.images[0].errors[2] ?? 0) - Math.hypot(2, 30)) < 1e-9);
    const first = manual[4].landmarks[0]!;
    assert.deepStrictEqual(model.images[0].manual[0], { x: first.x, y: 480 - first.y }, 'image pixels: y down from the top');
    assert.deepStrictEqual(model.images[0].predicted[2], { x: manual[4].landmarks[2]!.x + 2, y: 480 - manual[4].landmarks[2]!.y - 30 });
    assert.strictEqual(model.images[0].manualIndex, 4);
    assert.strictEqual(model.table.length, 12);
    assert.ok(Math.abs(model.table[0].mean - 2) < 1e-9);
    assert.ok(Math.abs(model.table[2].mean - (11 * 2 + Math.hypot(2, 30)) / 12) < 1e-9);
    assert.strictEqual(model.table[2].p90, 2, 'one outlier in 12 stays above the p90');
    assert.ok(model.images[model.referenceIndex].src, 'the spatial view has a photo');
    for (let i = 1; i < model.images.length; i++) assert.ok(model.images[i - 1].mean >= model.images[i].mean);
  });

  it('finds every specimen the engine\'s evaluate paired: ID= only, one-specimen files, IMAGE= with folders', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-results-match-'));
    try {
      const write = (rel: string, text: string): void => {
        fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
        fs.writeFileSync(path.join(dir, rel), text);
      };
      // Manual: one file, specimens named by ID= only and by IMAGE= with a Windows folder.
      write('manual.tps', 'LM=2\n10 20\n30 40\nID=beetle 007\nLM=2\n50 60\n70 80\nIMAGE=C:\\photos\\Md_012.JPG\n');
      // Predicted: a folder of one-specimen files without IMAGE= or ID=: named by the file.
      write('pred/beetle_7.tps', 'LM=2\n13 24\n30 40\n');
      write('pred/md-12.tps', 'LM=2\n50 60\n70 83\n');
      const evaluation = await evaluateFiles({ manual: path.join(dir, 'manual.tps'), predicted: path.join(dir, 'pred') });
      assert.strictEqual(evaluation.matched, 2, JSON.stringify(evaluation.unmatchedManual));
      const manual = (await loadTps(path.join(dir, 'manual.tps'), { resolveImages: false })).specimens;
      const predicted = (await loadTps(path.join(dir, 'pred'), { resolveImages: false })).specimens;
      const model = buildResultsModel({ title: 't', evaluation, manual, predicted, photos: new Map() });
      const byName = new Map(model.images.map((im) => [im.name, im]));
      assert.deepStrictEqual([...byName.keys()].sort(), ['ID=beetle 007 (manual.tps)', 'Md_012.JPG']);
      for (const im of model.images) {
        assert.strictEqual(im.missing, undefined, `${im.name}: ${im.missing}`);
        assert.strictEqual(im.manual.length, 2, `${im.name}: manual landmarks`);
        assert.strictEqual(im.predicted.length, 2, `${im.name}: predicted landmarks`);
      }
      // Points in image pixels (y flipped around the points' extent): the predicted shift shows.
      const id = byName.get('ID=beetle 007 (manual.tps)')!;
      assert.strictEqual(id.predicted[0]!.x - id.manual[0]!.x, 3);
      assert.strictEqual(id.manual[0]!.y - id.predicted[0]!.y, 4);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('draws specimens without a photo upright from their own extent', () => {
    const s: SpecimenLite = { index: 0, name: 'x', landmarks: [{ x: 10, y: 100 }, { x: 20, y: 0 }], file: 'f.tps' };
    const ev: EvaluationResult = {
      landmarks: [], mean: 0, median: 0, p90: 0, matched: 1,
      images: [{ name: 'x', errors: [0, 0], mean: 0 }],
      unmatchedManual: [], unmatchedPredicted: [], manualPath: 'm', predictedPath: 'p',
    };
    const model = buildResultsModel({ title: 't', evaluation: ev, manual: [s], predicted: [s], photos: new Map([[s, { missing: 'photo not found: x.jpg' }]]) });
    const [a, b] = model.images[0].manual;
    assert.ok(a && b && a.y < b.y, 'the higher TPS point is drawn above');
    assert.strictEqual(model.images[0].missing, 'photo not found: x.jpg');
  });
});

describe('workbench dataset check', function () {
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-dataset-check-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('accepts the real wings data set', async function () {
    const tps = requireData(this, 'drosophila-wings', 'landmarks.tps');
    const r = await checkDataset(tps);
    assert.deepStrictEqual([r.specimens, r.landmarks, r.withImage], [46, 12, 46]);
    assert.deepStrictEqual(r.errors, []);
    assert.deepStrictEqual(r.warnings, []);
  });

  it('names the specimen with a wrong landmark count and the missing photos', async function () {
    const tps = requireData(this, 'drosophila-wings', 'landmarks.tps');
    const lines = fs.readFileSync(tps, 'utf8').split('\n');
    // Specimen 3 loses its last landmark row (LM=11 and 11 rows, still well-formed TPS).
    const lm = lines.map((l, i) => (l.startsWith('LM=') ? i : -1)).filter((i) => i >= 0);
    const third = lm[2];
    lines.splice(third + 12, 1);
    lines[third] = 'LM=11';
    const bad = path.join(tmp, 'wings.tps');
    fs.writeFileSync(bad, lines.join('\n'));
    // Photos: only 5 of them beside the copy.
    fs.mkdirSync(path.join(tmp, 'images'));
    for (const f of fs.readdirSync(path.dirname(tps) + '/images').slice(0, 5)) fs.copyFileSync(path.join(path.dirname(tps), 'images', f), path.join(tmp, 'images', f));
    const r = await checkDataset(bad);
    assert.strictEqual(r.landmarks, 12);
    assert.strictEqual(r.errors.length, 1, r.errors.join('\n'));
    assert.match(r.errors[0], /Landmark counts differ: 45 specimens have 12 landmarks, but 6300\d \(wings\.tps, specimen 3\) has 11/);
    assert.strictEqual(r.withImage, 5);
    assert.match(r.warnings[0], /^41 of 46 photos not found/);
  });

  it('refuses a data set without any photo, saying where to put them', async function () {
    const tps = requireData(this, 'drosophila-wings', 'landmarks.tps');
    // Its own temporary folder: the loader also looks in the parent folder and its images/.
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lm-nophotos-')), 'wings');
    fs.mkdirSync(dir);
    fs.copyFileSync(tps, path.join(dir, 'landmarks.tps'));
    try {
      const r = await checkDataset(path.join(dir, 'landmarks.tps'));
      assert.match(r.errors.join('\n'), /None of the 46 photos was found .*images\/ folder/);
    } finally {
      fs.rmSync(path.dirname(dir), { recursive: true, force: true });
    }
  });

  it('lists trained models newest first with what the picker shows', () => {
    const models = path.join(tmp, 'models');
    const mk = (name: string, meta: object, t: number) => {
      fs.mkdirSync(path.join(models, name), { recursive: true });
      const f = path.join(models, name, 'metadata.json');
      fs.writeFileSync(f, JSON.stringify(meta));
      fs.utimesSync(f, t, t);
    };
    mk('old', { preset: 'paper', landmarkCount: 8, inputSize: [256, 192] }, 1000);
    mk('new', { preset: 'default', landmarkCount: 12, inputSize: [128, 96], metrics: { meanPx: 3.14 } }, 2000);
    fs.mkdirSync(path.join(models, 'not-a-model'));
    const list = listModels(models);
    assert.deepStrictEqual(list.map((m) => m.name), ['new', 'old']);
    assert.strictEqual(describeModel(list[0]), 'default · 12 landmarks · 128x96 · val 3.1 px');
  });
});
