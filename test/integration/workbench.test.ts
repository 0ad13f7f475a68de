/**
 * The workbench inside a real VS Code: train a tiny model on real fly wings through the command
 * (live training view), predict a held-out image folder through the explorer command (a new TPS,
 * opened in the Landmark Editor, never over an existing file), evaluate it in the results view
 * (every image and the heatmap drawn, CSV exported), and the failures a user meets: a bad data
 * set, a second training, a cancelled run, a killed engine.
 * Screenshots: .test-artifacts/workbench-training.png, workbench-results.png.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { requireData } from '../helpers/data';
import { parseTps } from '../../src/shared/tps/parse';
import { getField } from '../../src/shared/tps/model';
import { commentAfterEdit, formatPredictionComment, parsePredictionNotes, reviewFlags } from '../../src/shared/tps/review';
import { writeTps } from '../../src/shared/tps/write';
import { specimenViews } from '../../src/shared/editing/views';
import type { PredictResult, TrainResult, EvaluationResult } from '../../src/shared/protocol/engine';
import type { AnnotateNextResult, RetrainResult } from '../../src/extension/workbench/register';
import type { WorkbenchApi } from '../../src/extension/workbench/register';
import type { TpsEditorApi } from '../../src/extension/editor/register';
import { closeAllEditors, getApi, getExtension, scratchDir, screenshot, screenshotsAvailable, sleep, waitFor } from './helpers';
import { assertCurvesDrawn, assertDoubtRingsDrawn, assertHeatmapDrawn, assertLandmarksDrawn } from './helpers/pixels';

/** Specimens of a TPS text, each as its own text block (LM= ... up to the next LM=). */
function specimenBlocks(text: string): string[] {
  return text.split(/\r?\n(?=LM\s*=)/).map((b) => b.trim() + '\n');
}

const TRAIN = 16;
const HELD_OUT = 4;
/** Small and fast on 2 shared cores: what the test checks is the plumbing, not the accuracy. */
const TINY = { preset: 'paper' as const, epochs: 2, validationSplit: 0.25, seed: 7 };

