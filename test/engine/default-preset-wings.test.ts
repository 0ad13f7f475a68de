/**
 * The `default` preset on a few real fly wings (../shared/data/drosophila-wings), tiny settings:
 * trains through the preset interface (files in a temp folder), loads them back, predicts.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '../../src/engine/backend/tf';
import { CancelSource } from '../../src/engine/env';
import { defaultPreset } from '../../src/engine/presets/default';
import { initialShape, type CascadeModel } from '../../src/engine/stages/cascade/cascade';
import { loadPipeline, PIPELINE_BIN, PIPELINE_JSON } from '../../src/engine/pipeline/pipeline';
import { pyramid } from '../../src/engine/imaging/grey';
import { readGrey } from '../../src/engine/imaging/read-grey';
import { fitShape, buildShapePrior } from '../../src/engine/stages/cascade/shape';
import type { ModelMetadata, Sample } from '../../src/engine/presets/preset';
import { loadSamples } from '../../src/engine/train/samples';
import { requireData } from '../helpers/data';

function meanError(a: [number, number][], b: Sample['landmarks']): number {
  let s = 0;
  let n = 0;
  a.forEach((p, j) => {
    const m = b[j];
    if (!m) return;
    s += Math.hypot(p[0] - m[0], p[1] - m[1]);
    n++;
  });
  return s / n;
}

describe('default preset on real fly wings', function () {
  let samples: Sample[] = [];
  let dir = '';
  before(async function () {
    const root = requireData(this, 'drosophila-wings');
    const set = await loadSamples([{ data: path.join(root, 'landmarks.tps'), images: path.join(root, 'images') }]);
    samples = [...set.samples].sort((a, b) => a.name.localeCompare(b.name)).slice(0, 16);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'default-preset-'));
  });
  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('trains on 12 wings, saves, loads and predicts 4 unseen wings within a few pixels', async function () {
    const train = samples.slice(0, 12);
    const test = samples.slice(12);
    const fractions: number[] = [];
    const phases: string[] = [];
    const outcome = await defaultPreset.train({
      tf,
      backend: 'cpu',
      train,
      validation: [],
      landmarkCount: 12,
      options: { ...defaultPreset.defaults('cpu'), seed: 1 },
      modelDir: dir,
      checkpointDir: dir,
      resume: false,
      cancel: new CancelSource(),
      progress: (p) => {
        fractions.push(p.fraction ?? NaN);
        if (p.phase && phases[phases.length - 1] !== p.phase.name) phases.push(p.phase.name);
      },
      log: () => undefined,
    });
    assert.strictEqual(outcome.bestEpoch, 1);
    assert.strictEqual(outcome.cancelled, false);
    // the profile's stages in order, one fraction for the whole run that never goes back
    assert.deepStrictEqual(phases, ['cascade', 'sdm']);
    assert.ok(fractions.every((f, k) => f >= 0 && f <= 1 + 1e-9 && (k === 0 || f >= fractions[k - 1] - 1e-9)), 'fraction runs forward');
    assert.ok(Math.abs(fractions[fractions.length - 1] - 1) < 1e-9);
    assert.ok(fs.existsSync(path.join(dir, PIPELINE_BIN)) && fs.existsSync(path.join(dir, PIPELINE_JSON)));
    const saved = loadPipeline(dir);
    assert.deepStrictEqual(saved.stages.map((st) => st.stage.name), ['cascade', 'sdm'], 'refinement saved');
    const model = saved.stages[0].model as CascadeModel;
    assert.strictEqual(model.count, 12);
    assert.strictEqual(model.config.levels, 3, '632 px wide wings: levels 632, 316, 158 px');

    const predictor = await defaultPreset.load(dir, { tf, backend: 'cpu', metadata: {} as ModelMetadata, log: () => undefined });
    let sumInit = 0;
    let sumFinal = 0;
    for (const s of test) {
      const p = await predictor.predict(s.imagePath);
      assert.strictEqual(p.width, 632);
      assert.strictEqual(p.height, 480);
      assert.strictEqual(p.landmarks.length, 12);
      assert.ok(p.confidence !== undefined && p.confidence > 0 && p.confidence <= 1, `confidence ${p.confidence}`);
      assert.strictEqual(p.spreadPx?.length, 12);
      const init = initialShape(model, pyramid(await readGrey(s.imagePath), model.config.levels));
      sumInit += meanError(init, s.landmarks);
      sumFinal += meanError(p.landmarks, s.landmarks);
    }
    const init = sumInit / test.length;
    const final = sumFinal / test.length;
    // 12 training wings: the refinement must beat its own starting point clearly and stay
    // within ~1.5% of the 632 px width (the full bench, 34 training wings, gives ~2.8 px).
    assert.ok(final < 0.7 * init, `refined ${final.toFixed(2)} px vs initial ${init.toFixed(2)} px`);
    assert.ok(final < 9, `mean error ${final.toFixed(2)} px`);
  });

  it('the shape prior pulls a wild landmark back and leaves a plausible shape alone', () => {
    // a hexagon-like shape of 6 landmarks (normalised) in three slightly different versions
    const base = [0.5, 0.1, 0.85, 0.3, 0.85, 0.7, 0.5, 0.9, 0.15, 0.7, 0.15, 0.3];
    const shapes = new Float32Array(3 * 12);
    for (let i = 0; i < 3; i++) for (let q = 0; q < 12; q++) shapes[i * 12 + q] = base[q] + 0.02 * Math.sin(7 * i + 3 * q);
    const prior = buildShapePrior(shapes, 3, 6, 0.001);
    const ones = [1, 1, 1, 1, 1, 1];
    const own = Float64Array.from(shapes.subarray(0, 12));
    const exact = fitShape(prior, own, ones);
    for (let q = 0; q < 12; q++) assert.ok(Math.abs(exact[q] - own[q]) < 0.01, `coordinate ${q}: ${exact[q]} vs ${own[q]}`);
    const wild = Float64Array.from(own);
    wild[3] += 0.3; // landmark 2 dragged down by 0.3 (a poor match: low weight)
    const fit = fitShape(prior, wild, [1, 0.05, 1, 1, 1, 1]);
    assert.ok(Math.abs(fit[3] - own[3]) < 0.05, `landmark 2 y ${fit[3].toFixed(3)} (wild ${wild[3].toFixed(3)}, true ${own[3].toFixed(3)})`);
  });
});
