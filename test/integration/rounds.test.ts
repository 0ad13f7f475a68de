/**
 * Cross-validation rounds inside a real VS Code: "Landmarks: Run cross-validation rounds" on 16
 * real fly wings with the `default` preset and test sets of 4 -> 4 rounds, every image tested
 * exactly once, one predicted TPS with all 16, the results view drawing all 16 images; a run
 * cancelled in round 2 shows the images tested so far.
 * Screenshot: .test-artifacts/rounds-results.png.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { requireData } from '../helpers/data';
import { parseTps } from '../../src/shared/tps/parse';
import { getField } from '../../src/shared/tps/model';
import type { RoundsResult } from '../../src/shared/protocol/engine';
import type { WorkbenchApi } from '../../src/extension/workbench/register';
import { closeAllEditors, contributedCommands, getApi, scratchDir, screenshot, screenshotsAvailable, sleep, waitFor } from './helpers';
import { assertHeatmapDrawn } from './helpers/pixels';

const IMAGES = 16;
const TEST_SIZE = 4;
const LANDMARKS = 12;

describe('rounds', function () {
  this.timeout(600_000);
  let wb: WorkbenchApi;
  let tps: string;
  let names: string[];

  before(async function () {
    const wings = requireData(this, 'drosophila-wings');
    wb = (await getApi()).workbench;
    const root = await scratchDir('rounds');
    // 16 wings: their TPS blocks and photos, in the layout of the shared data (IMAGE= in images/).
    const blocks = fs
      .readFileSync(path.join(wings, 'landmarks.tps'), 'utf8')
      .split(/\r?\n(?=LM\s*=)/)
      .map((b) => b.trim() + '\n')
      .slice(0, IMAGES);
    names = blocks.map((b) => /IMAGE=(.*)/.exec(b)?.[1].trim() ?? '');
    await fs.promises.mkdir(path.join(root, 'images'), { recursive: true });
    for (const n of names) await fs.promises.copyFile(path.join(wings, 'images', n), path.join(root, 'images', n));
    tps = path.join(root, 'wings.tps');
    await fs.promises.writeFile(tps, blocks.join(''));
  });

  after(async () => {
    await closeAllEditors();
  });

  it('is contributed as a command', () => {
    assert.ok(contributedCommands().includes('landmarks.rounds'));
  });

  it('refuses a test size that leaves too few images to train on, before the engine starts', async function () {
    const r = await vscode.commands.executeCommand<RoundsResult | undefined>('landmarks.rounds', { data: tps, preset: 'default', testSize: IMAGES - 1, open: false });
    assert.strictEqual(r, undefined);
    assert.match(wb.lastRounds()?.error ?? '', /test sets of 15 do not fit 16 images\. At most 14/);
    assert.strictEqual(wb.engine.jobs.length, 0, 'nothing was sent to the engine');
  });

  it('runs 4 rounds of 4 with the default preset: every image tested once, all drawn in the results view', async function () {
    const manual = fs.readFileSync(tps, 'utf8');
    const started = Date.now();
    const r = await vscode.commands.executeCommand<RoundsResult | undefined>('landmarks.rounds', { data: tps, preset: 'default', testSize: TEST_SIZE, seed: 3 });
    assert.ok(r, `rounds failed: ${wb.lastRounds()?.error}`);
    assert.strictEqual(r.kind, 'rounds');
    assert.strictEqual(r.rounds, IMAGES / TEST_SIZE);
    assert.ok(!r.cancelled);
    assert.strictEqual(r.roundDirs?.length, 4);
    for (const d of r.roundDirs ?? []) assert.ok(fs.existsSync(path.join(d, 'metadata.json')), `round model ${d}`);
    assert.ok(r.predictedTps.startsWith(wb.modelsFolder(tps)), `${r.predictedTps} is in the models folder`);
    assert.strictEqual(fs.readFileSync(tps, 'utf8'), manual, 'the manual TPS is untouched');

    // Every image was tested once: 16 predicted specimens, one per photo, each matched.
    const doc = parseTps(fs.readFileSync(r.predictedTps, 'utf8'), r.predictedTps);
    assert.deepStrictEqual(doc.diagnostics.filter((d) => d.severity === 'error'), []);
    assert.strictEqual(doc.specimens.length, IMAGES);
    assert.deepStrictEqual(doc.specimens.map((s) => path.basename(getField(s, 'IMAGE') ?? '')).sort(), [...names].sort());
    for (const s of doc.specimens) assert.ok(s.landmarks.length === LANDMARKS && s.landmarks.every(Boolean), 'every landmark predicted');
    const ev = r.evaluation;
    assert.strictEqual(ev.matched, IMAGES);
    assert.deepStrictEqual([ev.unmatchedManual, ev.unmatchedPredicted], [[], []]);
    assert.strictEqual(ev.landmarks.length, LANDMARKS);
    assert.ok(ev.landmarks.every((l) => l.count === IMAGES), 'each landmark measured on all 16 images');
    // Predictions on unseen wings by template matching: a few px on 632x480 photos, not garbage.
    assert.ok(ev.mean > 0 && ev.mean < 40, `mean error ${ev.mean.toFixed(2)} px`);
    const message = wb.lastRounds()?.message ?? '';
    assert.match(message, new RegExp(`4 rounds, every image tested once \\(16 images\\)\\. Mean error ${ev.mean.toFixed(2)} px`));
    assert.match(message, /Files in .*rounds-default-.*: predicted\.tps, evaluation\.json/);
    const saved = JSON.parse(fs.readFileSync(path.join(path.dirname(r.predictedTps), 'evaluation.json'), 'utf8')) as { matched: number };
    assert.strictEqual(saved.matched, IMAGES);

    // The results view: all images with photos, the full heatmap, the per-landmark table.
    const drawn = await wb.waitForResultsRender(undefined, 60_000);
    assert.deepStrictEqual(
      { images: drawn.images, photos: drawn.photos, heatmapCells: drawn.heatmapCells, tableRows: drawn.tableRows },
      { images: IMAGES, photos: IMAGES, heatmapCells: IMAGES * LANDMARKS, tableRows: LANDMARKS },
    );
    const model = wb.resultsModel();
    assert.ok(model && model.images.length === IMAGES);
    assert.ok(model.images.every((i) => i.predicted.filter(Boolean).length === LANDMARKS), 'predicted points drawn for every image');
    console.log(`    ${r.rounds} rounds in ${((Date.now() - started) / 1000).toFixed(1)} s (engine ${r.seconds.toFixed(1)} s); mean error ${ev.mean.toFixed(2)} px, median ${ev.median.toFixed(2)}, p90 ${ev.p90.toFixed(2)}`);
    if (screenshotsAvailable()) {
      await sleep(500);
      const png = await screenshot('rounds-results');
      // every landmark x image cell of the heatmap on screen, in many error colours
      const seen = await assertHeatmapDrawn(png, { cells: IMAGES * LANDMARKS, minColours: 8 });
      console.log(`    rounds-results: ${seen.cells} heatmap patches in ${seen.colours} colours`);
    }
  });

  it('here, 2 rounds at once (worker processes through the CLI): the same images tested once each, the results view opens', async function () {
    const r = await vscode.commands.executeCommand<RoundsResult | undefined>('landmarks.rounds', {
      data: tps,
      preset: 'paper',
      inputSize: '64x48',
      epochs: 1,
      testSize: TEST_SIZE,
      seed: 3,
      out: path.join(wb.modelsFolder(tps), 'rounds-workers'),
      where: { kind: 'workers', workers: 2 },
    });
    assert.ok(r, `rounds on workers failed: ${wb.lastRounds()?.error}`);
    assert.strictEqual(r.rounds, IMAGES / TEST_SIZE);
    assert.strictEqual(r.evaluation.matched, IMAGES);
    const doc = parseTps(fs.readFileSync(r.predictedTps, 'utf8'), r.predictedTps);
    assert.deepStrictEqual(doc.specimens.map((s) => path.basename(getField(s, 'IMAGE') ?? '')).sort(), [...names].sort());
    assert.ok(fs.readdirSync(path.join(wb.modelsFolder(tps), 'rounds-workers', 'logs')).length >= 2, 'one log per worker');
    await wb.waitForResultsRender((x) => x.images === IMAGES, 60_000);
  });

  it('from the explorer menu: asks preset and test size, defaulting to about a fifth (3 of 16 -> 6 rounds)', async function () {
    const run = vscode.commands.executeCommand<RoundsResult | undefined>('landmarks.rounds', vscode.Uri.file(tps));
    let settled = false;
    void run.then(() => (settled = true), () => (settled = true));
    // Enter on each prompt as it comes: the preset pick (default first; its items wait for the
    // engine's descriptions, up to 20 s) and the test-set size box.
    for (let i = 0; i < 300 && !settled && wb.engine.jobs.length === 0; i++) {
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      await sleep(200);
    }
    assert.ok(settled || wb.engine.jobs.length > 0, 'Enter on the prompts started the rounds (a blocking validation message would keep the box open)');
    const r = await run;
    assert.ok(r, `rounds failed: ${wb.lastRounds()?.error}`);
    assert.strictEqual(wb.lastRounds()?.options?.preset, 'default');
    assert.strictEqual(wb.lastRounds()?.options?.testSize, 3);
    assert.strictEqual(r.rounds, 6);
    assert.strictEqual(r.evaluation.matched, IMAGES);
    await wb.waitForResultsRender((x) => x.images === IMAGES, 60_000);
  });

  it('cancels in round 2 and shows the images tested so far; the training lock is released', async function () {
    const out = path.join(wb.modelsFolder(tps), 'rounds-cancelled');
    // The paper's CNN, tiny: round 1 ends in seconds; round 2 is cancelled once an epoch of it ended.
    const run = vscode.commands.executeCommand<RoundsResult | undefined>('landmarks.rounds', {
      data: tps,
      preset: 'paper',
      inputSize: '64x48',
      epochs: 6,
      testSize: TEST_SIZE,
      seed: 3,
      out,
    });
    await waitFor(
      'round 2 to complete an epoch',
      () => {
        const p = wb.engine.training?.progress;
        return p?.kind === 'train' && /^round 2\/4/.test(p.message ?? '') && (p.epoch >= 2 || p.valLoss !== undefined);
      },
      { timeoutMs: 300_000, intervalMs: 50 },
    );
    wb.engine.cancelAll();
    const r = await run;
    assert.ok(r, `cancelled rounds reported no result: ${wb.lastRounds()?.error}`);
    assert.strictEqual(r.cancelled, true);
    assert.ok(r.rounds >= 2 && r.rounds < 4, `stopped in round ${r.rounds}`);
    const tested = r.evaluation.matched;
    assert.ok(tested === r.rounds * TEST_SIZE || tested === (r.rounds - 1) * TEST_SIZE, `${tested} images tested in ${r.rounds} rounds`);
    assert.ok(tested >= TEST_SIZE && tested < IMAGES);
    const doc = parseTps(fs.readFileSync(r.predictedTps, 'utf8'), r.predictedTps);
    assert.strictEqual(doc.specimens.length, tested, 'the predicted TPS holds the images tested so far');
    assert.match(wb.lastRounds()?.message ?? '', new RegExp(`^Cross-validation cancelled in round ${r.rounds}: ${tested} of ${IMAGES} images tested\\.`));
    const drawn = await wb.waitForResultsRender((x) => x.images === tested, 60_000);
    assert.strictEqual(drawn.photos, tested);
    assert.ok(!fs.existsSync(path.join(wb.modelsFolder(tps), '.training.lock')), 'the training lock is released');
    assert.strictEqual(wb.engine.jobs.length, 0);
  });
});
