/**
 * A profile that starts from the deep heatmap stage instead of the cascade (real fly wings, wasm):
 * the pipeline stacks SDM on the heatmap's out-of-fold answers, reports the heatmap folds' held-out
 * error as it trains, saves and loads both stages. Small and short: the wiring, not the accuracy.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initBackend } from '../../src/engine/backend/init';
import { loadPipeline, PipelinePredictor, savePipeline, trainPipeline, type PipelineProgress } from '../../src/engine/pipeline/pipeline';
import { checkProfileFile, resolveProfile } from '../../src/engine/pipeline/profile';
import type { Sample } from '../../src/engine/presets/preset';
import { loadSamples } from '../../src/engine/train/samples';
import { requireData } from '../helpers/data';

describe('pipeline: a profile that starts with the heatmap stage (real fly wings)', function () {
  this.timeout(300000);
  let samples: Sample[] = [];
  before(async function () {
    const root = requireData(this, 'drosophila-wings');
    const set = await loadSamples([{ data: path.join(root, 'landmarks.tps'), images: path.join(root, 'images') }]);
    samples = [...set.samples].sort((a, b) => a.name.localeCompare(b.name));
    await initBackend('wasm');
  });

  it('heatmap -> sdm: trains, reports the heatmap folds\' held-out error, saves and loads the same answers', async () => {
    const file = checkProfileFile(
      { name: 'deep-test', description: 'heatmap then SDM', stages: [{ stage: 'heatmap', options: { inputWidth: 64, inputHeight: 48, steps: 40, oofFolds: 2 } }, { stage: 'sdm' }] },
      'test profile',
    );
    const logs: string[] = [];
    const seen: PipelineProgress[] = [];
    const train = samples.slice(0, 20);
    const model = await trainPipeline(resolveProfile(file), train, 12, { log: (m) => logs.push(m), progress: (p) => seen.push(p) }, 'wasm');
    assert.ok(model, logs.join(' | '));
    assert.deepStrictEqual(model.stages.map((s) => s.stage.name), ['heatmap', 'sdm'], logs.join(' | '));
    assert.ok(seen.some((p) => p.stage === 'heatmap' && p.metric?.name === 'out-of-fold error px' && p.metric.value > 0), 'held-out error of the fold models as they train');
    assert.ok(seen.every((p, k) => k === 0 || p.fraction >= seen[k - 1].fraction - 1e-9));
    const test = samples[30];
    const predictor = new PipelinePredictor(model);
    const each = await predictor.predictEachStage(test.imagePath);
    assert.deepStrictEqual(each.map((e) => e.stage), ['heatmap', 'sdm']);
    const p = await predictor.predict(test.imagePath);
    assert.strictEqual(p.landmarks.length, 12);
    assert.ok(p.landmarks.every(([x, y]) => x >= 0 && x <= p.width && y >= 0 && y <= p.height), 'inside the photo');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipeline-heatmap-'));
    try {
      await savePipeline(dir, model);
      const back = new PipelinePredictor(loadPipeline(dir));
      const q = await back.predict(test.imagePath);
      q.landmarks.forEach((pt, j) => assert.ok(Math.hypot(pt[0] - p.landmarks[j][0], pt[1] - p.landmarks[j][1]) < 1e-3, `landmark ${j + 1} after reload`));
      back.dispose();
    } finally {
      predictor.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