describe('workbench', function () {
  this.timeout(600_000);
  let wb: WorkbenchApi;
  let editor: TpsEditorApi;
  let root: string;
  let trainTps: string;
  let heldOutDir: string;
  let heldOutTps: string;
  let model: string | undefined;
  /** The `default` preset's model: what a user predicts with. */
  let defaultModel: string | undefined;
  let predicted: string | undefined;
  /** The second prediction of the held-out folder (left alone by the evaluation test). */
  let predictedAgain: string | undefined;

  before(async function () {
    const wings = requireData(this, 'drosophila-wings');
    const api = await getApi();
    wb = api.workbench;
    editor = api.editor;
    root = await scratchDir('workbench');
    // 16 wings to train on (TPS + photos), 4 other wings in their own folder to predict.
    const blocks = specimenBlocks(fs.readFileSync(path.join(wings, 'landmarks.tps'), 'utf8'));
    const image = (b: string) => /IMAGE=(.*)/.exec(b)?.[1].trim() ?? '';
    const train = path.join(root, 'train');
    heldOutDir = path.join(root, 'held-out');
    await fs.promises.mkdir(path.join(train, 'images'), { recursive: true });
    await fs.promises.mkdir(heldOutDir, { recursive: true });
    for (const b of blocks.slice(0, TRAIN)) await fs.promises.copyFile(path.join(wings, 'images', image(b)), path.join(train, 'images', image(b)));
    for (const b of blocks.slice(TRAIN, TRAIN + HELD_OUT)) await fs.promises.copyFile(path.join(wings, 'images', image(b)), path.join(heldOutDir, image(b)));
    trainTps = path.join(train, 'wings.tps');
    await fs.promises.writeFile(trainTps, blocks.slice(0, TRAIN).join(''));
    // The held-out wings' manual landmarks, kept apart (a user's ground truth to evaluate against).
    heldOutTps = path.join(root, 'held-out-manual.tps');
    await fs.promises.writeFile(heldOutTps, blocks.slice(TRAIN, TRAIN + HELD_OUT).join(''));
  });

  after(async () => {
    await closeAllEditors();
  });

  it('explains a bad data set (wrong landmark count) without starting the engine', async function () {
    const text = fs.readFileSync(trainTps, 'utf8').replace(/^LM=12\n((?:.*\n){11}).*\n/m, 'LM=11\n$1');
    const bad = path.join(path.dirname(trainTps), 'bad.tps');
    await fs.promises.writeFile(bad, text);
    const r = await vscode.commands.executeCommand<TrainResult | undefined>('landmarks.train', { data: bad, ...TINY });
    assert.strictEqual(r, undefined);
    const err = wb.lastTraining()?.error ?? '';
    assert.match(err, /Landmark counts differ: 15 specimens have 12 landmarks, but 63001 \(bad\.tps, specimen 1\) has 11/);
    assert.strictEqual(wb.engine.jobs.length, 0, 'nothing was sent to the engine');
    assert.ok(!fs.existsSync(path.join(wb.modelsFolder(bad))) || fs.readdirSync(wb.modelsFolder(bad)).filter((f) => !f.startsWith('.')).length === 0, 'no model folder was made');
    await fs.promises.rm(bad);
  });

  it('trains a tiny model through the command, with a live training view', async function () {
    const started = Date.now();
    const r = await vscode.commands.executeCommand<TrainResult | undefined>('landmarks.train', { data: trainTps, inputSize: '64x48', ...TINY });
    assert.ok(r, `training failed: ${wb.lastTraining()?.error}`);
    assert.strictEqual(r.kind, 'train');
    assert.strictEqual(r.cancelled, false);
    assert.strictEqual(r.epochs, TINY.epochs);
    assert.ok(r.modelDir.startsWith(wb.modelsFolder(trainTps)), `${r.modelDir} is in the models folder`);
    assert.ok(fs.existsSync(path.join(r.modelDir, 'metadata.json')), 'metadata.json written');
    const meta = JSON.parse(fs.readFileSync(path.join(r.modelDir, 'metadata.json'), 'utf8')) as { landmarkCount: number };
    assert.strictEqual(meta.landmarkCount, 12);
    assert.ok(r.validation && r.validation.images.length === TRAIN * TINY.validationSplit, 'validation error per landmark reported');
    assert.strictEqual(r.validation.landmarks.length, 12);
    const view = await wb.waitForTrainingRender((x) => x.state === 'done');
    assert.ok(view.valPoints >= TINY.epochs, `validation curve has ${view.valPoints} points`);
    assert.ok(view.trainPoints >= TINY.epochs, `training curve has ${view.trainPoints} points`);
    console.log(`    trained ${TINY.epochs} epochs in ${((Date.now() - started) / 1000).toFixed(1)} s on ${wb.engine.backend?.name}; validation mean ${r.validation.mean.toFixed(1)} px`);
    model = r.modelDir;
    if (screenshotsAvailable()) {
      const png = await screenshot('workbench-training');
      // both loss curves across the epochs (2 epochs: the plot is a few hundred px wide, validation
      // from epoch 1 to 2 about half of it)
      const seen = await assertCurvesDrawn(png, { minWidth: 200, minValWidth: 100 });
      console.log(`    workbench-training: training curve ${seen.train.width} px wide, validation ${seen.val.width} px`);
    }
  });

  it('fine-tunes that paper model on its first 8 landmarks (Fine-tune landmark model): a new model that starts from it', async function () {
    assert.ok(model, 'the tiny training ran first');
    const subset = [0, 1, 2, 3, 4, 5, 6, 7];
    const r = await vscode.commands.executeCommand<TrainResult | undefined>('landmarks.finetune', { model, data: trainTps, landmarkSubset: subset, inputSize: '64x48', epochs: 1, validationSplit: 0.25, seed: 7 });
    assert.ok(r, `fine-tuning failed: ${wb.lastTraining()?.error}`);
    assert.notStrictEqual(r.modelDir, model);
    const meta = JSON.parse(fs.readFileSync(path.join(r.modelDir, 'metadata.json'), 'utf8')) as { landmarkCount: number; preset: string; training: { initFrom?: string; landmarkSubset?: number[] } };
    assert.strictEqual(meta.preset, 'paper');
    assert.strictEqual(meta.landmarkCount, 8);
    assert.strictEqual(meta.training.initFrom, path.resolve(model));
    assert.deepStrictEqual(meta.training.landmarkSubset, subset);
    assert.strictEqual(r.validation?.landmarks.length, 8);
  });

  it('trains the default preset through the command (the model the next tests predict with)', async function () {
    // one of the preset's own options, as the setting landmarks.train.presetOptions would pass it
    const r = await vscode.commands.executeCommand<TrainResult | undefined>('landmarks.train', { data: trainTps, preset: 'default', validationSplit: 0.25, seed: 7, presetOptions: { 'sdm.perturbations': 12 } });
    assert.ok(r, `training failed: ${wb.lastTraining()?.error}`);
    assert.strictEqual(r.cancelled, false);
    assert.ok(r.validation && r.validation.images.length === TRAIN * 0.25 && r.validation.landmarks.length === 12);
    const view = await wb.waitForTrainingRender((x) => x.state === 'done');
    assert.strictEqual(view.state, 'done');
    // the live view drew the stages' curves (the cascade's out-of-fold error as it located each photo, SDM's training error after each regression), not "no loss values"
    const curves = view.stageCurves ?? [];
    assert.ok(curves.some((c) => c.name === 'cascade: out-of-fold error px' && c.points >= 5) && curves.some((c) => c.name === 'sdm: training error px' && c.points >= 2), JSON.stringify(curves));
    if (screenshotsAvailable()) await screenshot('workbench-training-default');
    const meta = JSON.parse(fs.readFileSync(path.join(r.modelDir, 'metadata.json'), 'utf8')) as { preset: string; presetData?: { profile?: { name: string; stages: { stage: string; options: Record<string, unknown> }[] } } };
    assert.strictEqual(meta.preset, 'default');
    assert.strictEqual(meta.presetData?.profile?.name, 'default', 'the resolved profile is saved in metadata.json');
    assert.deepStrictEqual(meta.presetData.profile.stages.map((s) => s.stage), ['cascade', 'sdm']);
    assert.strictEqual(meta.presetData.profile.stages.find((s) => s.stage === 'sdm')?.options.perturbations, 12, 'the option given reached the engine');
    console.log(`    default preset: validation mean ${r.validation.mean.toFixed(2)} px in ${r.seconds.toFixed(1)} s`);
    defaultModel = r.modelDir;
  });

  it("opens the last training's validation results from its button", async function () {
    if (!defaultModel) this.skip();
    const panel = await wb.openTrainingResults();
    assert.ok(panel, 'the results view opened');
    const drawn = await wb.waitForResultsRender(undefined, 60_000);
    const n = TRAIN * TINY.validationSplit;
    assert.strictEqual(drawn.images, n);
    assert.strictEqual(drawn.photos, n);
    assert.strictEqual(drawn.heatmapCells, n * 12);
    const m = wb.resultsModel();
    assert.ok(m && m.images.every((i) => i.predicted.filter(Boolean).length === 12), 'predicted points of the validation images are drawn');
    assert.ok(fs.existsSync(path.join(defaultModel!, 'validation-predicted.tps')), 'the validation predictions are kept beside the model');
    // The engine's validation errors and the re-predicted points agree (same model, same photos).
    for (const im of m!.images) {
      const k = im.errors.findIndex((e) => e !== null);
      const a = im.manual[k]!;
      const b = im.predicted[k]!;
      assert.ok(Math.abs(Math.hypot(a.x - b.x, a.y - b.y) - im.errors[k]!) < 0.5, `${im.name}: drawn error vector matches the reported error`);
    }
  });

  it('retrains from corrections: a corrected predicted specimen joins the manual set in a new file, and the retrained model is measured on it', async function () {
    if (!defaultModel) this.skip();
    const manualBefore = fs.readFileSync(trainTps, 'utf8');
    const folder = vscode.Uri.file(heldOutDir);
    const p = await vscode.commands.executeCommand<PredictResult | undefined>('landmarks.predict', folder, [folder], { model: defaultModel, open: false, out: path.join(root, 'default-predicted.tps') });
    assert.ok(p, `prediction failed: ${wb.lastPrediction()?.error}`);
    // Correct specimen 1 as a person would: its landmarks set to the manual ones, each marked checked.
    const predictedDoc = parseTps(fs.readFileSync(p.out, 'utf8'), p.out);
    const manual = parseTps(fs.readFileSync(heldOutTps, 'utf8'), heldOutTps);
    const first = predictedDoc.specimens[0];
    const name = path.basename(getField(first, 'IMAGE') ?? '');
    const truth = manual.specimens.find((s) => path.basename(getField(s, 'IMAGE') ?? '') === name)!;
    first.landmarks = truth.landmarks.map((q) => (q ? { ...q } : null));
    let comment = getField(first, 'COMMENT');
    for (let j = 0; j < first.landmarks.length; j++) comment = commentAfterEdit(comment, 'move', j);
    first.fields.find((f) => f.key === 'COMMENT')!.value = comment!;
    fs.writeFileSync(p.out, writeTps(predictedDoc));

    const r = await vscode.commands.executeCommand<RetrainResult | undefined>('landmarks.retrainFromCorrections', { predicted: p.out, seed: 7 });
    assert.ok(r, `retraining failed: ${wb.lastTraining()?.error}`);
    assert.strictEqual(r.added, 1);
    assert.strictEqual(path.dirname(r.data), path.dirname(trainTps));
    assert.strictEqual(fs.readFileSync(trainTps, 'utf8'), manualBefore, 'the manual file is untouched');
    const merged = parseTps(fs.readFileSync(r.data, 'utf8'), r.data);
    assert.strictEqual(merged.specimens.length, TRAIN + 1);
    assert.ok(fs.readFileSync(r.data, 'utf8').startsWith(manualBefore), 'the manual lines come first, as they were');
    // The model is found by the name its predictions carry; `default` retrains from scratch.
    const meta = JSON.parse(fs.readFileSync(path.join(r.train.modelDir, 'metadata.json'), 'utf8')) as { preset: string; training: { data: string } };
    assert.strictEqual(meta.preset, 'default');
    assert.strictEqual(meta.training.data, r.data);
    assert.ok(r.after <= r.before + 1e-9, `trained on the corrected photo, the new model is no farther from it: ${r.before} -> ${r.after}`);
    assert.ok(Number.isFinite(r.before) && Number.isFinite(r.after), JSON.stringify({ before: r.before, after: r.after }));
    console.log(`    retrained from 1 correction: ${r.before.toFixed(2)} px before, ${r.after.toFixed(2)} px after on the corrected photo`);
    // the retraining's own training view (the before/after toast is not drawn in code-server's screenshots)
    if (screenshotsAvailable()) await screenshot('retrain-from-corrections');
  });

  it('predicts a folder through the explorer command and opens the new TPS in the editor', async function () {
    if (!defaultModel) this.skip();
    const folder = vscode.Uri.file(heldOutDir);
    const r = await vscode.commands.executeCommand<PredictResult | undefined>('landmarks.predict', folder, [folder], { model: defaultModel });
    assert.ok(r, `prediction failed: ${wb.lastPrediction()?.error}`);
    assert.strictEqual(r.out, path.join(heldOutDir, 'held-out-predicted.tps'));
    assert.strictEqual(r.predicted, HELD_OUT);
    const doc = parseTps(fs.readFileSync(r.out, 'utf8'), r.out);
    assert.deepStrictEqual(doc.diagnostics.filter((d) => d.severity === 'error'), []);
    assert.strictEqual(doc.specimens.length, HELD_OUT);
    const images = fs.readdirSync(heldOutDir).filter((f) => f.endsWith('.jpg')).sort();
    assert.deepStrictEqual(doc.specimens.map((s) => path.basename(getField(s, 'IMAGE') ?? '')).sort(), images);
    for (const s of doc.specimens) {
      assert.strictEqual(s.landmarks.length, 12);
      for (const p of s.landmarks) assert.ok(p && p.x >= -50 && p.x <= 682 && p.y >= -50 && p.y <= 530, `landmark ${JSON.stringify(p)} near a 632x480 photo`);
    }
    const uri = vscode.Uri.file(r.out);
    const state = await waitFor('the predicted TPS in the Landmark Editor', () => editor.state(uri)?.ready && editor.state(uri), { timeoutMs: 30_000 });
    assert.strictEqual(state.specimens, HELD_OUT);
    predicted = r.out;
  });

  it('never writes over an existing TPS: a second prediction gets a new name', async function () {
    if (!defaultModel || !predicted) this.skip();
    const before = fs.readFileSync(predicted!, 'utf8');
    const folder = vscode.Uri.file(heldOutDir);
    const r = await vscode.commands.executeCommand<PredictResult | undefined>('landmarks.predict', folder, [folder], { model: defaultModel, open: false });
    assert.ok(r, `prediction failed: ${wb.lastPrediction()?.error}`);
    assert.strictEqual(r.out, path.join(heldOutDir, 'held-out-predicted-2.tps'));
    assert.strictEqual(fs.readFileSync(predicted!, 'utf8'), before, 'the first file is untouched');
    predictedAgain = r.out;
  });

  it('points at what to check first in a predicted file: least confident first (R), doubt rings, a correction marks the landmark checked', async function () {
    if (!predictedAgain) this.skip();
    const file = predictedAgain!;
    const uri = vscode.Uri.file(file);
    const views = specimenViews(parseTps(fs.readFileSync(file, 'utf8'), file));
    assert.ok(views.every((v) => v.confidence !== undefined && v.doubtPx?.length === 12), 'every predicted specimen carries its confidence and 12 doubts');
    const flags = reviewFlags(views);
    assert.strictEqual(flags.specimens.length, 1, 'the least confident 10% of 4, at least one');
    assert.strictEqual([...flags.landmarks.values()].flat().length, 5, 'the most doubtful 10% of 48 landmarks');
    const [k, lms] = [...flags.landmarks.entries()][0];
    await vscode.commands.executeCommand('landmarks.editor.showSpecimen', uri, k);
    const shown = await editor.waitForRender(uri, (r) => r.specimen === k && r.imageLoaded && r.doubtful.length > 0, 30_000);
    assert.deepStrictEqual(shown.doubtful, lms, 'the flagged landmarks of the specimen get doubt rings');
    assert.deepStrictEqual(shown.listOrder, [0, 1, 2, 3], 'file order until asked');

    const ordered = await editor.testAction({ kind: 'key', key: 'R' }, uri);
    const sorted = (o: number[]): boolean => o.every((i, q) => q === 0 || views[o[q - 1]].confidence! <= views[i].confidence!);
    assert.ok(sorted(ordered.listOrder), `R did not list the least confident first: ${ordered.listOrder}`);
    assert.strictEqual(ordered.listOrder[0], flags.specimens[0], 'the least confident specimen heads the list');
    const conf = ordered.listOrder.map((i) => views[i].confidence!);
    assert.deepStrictEqual(conf, [...conf].sort((a, b) => a - b));
    if (screenshotsAvailable()) {
      await sleep(300);
      const png = await screenshot('editor-check-first');
      // the flagged specimen over its photo, with a dashed ring around each landmark to check
      const drawn = await assertLandmarksDrawn(png, { landmarks: 12, photo: true });
      const rings = await assertDoubtRingsDrawn(png, { rings: lms.length, around: drawn.blobs.box! });
      console.log(`    editor-check-first: ${drawn.blobs.blobs} markers, ${rings.blobs} ring dashes for ${lms.length} flagged`);
    }

    // correcting a flagged landmark by hand marks it checked: ring gone, and so in the saved file
    const j = lms[0];
    const after = await editor.testAction({ kind: 'move', specimen: k, landmark: j, x: 300, y: 200 }, uri);
    assert.deepStrictEqual([after.specimen, after.positions[j]?.x], [k, 300]);
    assert.deepStrictEqual(after.doubtful, lms.slice(1));
    await vscode.commands.executeCommand('workbench.action.files.save');
    await waitFor('the checked mark in the saved file', () => {
      const d = parsePredictionNotes(getField(parseTps(fs.readFileSync(file, 'utf8'), file).specimens[k], 'COMMENT')).doubtPx;
      return d !== undefined && d[j] < 0 && d[j] === -views[k].doubtPx![j];
    });
  });

  it('predicts selected images (explorer multi-selection) into one TPS beside them', async function () {
    if (!defaultModel) this.skip();
    const images = fs.readdirSync(heldOutDir).filter((f) => f.endsWith('.jpg')).sort().slice(0, 2);
    const uris = images.map((f) => vscode.Uri.file(path.join(heldOutDir, f)));
    const out = path.join(root, 'two-images.tps');
    const r = await vscode.commands.executeCommand<PredictResult | undefined>('landmarks.predict', uris[0], uris, { model: defaultModel, out, open: false });
    assert.ok(r, `prediction failed: ${wb.lastPrediction()?.error}`);
    assert.strictEqual(r.predicted, 2);
    const doc = parseTps(fs.readFileSync(out, 'utf8'), out);
    assert.deepStrictEqual(
      doc.specimens.map((s) => getField(s, 'IMAGE')),
      images.map((f) => `held-out/${f}`),
      'IMAGE= relative to the new TPS file',
    );
    assert.ok(doc.specimens.every((s) => s.landmarks.length === 12 && s.landmarks.every(Boolean)));
  });

  it('shows the evaluation in the results view: every image, the heatmap, the table as CSV', async function () {
    if (!predicted) this.skip();
    const csv = path.join(root, 'errors.csv');
    const imagesCsv = path.join(root, 'image-errors.csv');
    const ev = await vscode.commands.executeCommand<EvaluationResult | undefined>('landmarks.evaluate', { manual: heldOutTps, predicted, csv, imagesCsv });
    assert.ok(ev, 'evaluation failed');
    assert.strictEqual(ev.matched, HELD_OUT);
    const drawn = await wb.waitForResultsRender(undefined, 60_000);
    assert.deepStrictEqual(
      { images: drawn.images, photos: drawn.photos, heatmapCells: drawn.heatmapCells, spatialLandmarks: drawn.spatialLandmarks, tableRows: drawn.tableRows },
      { images: HELD_OUT, photos: HELD_OUT, heatmapCells: HELD_OUT * 12, spatialLandmarks: 12, tableRows: 12 },
    );
    const model = wb.resultsModel();
    assert.ok(model);
    for (let i = 1; i < model.images.length; i++) assert.ok(model.images[i - 1].mean >= model.images[i].mean, 'worst first');
    // The CLI's format (src/shared/metrics/csv.ts): CRLF, the same headers.
    const text = fs.readFileSync(csv, 'utf8');
    assert.ok(text.endsWith('\r\n') && !/[^\r]\n/.test(text), 'CRLF line ends');
    const lines = text.trim().split('\r\n');
    assert.strictEqual(lines.length, 1 + 12 + 1);
    assert.match(lines[0], /^landmark,n,missing,mean_px,median_px,p90_px,max_px,mean_scaled/);
    const l1 = lines[1].split(',');
    assert.strictEqual(Number(l1[1]), HELD_OUT);
    assert.ok(Math.abs(Number(l1[3]) - ev.landmarks[0].mean) < 1e-6, 'CSV mean = engine mean');
    const imageLines = fs.readFileSync(imagesCsv, 'utf8').trim().split('\r\n');
    assert.strictEqual(imageLines.length, 1 + HELD_OUT, 'one row per image');
    assert.match(imageLines[0], /^image,mean_px,max_px,missing,lm1_px,/);
    assert.strictEqual(imageLines[1].split(',')[0], model.images[0].name, 'worst first, as the view');
    assert.strictEqual(await wb.exportCsv(path.join(root, 'again.csv'), 'images'), fs.readFileSync(imagesCsv, 'utf8'));
    // The heatmap's columns are labelled with the image names (worst first).
    const labels = drawn.heatmapLabels ?? [];
    assert.ok(labels.length >= HELD_OUT / 3, `heatmap labels: ${labels.join(' ')}`);
    const every = Math.ceil(HELD_OUT / labels.length);
    labels.forEach((t, k) => assert.ok(model.images[k * every].name.startsWith(t.replace(/…$/, '')), `column ${k * every + 1} labelled ${t}, not ${model.images[k * every].name}`));
    if (screenshotsAvailable()) {
      await sleep(500);
      const png = await screenshot('workbench-results');
      const seen = await assertHeatmapDrawn(png, { cells: HELD_OUT * 12, minColours: 8 });
      console.log(`    workbench-results: ${seen.cells} heatmap patches in ${seen.colours} colours`);
      await wb.revealResults('spatial');
      await sleep(500);
      await screenshot('workbench-results-spatial');
      await wb.revealResults('images');
      await sleep(500);
      await screenshot('workbench-results-images');
      await wb.revealResults('table');
    }
    // One click on a card opens that specimen of the PREDICTED file (the one to correct).
    const worst = model.images[0];
    const opened = await wb.openSpecimen(worst.name);
    assert.ok(opened);
    assert.strictEqual(opened.file, predicted);
    const uri = vscode.Uri.file(predicted!);
    await waitFor(`specimen ${worst.name} shown in the editor`, () => editor.state(uri)?.selected === opened.index && editor.state(uri), { timeoutMs: 30_000 });
  });

  it('refuses a second training while one runs, and cancels the first keeping its best checkpoint', async function () {
    const out = path.join(wb.modelsFolder(trainTps), 'long-run');
    const first = vscode.commands.executeCommand<TrainResult | undefined>('landmarks.train', { data: trainTps, ...TINY, inputSize: '64x48', epochs: 200, out });
    // Cancel once an epoch is complete (its validation loss reported), so a best model exists.
    await waitFor(
      'the first training to complete an epoch',
      () => {
        const p = wb.engine.training?.progress;
        return p?.kind === 'train' && (p.epoch >= 2 || p.valLoss !== undefined);
      },
      { timeoutMs: 300_000 },
    );
    if (screenshotsAvailable()) {
      // The live view mid-run: curves so far, the status line with ETA, the Cancel button.
      await wb.waitForTrainingRender((x) => x.state === 'running' && x.valPoints >= 1);
      await screenshot('workbench-training-live');
    }
    const second = await vscode.commands.executeCommand<TrainResult | undefined>('landmarks.train', { data: trainTps, ...TINY, inputSize: '64x48' });
    assert.strictEqual(second, undefined);
    assert.match(wb.lastTraining()?.error ?? '', /already running/);
    wb.engine.cancelAll();
    const r = await first;
    assert.ok(r, `cancelled training reported no result: ${wb.lastTraining()?.error}`);
    assert.strictEqual(r.cancelled, true);
    assert.ok(r.epochs < 200);
    assert.ok(fs.existsSync(path.join(out, 'metadata.json')), 'the best checkpoint is kept');
    await wb.waitForTrainingRender((x) => x.state === 'cancelled');
    assert.ok(!fs.existsSync(path.join(wb.modelsFolder(trainTps), '.training.lock')), 'the training lock is released');
  });

  it('reports a killed engine with what to do, and the next job runs on a fresh engine', async function () {
    const job = vscode.commands.executeCommand<TrainResult | undefined>('landmarks.train', { data: trainTps, ...TINY, inputSize: '64x48', epochs: 200, out: path.join(wb.modelsFolder(trainTps), 'killed-run') });
    const pid = await waitFor('the engine to train', () => wb.engine.training && wb.engine.pid);
    process.kill(pid, 'SIGKILL');
    assert.strictEqual(await job, undefined);
    assert.match(wb.lastTraining()?.error ?? '', /killed by SIGKILL.*memory/);
    await wb.waitForTrainingRender((x) => x.state === 'failed');
    // The manual files are untouched and the engine comes back for the next job.
    // Evaluate as from the explorer: two TPS files selected, the predicted one recognised by its name.
    const manualUri = vscode.Uri.file(heldOutTps);
    const predictedUri = vscode.Uri.file(predicted ?? heldOutTps);
    const ev = await vscode.commands.executeCommand<EvaluationResult | undefined>('landmarks.evaluate', predictedUri, [predictedUri, manualUri]);
    assert.ok(ev && ev.matched === HELD_OUT);
    assert.strictEqual(ev.manualPath, heldOutTps);
    assert.notStrictEqual(wb.engine.pid, pid);
  });

  it('what to annotate next: the held-out photos the model is least sure of, most doubtful first, in a new TPS on the photos', async function () {
    if (!defaultModel) this.skip();
    const before = fs.readdirSync(heldOutDir).sort();
    const r = await vscode.commands.executeCommand<AnnotateNextResult | undefined>('landmarks.annotateNext', { images: heldOutDir, model: defaultModel, count: 2 });
    assert.ok(r, `annotate next failed: ${wb.lastPrediction()?.error}`);
    assert.strictEqual(r.predicted, HELD_OUT);
    assert.strictEqual(path.dirname(r.out), heldOutDir);
    assert.deepStrictEqual(fs.readdirSync(heldOutDir).sort(), [...before, path.basename(r.out)].sort(), 'only the batch file is added beside the photos');
    const doc = parseTps(fs.readFileSync(r.out, 'utf8'), r.out);
    assert.strictEqual(doc.specimens.length, 2);
    assert.ok(r.picked[0].maxDoubtPx >= r.picked[1].maxDoubtPx, `most doubtful first: ${JSON.stringify(r.picked)}`);
    // The batch's most doubtful photo is the most doubtful of every prediction of the folder.
    const all = fs.readdirSync(path.join(wb.modelsFolder(heldOutDir), 'annotate-next')).filter((f) => f.endsWith('-predicted.tps'));
    assert.ok(all.length >= 1);
    const uri = vscode.Uri.file(r.out);
    await waitFor('the batch in the Landmark Editor', () => editor.state(uri)?.ready, { timeoutMs: 60_000 });
    const shown = await editor.waitForRender(uri, (x) => x.specimen === 0 && x.imageLoaded, 60_000);
    assert.strictEqual(shown.drawn, 12);
    if (screenshotsAvailable()) {
      // the most doubtful photo's predicted landmarks over the photo, ready to correct
      const drawn = await assertLandmarksDrawn(await screenshot('annotate-next'), { landmarks: 12, photo: true });
      console.log(`    annotate-next: ${drawn.blobs.blobs} markers over the photo (most common colour ${(100 * drawn.flat).toFixed(0)}%)`);
    }
  });
});

