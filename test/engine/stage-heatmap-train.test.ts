/** The deep heatmap stage: a short training on the real fly wings (wasm) and its saved form; its geometry and peak decoding: test/unit/stage-heatmap.test.ts. */
import * as assert from 'assert';
import { promises as fs } from 'fs';
import * as path from 'path';
import { initBackend } from '../../src/engine/backend/init';
import { decodeFullGrey } from '../../src/engine/data/image';
import {
  applyHeatmapMany,
  DEFAULT_HEATMAP,
  deserialiseHeatmap,
  disposeHeatmap,
  heatmapInput,
  serialiseHeatmap,
  trainHeatmap,
  type HeatmapConfig,
  type HeatmapItem,
} from '../../src/engine/stages/heatmap';
import { parseTps } from '../../src/shared/tps';
import { restoreBackendAfter } from '../helpers/backend';

const WINGS = path.resolve(__dirname, '../../../shared/data/drosophila-wings');

describe('deep heatmap stage', function () {
  restoreBackendAfter();

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
