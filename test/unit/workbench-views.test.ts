import * as assert from 'assert';
import { addProgress, addStageMetric, chartScales, logTicks, niceTicks, pathData } from '../../src/webview/training/chart';
import type { StageCurve } from '../../src/shared/protocol/views';
import { colourAt, robustMax, textOn } from '../../src/webview/results/colour';
import { autoMagnification, cellAt, columnLabels, columnLabelText, fitInside, heatmapGrid, spatialLandmarks } from '../../src/webview/results/geometry';
import { fileStamp, freeName, parseInputSize, slug } from '../../src/extension/workbench/format';
import { formatDuration } from '../../src/shared/format';
import { progressText } from '../../src/extension/workbench/messages';
import type { LossPoint, ResultsImage } from '../../src/shared/protocol/views';

describe('workbench views maths', function () {
  it('loss curves: batches at fractional epochs, validation at epoch ends, log scale when needed', () => {
    const train: LossPoint[] = [];
    const val: LossPoint[] = [];
    addProgress(train, val, { epoch: 1, batch: 1, batches: 4, trainLoss: 1 });
    addProgress(train, val, { epoch: 1, batch: 4, batches: 4, trainLoss: 0.5, valLoss: 0.6 });
    addProgress(train, val, { epoch: 1, batch: 4, batches: 4, trainLoss: 0.45, valLoss: 0.55 }); // same point again
    addProgress(train, val, { epoch: 2, batch: 2, batches: 4, trainLoss: 0.01 });
    assert.deepStrictEqual(train, [{ x: 0.25, y: 1 }, { x: 1, y: 0.45 }, { x: 1.5, y: 0.01 }]);
    assert.deepStrictEqual(val, [{ x: 1, y: 0.55 }]);
    const L = { width: 400, height: 200, left: 50, right: 10, top: 10, bottom: 30 };
    const { x, y } = chartScales([train, val], 5, L);
    assert.ok(y.log, 'a 100x range uses a log axis');
    assert.strictEqual(x(0), 50);
    assert.strictEqual(x(5), 390);
    assert.ok(y(1) < y(0.01), 'larger loss drawn higher');
    assert.match(pathData(train, x, y), /^M\d+\.\d \d+\.\dL.*L/);
    const zoomed = chartScales([[{ x: 8, y: 1 }]], 200, L);
    assert.strictEqual(zoomed.x.domain[1], 10, '200 planned epochs, 8 done: the axis shows 10');
    const lin = chartScales([[{ x: 1, y: 2 }, { x: 2, y: 3 }]], 2, L);
    assert.strictEqual(lin.y.log, false);
    assert.deepStrictEqual(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
    assert.deepStrictEqual(logTicks(0.01, 1), [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1]);
  });

  it('colours, heatmap grid hit-testing and spatial error vectors', () => {
    assert.deepStrictEqual(colourAt(0), [68, 1, 84]);
    assert.deepStrictEqual(colourAt(1), [253, 231, 37]);
    assert.deepStrictEqual(colourAt(7), [253, 231, 37], 'clamped');
    assert.strictEqual(textOn(colourAt(1)), '#000');
    assert.strictEqual(textOn(colourAt(0)), '#fff');
    assert.strictEqual(robustMax([1, 2, null, 3, 100]), 100);
    assert.strictEqual(robustMax(Array.from({ length: 100 }, (_, i) => i)), 94, 'p95, robust to one outlier');
    const g = heatmapGrid(12, 20, 600);
    assert.strictEqual(g.cell, 27);
    assert.deepStrictEqual(cellAt(g, g.left + 27 * 3 + 1, g.top + 27 * 11 + 26), { row: 11, col: 3 });
    assert.strictEqual(cellAt(g, g.left - 1, g.top), undefined);
    assert.strictEqual(heatmapGrid(12, 1000, 600).cell, 4, 'cells never vanish');
    assert.deepStrictEqual(fitInside(632, 480, 420, 320), { scale: 420 / 632, width: 420, height: 319 });
    const ref: ResultsImage = { name: 'r', width: 100, height: 100, manual: [{ x: 10, y: 10 }, null], predicted: [{ x: 12, y: 10 }, null], errors: [2, null], mean: 2 };
    const big: ResultsImage = { name: 'b', width: 200, height: 200, manual: [{ x: 20, y: 20 }, { x: 1, y: 1 }], predicted: [{ x: 20, y: 30 }, { x: 1, y: 2 }], errors: [10, 1], mean: 5.5 };
    const s = spatialLandmarks([ref, big], ref, 2);
    assert.strictEqual(s.length, 1, 'a landmark missing on the reference image is not placed');
    assert.deepStrictEqual(s[0].vectors, [{ x: 2, y: 0 }, { x: 0, y: 5 }], 'vectors rescaled to the reference width');
    assert.strictEqual(s[0].mean, 6);
    assert.strictEqual(autoMagnification(2.5, 632), 5, 'wings: 2.5 px errors drawn x5');
    assert.strictEqual(autoMagnification(26, 2000), 2);
    assert.strictEqual(autoMagnification(100, 632), 1, 'never shortened');
    assert.strictEqual(autoMagnification(0.01, 632), 50, 'capped');
  });

  it('heatmap column labels: every image when cells are wide, one in n (never overlapping) when narrow, rotated when wider than a column', () => {
    const measure = (t: string) => t.length * 6; // 10 px sans-serif, about 6 px a character
    const names = Array.from({ length: 34 }, (_, i) => `630${String(i + 10)}.jpg`);
    const wide = columnLabels(names, heatmapGrid(12, 34, 1000).cell, measure);
    assert.strictEqual(wide.every, 1);
    assert.deepStrictEqual(wide.labels.map((l) => l.text), names.map((n) => n.replace('.jpg', '')), 'the image names, extension dropped');
    assert.strictEqual(wide.rotated, true, '5 characters (30 px) do not fit a 28 px column');
    assert.strictEqual(wide.height, 36);
    const narrow = columnLabels(Array.from({ length: 293 }, (_, i) => `beetle-${i}.jpg`), heatmapGrid(8, 293, 900).cell, measure);
    assert.strictEqual(narrow.every, 3, '4 px cells: one label every 3 columns (12 px apart)');
    assert.deepStrictEqual(narrow.labels.slice(0, 3).map((l) => l.col), [0, 3, 6]);
    assert.strictEqual(narrow.labels.length, 98);
    const flat = columnLabels(['a.png', 'b.png'], 28, measure);
    assert.strictEqual(flat.rotated, false, 'one letter fits its column: drawn level');
    assert.strictEqual(flat.height, 16);
    assert.strictEqual(columnLabelText('a-very-long-specimen-name-from-the-museum.tif', measure, 60), 'a-very-lo…');
    assert.ok(measure(columnLabelText('a-very-long-specimen-name-from-the-museum.tif', measure, 60)) <= 60);
    assert.deepStrictEqual(columnLabels([], 12, measure), { every: 1, labels: [], rotated: false, height: 0 });
  });

  it('formats progress and names files', () => {
    assert.strictEqual(formatDuration(42.4), '42 s');
    assert.strictEqual(formatDuration(185), '3 min 05 s');
    assert.strictEqual(formatDuration(3720), '1 h 02 min');
    assert.strictEqual(formatDuration(undefined), '');
    assert.deepStrictEqual(parseInputSize('256x192'), [256, 192]);
    assert.strictEqual(parseInputSize(''), undefined);
    assert.throws(() => parseInputSize('256'), /WIDTHxHEIGHT/);
    assert.throws(() => parseInputSize('8x8'), /out of range/);
    const taken = new Set(['images-predicted.tps', 'images-predicted-2.tps']);
    assert.strictEqual(freeName('images-predicted', '.tps', (n) => taken.has(n)), 'images-predicted-3.tps');
    assert.strictEqual(slug('My wings (2024).tps'), 'My-wings-2024');
    assert.match(fileStamp(new Date(2026, 10, 25, 9, 5, 3)), /^20261125-090503$/);
    assert.strictEqual(
      progressText({ kind: 'train', epoch: 3, epochs: 20, batch: 2, batches: 9, trainLoss: 0.01234, valLoss: 0.015, etaSeconds: 65 }),
      'epoch 3/20 · batch 2/9 · loss 0.01234 · val 0.01500 · ETA 1 min 05 s',
    );
    assert.strictEqual(
      progressText({ kind: 'train', epoch: 1, epochs: 1, batch: 3, batches: 12, message: 'cutting patches 3/12', etaSeconds: 1 }),
      'epoch 1/1 · batch 3/12 · cutting patches 3/12 · ETA 1 s',
      'a preset without losses says what it does',
    );
    assert.strictEqual(
      progressText({ kind: 'train', epoch: 1, epochs: 1, batch: 40, batches: 160, phase: { name: 'sdm', index: 3, count: 4, done: 40, total: 160 }, fraction: 0.55, metric: { name: 'out-of-fold error px', value: 2.345 }, etaSeconds: 65 }),
      'stage 3/4 sdm 40/160 · out-of-fold error px 2.35 · ETA 1 min 05 s',
      'a preset of stages says which stage, how far, its metric; no epoch 1/1',
    );
  });

  it('stage curves: one per stage metric, placed by the share of the whole run, never going back', () => {
    const curves: StageCurve[] = [];
    const at = (name: string, fraction: number, value?: number) => addStageMetric(curves, { phase: { name }, fraction, ...(value !== undefined ? { metric: { name: 'error px', value } } : {}) });
    at('cascade', 0.1, 30);
    at('cascade', 0.2, 25);
    at('cascade', 0.2, 24); // same place: replaced
    at('cascade', 0.15, 99); // behind: ignored
    at('contour', 0.3); // no metric: no curve
    at('sdm', 0.6, 12);
    assert.deepStrictEqual(curves.map((c) => [c.name, c.points.map((p) => [Math.round(p.x), p.y])]), [
      ['cascade: error px', [[10, 30], [20, 24]]],
      ['sdm: error px', [[60, 12]]],
    ]);
  });
});
