/**
 * The deep heatmap stage: input-frame geometry, sub-pixel peak decoding, the saved form's round
 * trip, and that a short training on the real fly wings beats the mean shape on held-out photos.
 */
import * as assert from 'assert';
import { promises as fs } from 'fs';
import * as path from 'path';
import { initBackend } from '../../src/engine/backend/init';
import { decodeFullGrey } from '../../src/engine/data/image';
import {
  applyHeatmapMany,
  decodePeak,
  DEFAULT_HEATMAP,
  deserialiseHeatmap,
  disposeHeatmap,
  heatmapInput,
  serialiseHeatmap,
  toInput,
  toOriginal,
  trainHeatmap,
  type HeatmapConfig,
  type HeatmapItem,
} from '../../src/engine/stages/heatmap';
import { parseTps } from '../../src/shared/tps';
import { restoreBackendAfter } from '../helpers/backend';

const WINGS = path.resolve(__dirname, '../../../shared/data/drosophila-wings');

describe('deep heatmap stage', function () {
  restoreBackendAfter();

  it('maps original pixels into the letterboxed input frame and back, and area-averages', function () {
    // 40 x 20 photo, left half 0, right half 200, into 16 x 16: scale 0.4, 4 letterbox rows top and bottom
    const data = new Float32Array(40 * 20);
    for (let y = 0; y < 20; y++) for (let x = 20; x < 40; x++) data[y * 40 + x] = 200;
    const inp = heatmapInput({ width: 40, height: 20, data }, { inputWidth: 16, inputHeight: 16 });
    assert.strictEqual(inp.scale, 0.4);
    for (const [x, y] of [[0, 0], [39, 19], [12.3, 7.7]]) {
      const [ix, iy] = toInput(inp, x, y);
      const [ox, oy] = toOriginal(inp, ix, iy);
      assert.ok(Math.abs(ox - x) < 1e-9 && Math.abs(oy - y) < 1e-9);
    }
    // the photo's corners' outer edges land on the frame's edges / letterbox bounds
    assert.ok(Math.abs(toInput(inp, -0.5, -0.5)[0] - -0.5) < 1e-9 && Math.abs(toInput(inp, -0.5, -0.5)[1] - 3.5) < 1e-9);
    const at = (x: number, y: number): number => inp.image.data[y * 16 + x];
    assert.ok(Math.abs(at(2, 8)) < 1e-4 && Math.abs(at(13, 8) - 200) < 1e-3, 'halves keep their values');
    assert.ok(Math.abs(at(5, 1) - 100) < 1e-3, 'letterbox is the photo mean');
  });

  it('decodes a Gaussian at a sub-pixel position exactly', function () {
    const w = 20;
    const h = 14;
    const K = 2;
    const map = new Float32Array(w * h * K);
    const truth = [[7.3, 5.8], [12.65, 9.1]];
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let k = 0; k < K; k++) map[(y * w + x) * K + k] = Math.exp(-((x - truth[k][0]) ** 2 + (y - truth[k][1]) ** 2) / (2 * 1.5 * 1.5));
      }
    }
    for (let k = 0; k < K; k++) {
      const p = decodePeak(map, 0, w, h, K, k);
      assert.ok(Math.hypot(p.x - truth[k][0], p.y - truth[k][1]) < 1e-6, `landmark ${k}: ${p.x}, ${p.y}`);
      assert.ok(p.spread > 0.5 && p.spread < 2, `spread ${p.spread}`);
    }
  });

  it('learns the fly wings in a short training, and its saved form predicts the same', async function () {
    this.timeout(120000);
    try {
      await fs.access(path.join(WINGS, 'landmarks.tps'));
    } catch {
      console.log(`      (skipped: no real data at ${WINGS})`);
      this.skip();
    }
    await initBackend('wasm');
    const cfg: HeatmapConfig = { ...DEFAULT_HEATMAP, inputWidth: 64, inputHeight: 48, steps: 150, channels: 8 };
    const doc = parseTps(await fs.readFile(path.join(WINGS, 'landmarks.tps'), 'utf8'));
    const items: HeatmapItem[] = [];
    for (const sp of doc.specimens.slice(0, 30)) {
      const image = sp.fields.find((f) => f.key === 'IMAGE')?.value ?? '';
      const g = await decodeFullGrey(path.join(WINGS, 'images', image));
      const input = heatmapInput({ width: g.width, height: g.height, data: Float32Array.from(g.data) }, cfg);
      items.push({ input, truth: sp.landmarks.map((p) => (p ? [p.x, g.height - p.y] : null)) });
    }
    const train = items.slice(0, 24);
    const test = items.slice(24);
    const K = items[0].truth.length;
    const meanShape = Array.from({ length: K }, (_, k) => [0, 1].map((a) => train.reduce((s, it) => s + (it.truth[k] as [number, number])[a], 0) / train.length));
    const errOf = (pred: (i: number, k: number) => number[]): number => {
      let s = 0;
      test.forEach((it, i) => it.truth.forEach((t, k) => (s += Math.hypot(pred(i, k)[0] - (t as number[])[0], pred(i, k)[1] - (t as number[])[1]))));
      return s / (test.length * K);
    };
    const start = errOf((_, k) => meanShape[k]);
    const model = await trainHeatmap(train, K, cfg);
    assert.ok(model);
    const preds = await applyHeatmapMany(model, test.map((t) => t.input));
    const err = errOf((i, k) => preds[i].landmarks[k]);
    assert.ok(err < 0.6 * start, `held-out error ${err.toFixed(1)} px, mean shape ${start.toFixed(1)} px`);
    const { json, weights } = await serialiseHeatmap(model);
    const again = deserialiseHeatmap(JSON.parse(JSON.stringify(json)), Float32Array.from(weights));
    const preds2 = await applyHeatmapMany(again, test.map((t) => t.input));
    preds.forEach((p, i) => p.landmarks.forEach((q, k) => assert.ok(Math.hypot(q[0] - preds2[i].landmarks[k][0], q[1] - preds2[i].landmarks[k][1]) < 1e-3)));
    disposeHeatmap(model);
    disposeHeatmap(again);
  });
});