/** The tab VS Code shows in front, as a custom editor's input (undefined when it is not one). */
function activeCustomTab(): vscode.TabInputCustom | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input instanceof vscode.TabInputCustom ? input : undefined;
}

function tabsOf(file: string): vscode.Tab[] {
  const key = vscode.Uri.file(file).toString();
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => {
    const input = t.input;
    return (input instanceof vscode.TabInputCustom || input instanceof vscode.TabInputText) && input.uri.toString() === key;
  });
}

/**
 * Without a model: four wings with their manual landmarks, and a "predicted" TPS of the same
 * wings as Predict writes it (beside the photos, COMMENT with confidence and doubt), its specimens
 * in the reverse order, so a card's specimen is not at the same index in the two files.
 */
describe('workbench: results card and default editor', function () {
  this.timeout(300_000);
  let wb: WorkbenchApi;
  let editor: TpsEditorApi;
  let manualTps: string;
  let predictedTps: string;
  let photosDir: string;

  before(async function () {
    const wings = requireData(this, 'drosophila-wings');
    const api = await getApi();
    wb = api.workbench;
    editor = api.editor;
    const root = await scratchDir('results-card');
    photosDir = path.join(root, 'photos');
    await fs.promises.mkdir(photosDir, { recursive: true });
    const blocks = specimenBlocks(fs.readFileSync(path.join(wings, 'landmarks.tps'), 'utf8')).slice(20, 24);
    const image = (b: string) => /IMAGE=(.*)/.exec(b)?.[1].trim() ?? '';
    for (const b of blocks) await fs.promises.copyFile(path.join(wings, 'images', image(b)), path.join(photosDir, image(b)));
    manualTps = path.join(root, 'manual.tps');
    await fs.promises.writeFile(manualTps, blocks.join(''));
    const comment = formatPredictionComment('predicted by fixture (preset default, 12 landmarks)', { confidence: 0.5, doubtPx: Array(12).fill(4) });
    // Shifted by (3, -2) px, so the errors are not zero; reverse order.
    const shifted = [...blocks].reverse().map((b) =>
      b
        .replace(/^(-?[\d.]+)\s+(-?[\d.]+)$/gm, (_m, x: string, y: string) => `${(Number(x) + 3).toFixed(2)} ${(Number(y) - 2).toFixed(2)}`)
        .replace(/\s*$/, `\nCOMMENT=${comment}\n`),
    );
    predictedTps = path.join(photosDir, 'photos-predicted.tps');
    await fs.promises.writeFile(predictedTps, shifted.join(''));
  });

  after(async () => {
    await closeAllEditors();
  });

  it('opens .tps and .TPS files with vscode.open in the Landmark Editor, its one default (no "multiple default editors" choice)', async () => {
    // The cause of the prompt: two selectors (*.tps and *.TPS), matched case-insensitively, made
    // the same editor two defaults. One selector, and an explicit association.
    const pkg = getExtension().packageJSON as { contributes: { customEditors: { viewType: string; selector: { filenamePattern: string }[] }[] } };
    const ours = pkg.contributes.customEditors.find((e) => e.viewType === 'landmarks.tpsEditor');
    assert.deepStrictEqual(ours?.selector.map((x) => x.filenamePattern.toLowerCase()), ['*.tps']);
    const assoc = vscode.workspace.getConfiguration('workbench').get<Record<string, string>>('editorAssociations') ?? {};
    assert.strictEqual(assoc['*.tps'], 'landmarks.tpsEditor', `workbench.editorAssociations: ${JSON.stringify(assoc)}`);
    const upper = path.join(path.dirname(manualTps), 'UPPER.TPS');
    await fs.promises.copyFile(manualTps, upper);
    for (const file of [manualTps, upper]) {
      await closeAllEditors();
      const uri = vscode.Uri.file(file);
      await vscode.commands.executeCommand('vscode.open', uri);
      const tab = await waitFor(`${path.basename(file)} in front`, () => activeCustomTab(), { timeoutMs: 30_000 });
      assert.strictEqual(tab.viewType, 'landmarks.tpsEditor', path.basename(file));
      assert.strictEqual(tab.uri.toString(), uri.toString());
      await waitFor(`the Landmark Editor of ${path.basename(file)} ready`, () => editor.state(uri)?.ready, { timeoutMs: 60_000 });
    }
    await closeAllEditors();
  });

  it("a click on a card opens the PREDICTED file at the card's specimen: when that editor is open and hidden, and when it is not open yet", async () => {
    await closeAllEditors();
    const predictedUri = vscode.Uri.file(predictedTps);
    const predictedDoc = parseTps(fs.readFileSync(predictedTps, 'utf8'), predictedTps);
    const indexIn = (name: string) => predictedDoc.specimens.findIndex((s) => path.basename(getField(s, 'IMAGE') ?? '', '.jpg') === name.replace(/\.jpg$/i, ''));
    // The file to correct is already open, on specimen 1, when the results view opens over it.
    await vscode.commands.executeCommand('vscode.openWith', predictedUri, 'landmarks.tpsEditor');
    await waitFor('the predicted file in the editor', () => editor.state(predictedUri)?.ready, { timeoutMs: 60_000 });
    await editor.select(0, predictedUri);
    await waitFor('specimen 1 shown', () => editor.state(predictedUri)?.selected === 0);
    const ev = await vscode.commands.executeCommand<EvaluationResult | undefined>('landmarks.evaluate', { manual: manualTps, predicted: predictedTps });
    assert.ok(ev && ev.matched === 4, `evaluation: ${JSON.stringify(ev?.matched)}`);
    await wb.waitForResultsRender(undefined, 60_000);
    const model = wb.resultsModel();
    assert.ok(model);
    const cards = model.images.map((im) => ({ name: im.name, index: indexIn(im.name), manualIndex: im.manualIndex }));
    assert.ok(cards.every((c) => c.index >= 0), JSON.stringify(cards));
    const target = cards.find((c) => c.index !== 0 && c.index !== c.manualIndex);
    assert.ok(target, `a card whose specimen is neither first nor at its manual index: ${JSON.stringify(cards)}`);

    const opened = await wb.openSpecimen(target.name);
    assert.deepStrictEqual(opened, { file: predictedTps, index: target.index });
    await waitFor(`specimen ${target.index + 1} (${target.name}) shown`, () => editor.state(predictedUri)?.selected === target.index, { timeoutMs: 30_000 });
    const shown = await editor.waitForRender(predictedUri, (r) => r.specimen === target.index, 30_000);
    assert.strictEqual(shown.specimen, target.index);
    const front = activeCustomTab();
    assert.ok(front && front.viewType === 'landmarks.tpsEditor' && front.uri.toString() === predictedUri.toString(), 'the predicted file is in front');
    assert.deepStrictEqual(tabsOf(manualTps), [], 'the manual file was not opened');

    // Not open yet (its tab closed): opened, and at the clicked specimen once its page is ready.
    await vscode.window.tabGroups.close(tabsOf(predictedTps));
    await waitFor('the editor closed', () => !editor.state(predictedUri));
    const other = cards.find((c) => c.index !== 0 && c.name !== target.name) ?? cards[cards.length - 1];
    const again = await wb.openSpecimen(other.name);
    assert.deepStrictEqual(again, { file: predictedTps, index: other.index });
    await waitFor(`specimen ${other.index + 1} shown in the new editor`, () => editor.state(predictedUri)?.ready && editor.state(predictedUri)?.selected === other.index, { timeoutMs: 30_000 });
    await editor.waitForRender(predictedUri, (r) => r.specimen === other.index, 30_000);
  });
});
