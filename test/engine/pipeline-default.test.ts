/**
 * The `default` profile run by the stage pipeline as the engine runs it: out-of-fold starts,
 * the stages a data set can feed, progress, the model file (pipeline.json + pipeline.bin) and
 * older model folders, and that on real fly wings the refinement beats the cascade alone on
 * unseen wings.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readGrey } from '../../src/engine/imaging/read-grey';
import { foldOf } from '../../src/engine/stages/cascade/folds';
import { saveCascade } from '../helpers/legacy-model';
import { REFINE_BIN, REFINE_JSON, loadLegacyDefault, loadRefine, saveRefine } from '../../src/engine/pipeline/legacy-refine-file';
import { loadPipeline, PIPELINE_BIN, PIPELINE_JSON, PipelinePredictor, savePipeline, trainPipeline, type PipelineModel, type PipelineProgress } from '../../src/engine/pipeline/pipeline';
import { checkProfileFile, profileFile, profileOptions, resolveProfile } from '../../src/engine/pipeline/profile';
import { MIN_REFINE_PHOTOS } from '../../src/engine/pipeline/stage';
import { patchnetConfigFor } from '../../src/engine/stages/patchnet/stage';
import { ModelFileError } from '../../src/engine/model-io/errors';
import { initBackend } from '../../src/engine/backend/init';
import type { Prediction, Sample } from '../../src/engine/presets/preset';
import type { CascadeModel } from '../../src/engine/stages/cascade/cascade';
import type { ContourModel } from '../../src/engine/stages/contour/model';
import type { SdmModel } from '../../src/engine/stages/sdm';
import type { PatchNetModel } from '../../src/engine/stages/patchnet';
import { loadSamples } from '../../src/engine/train/samples';
import { requireData } from '../helpers/data';

function meanError(preds: [number, number][][], truth: Sample[]): number {
  let s = 0;
  let n = 0;
  preds.forEach((p, i) =>
    p.forEach((q, j) => {
      const m = truth[i].landmarks[j];
      if (!m) return;
      s += Math.hypot(q[0] - m[0], q[1] - m[1]);
      n++;
    }),
  );
  return s / n;
}

const names = (m: PipelineModel): string[] => m.stages.map((s) => s.stage.name);
const modelOf = <M>(m: PipelineModel, stage: string): M => m.stages.find((s) => s.stage.name === stage)?.model as M;
/** The same model with only its first `n` stages (and no calibration when that drops the refinement). */
const firstStages = (m: PipelineModel, n: number): PipelineModel => ({ ...m, stages: m.stages.slice(0, n), calibration: n > 1 ? m.calibration : undefined });

describe('pipeline: the stages of default, before and after keep-what-wins (real fly wings)', function () {
  this.timeout(180000);
  let samples: Sample[] = [];
  let dir = '';
  // the four stages default ran until the bench's keep-what-wins table (research/profiles/four-stages.json):
  // every stage kind the legacy model folders hold, and the patch CNN's wiring
  const fourStages = checkProfileFile({ name: 'four-stages', description: '', stages: [{ stage: 'cascade' }, { stage: 'contour' }, { stage: 'sdm' }, { stage: 'patchnet' }] }, 'test');
  const profile = resolveProfile(fourStages);
  before(async function () {
    const root = requireData(this, 'drosophila-wings');
    const set = await loadSamples([{ data: path.join(root, 'landmarks.tps'), images: path.join(root, 'images') }]);
    samples = [...set.samples].sort((a, b) => a.name.localeCompare(b.name));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipeline-default-'));
  });
  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('folds are round robin and balanced', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 46; i++) counts[foldOf(i, 4)]++;
    assert.deepStrictEqual(counts, [12, 12, 11, 11]);
  });

  it('on 30 training wings the refinement beats the cascade alone on 16 unseen wings, and survives save/load', async () => {
    const train = samples.filter((_, i) => i % 3 !== 0).slice(0, 30);
    const test = samples.filter((_, i) => i % 3 === 0);
    const logs: string[] = [];
    const model = await trainPipeline(profile, train, 12, { log: (m) => logs.push(m) });
    assert.ok(model, 'trained');
    // no backend named: the patch CNN is skipped (tfjs would fall back to its pure-JS backend), and the log says why
    assert.deepStrictEqual(names(model), ['cascade', 'contour', 'sdm'], logs.join(' | '));
    assert.ok(logs.some((m) => m.includes('no patchnet stage')), logs.join(' | '));
    assert.deepStrictEqual(model.profile.stages.map((s) => s.stage), ['cascade', 'contour', 'sdm'], 'the saved profile names the stages that ran');
    const cascadeOnly = new PipelinePredictor(firstStages(model, 1));
    const refined = new PipelinePredictor(model);
    const greys = await Promise.all(test.map((s) => readGrey(s.imagePath)));
    const before: Prediction[] = [];
    const after: Prediction[] = [];
    for (const g of greys) {
      before.push(await cascadeOnly.predictGrey(g));
      after.push(await refined.predictGrey(g));
    }
    const eBefore = meanError(before.map((p) => p.landmarks), test);
    const eAfter = meanError(after.map((p) => p.landmarks), test);
    // measured: ~2.9 -> ~2.4 px; the refinement must pay clearly, not just move points around
    assert.ok(eAfter < 0.95 * eBefore, `cascade ${eBefore.toFixed(2)} px, refined ${eAfter.toFixed(2)} px`);
    assert.ok(eAfter < 4, `refined ${eAfter.toFixed(2)} px`);
    for (const p of after) assert.ok(p.spreadPx?.every((d) => Number.isFinite(d) && d >= 0) && p.confidence! > 0 && p.confidence! <= 1);
    // 30 photos: the doubt is calibrated on their out-of-fold errors into a 90% bound (loose here: 16 wings x 12 landmarks)
    assert.ok(model.calibration && logs.some((m) => m.includes('doubt calibrated')), logs.join(' | '));
    let within = 0;
    after.forEach((p, i) => p.landmarks.forEach((q, j) => {
      const m = test[i].landmarks[j]!;
      if (Math.hypot(q[0] - m[0], q[1] - m[1]) <= p.spreadPx![j]) within++;
    }));
    const share = within / (12 * test.length);
    assert.ok(share >= 0.75 && share <= 0.99, `within the bound: ${(100 * share).toFixed(1)}%`);
    assert.ok(after.every((p) => p.expectedPx?.length === 12 && p.expectedPx.every((e, j) => e > 0 && e < p.spreadPx![j])), 'expected error below the 90% bound');

    await savePipeline(dir, model);
    const back = loadPipeline(dir);
    assert.deepStrictEqual(names(back), names(model));
    assert.deepStrictEqual(back.profile, model.profile, 'the resolved profile is saved with the model');
    assert.deepStrictEqual(back.calibration, model.calibration, 'calibration saved with the stages');
    const p0 = await new PipelinePredictor(back).predictGrey(greys[0]);
    p0.spreadPx!.forEach((d, j) => assert.ok(Math.abs(d - after[0].spreadPx![j]) < 1e-3, `bound ${j + 1} after reload`));
    p0.landmarks.forEach((q, j) => {
      assert.ok(Math.abs(q[0] - after[0].landmarks[j][0]) < 1e-3 && Math.abs(q[1] - after[0].landmarks[j][1]) < 1e-3, `landmark ${j + 1} after reload`);
    });

    // a model folder written before the pipeline (cascade.json + refine.json) predicts the same
    const older = path.join(dir, 'older');
    fs.mkdirSync(older, { recursive: true });
    saveCascade(older, modelOf<CascadeModel>(model, 'cascade'));
    await saveRefine(older, { contour: modelOf<ContourModel>(model, 'contour'), sdm: modelOf<SdmModel>(model, 'sdm'), calibration: model.calibration });
    assert.deepStrictEqual(loadLegacyDefault(older).profile.stages.map((s) => s.stage), ['cascade', 'contour', 'sdm'], 'an older folder says which stages it holds');
    const legacy = await new PipelinePredictor(loadLegacyDefault(older)).predictGrey(greys[0]);
    legacy.landmarks.forEach((q, j) => assert.ok(Math.hypot(q[0] - after[0].landmarks[j][0], q[1] - after[0].landmarks[j][1]) < 1e-3, `older model: landmark ${j + 1}`));
    // an older one without a calibration writes the raw doubt and no expected error
    await saveRefine(older, { contour: modelOf<ContourModel>(model, 'contour'), sdm: modelOf<SdmModel>(model, 'sdm') });
    const raw = await new PipelinePredictor(loadLegacyDefault(older)).predictGrey(greys[0]);
    assert.strictEqual(raw.expectedPx, undefined);
    assert.ok(raw.spreadPx!.some((d, j) => Math.abs(d - after[0].spreadPx![j]) > 1e-3), 'raw doubt, not the bound');
    assert.throws(() => loadLegacyDefault(path.join(dir, 'nothing-here')), (e: Error) => e instanceof ModelFileError && e.message.includes('cascade.json'));
  });

  it('on the wasm backend it also trains the patch CNN after SDM; progress runs forward stage by stage; the saved model predicts the same', async () => {
    await initBackend('wasm');
    const train = samples.filter((_, i) => i % 3 !== 0).slice(0, 30);
    const logs: string[] = [];
    const seen: PipelineProgress[] = [];
    // 60 steps a pass instead of 1000: the wiring, not the accuracy (that is the bench's job)
    const model = await trainPipeline(resolveProfile(fourStages, { 'patchnet.steps': 60 }), train, 12, { log: (m) => logs.push(m), progress: (p) => seen.push(p) }, 'wasm');
    assert.ok(model, logs.join(' | '));
    assert.deepStrictEqual(names(model), ['cascade', 'contour', 'sdm', 'patchnet'], logs.join(' | '));
    const cnn = modelOf<PatchNetModel>(model, 'patchnet');
    assert.deepStrictEqual(cnn.config.passes.map((p) => p.level), [1, 0], 'wing-sized errors: levels 1 and 0');
    // one scale for the whole run: the fraction never goes back and ends at 1; stages come in order, each with its own done/total
    assert.ok(seen.every((p, k) => k === 0 || p.fraction >= seen[k - 1].fraction - 1e-9), 'fraction never goes back');
    assert.ok(Math.abs(seen[seen.length - 1].fraction - 1) < 1e-9, `ends at ${seen[seen.length - 1].fraction}`);
    assert.deepStrictEqual([...new Set(seen.map((p) => p.stage))], ['cascade', 'contour', 'sdm', 'patchnet']);
    assert.ok(seen.every((p) => p.count === 4 && p.done <= p.total));
    // SDM reports its training error after each regression (falling) and its folds' out-of-fold error: what the live view draws as curves
    const sdmTrain = seen.filter((p) => p.stage === 'sdm' && p.metric?.name === 'training error px').map((p) => p.metric!.value);
    assert.ok(sdmTrain.length === 5 && sdmTrain[4] < 0.8 * sdmTrain[0], `SDM training errors ${sdmTrain.join(', ')}`);
    const sdmOof = seen.filter((p) => p.stage === 'sdm' && p.metric?.name === 'out-of-fold error px').map((p) => p.metric!.value);
    assert.ok(sdmOof.length === 4 && sdmOof.every((e) => e > 0 && e < 10), `SDM out-of-fold errors ${sdmOof.join(', ')}`);
    const g = await readGrey(samples[0].imagePath);
    const withCnn = await new PipelinePredictor(model).predictGrey(g);
    const without = await new PipelinePredictor(firstStages(model, 3)).predictGrey(g);
    assert.ok(withCnn.landmarks.some((p, j) => Math.hypot(p[0] - without.landmarks[j][0], p[1] - without.landmarks[j][1]) > 1e-3), 'the CNN moves the landmarks');
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'pipeline-cnn-'));
    try {
      await savePipeline(d, model);
      const back = loadPipeline(d);
      assert.strictEqual(back.profile.stages.find((s) => s.stage === 'patchnet')?.options.steps, 60, 'the option the user set is in the saved profile');
      const again = await new PipelinePredictor(back).predictGrey(g);
      again.landmarks.forEach((p, j) => assert.ok(Math.hypot(p[0] - withCnn.landmarks[j][0], p[1] - withCnn.landmarks[j][1]) < 1e-3, `landmark ${j + 1} after reload`));
    } finally {
      fs.rmSync(d, { recursive: true, force: true });
    }
  });

  it('scales the patch CNN to the error it is handed: mollusk-sized errors at levels 4/3, wing-sized at 1/0', () => {
    const m = patchnetConfigFor(40, 2, 5);
    assert.deepStrictEqual(m.passes.map((p) => p.level), [4, 3]);
    assert.deepStrictEqual(m.passes.map((p) => p.noisePx), [50, 24]);
    const w = patchnetConfigFor(2.7, 0, 3);
    assert.deepStrictEqual(w.passes.map((p) => p.level), [1, 0]);
    assert.ok(Math.abs(w.passes[0].noisePx - 3.375) < 1e-9 && Math.abs(w.passes[1].maxOffsetPx - 7.425) < 1e-9);
    // never below the lowest level kept in memory, never above the pyramid
    assert.deepStrictEqual(patchnetConfigFor(2.7, 2, 5).passes.map((p) => p.level), [3, 2]);
    assert.deepStrictEqual(patchnetConfigFor(500, 0, 3).passes.map((p) => p.level), [2, 1]);
  });

  it('a damaged model file is named in the error, in the pipeline file and in an older folder', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'pipeline-damaged-'));
    try {
      fs.writeFileSync(path.join(empty, PIPELINE_JSON), JSON.stringify({ format: 'landmarks-pipeline', version: 1, profile, landmarkCount: 12, levels: 3, stages: [{ stage: 'sdm', meta: {}, offset: 0, length: 4 }] }));
      fs.writeFileSync(path.join(empty, PIPELINE_BIN), Buffer.alloc(8));
      assert.throws(() => loadPipeline(empty), (e: Error) => e instanceof ModelFileError && e.message.includes(PIPELINE_BIN) && e.message.includes('16 expected'));
      fs.writeFileSync(path.join(empty, PIPELINE_BIN), Buffer.alloc(16));
      assert.throws(() => loadPipeline(empty), (e: Error) => e instanceof ModelFileError && e.message.includes(PIPELINE_JSON) && e.message.includes('stage sdm'));
      fs.writeFileSync(path.join(empty, PIPELINE_JSON), '{not json');
      assert.throws(() => loadPipeline(empty), (e: Error) => e instanceof ModelFileError && e.message.includes('corrupt'));
      // an older folder: a damaged refine.json is named too
      fs.writeFileSync(path.join(empty, REFINE_JSON), '{"format":"landmarks-refine","version":1,"stages":[{"kind":"sdm","meta":{},"offset":0,"length":4}]}');
      fs.writeFileSync(path.join(empty, REFINE_BIN), Buffer.alloc(8));
      assert.throws(() => loadRefine(empty, 12), (e: Error) => e instanceof ModelFileError && e.message.includes(REFINE_BIN) && e.message.includes('16 expected'));
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  it('profile options: declared with the profile\'s defaults, overridable, and a typo is an error naming it', () => {
    const decls = profileOptions(profileFile('default'));
    assert.ok(decls.some((d) => d.name === 'sdm.ridge' && typeof d.doc === 'string' && d.doc.length > 10));
    assert.ok(decls.every((d) => /^(folds|[a-z]+\.[A-Za-z]+)$/.test(d.name)), decls.map((d) => d.name).join(', '));
    const p = resolveProfile(profileFile('default'), { 'sdm.ridge': '3', folds: 5 });
    assert.strictEqual(p.stages.find((s) => s.stage === 'sdm')?.options.ridge, 3);
    assert.strictEqual(p.folds, 5);
    assert.throws(() => resolveProfile(profileFile('default'), { 'sdm.rigde': 3 }), /unknown option "sdm.rigde"/);
    assert.throws(() => resolveProfile(fourStages, { 'patchnet.steps': 0.5 }), /patchnet.steps.*whole number/);
    assert.throws(() => resolveProfile(profileFile('default'), { 'patchnet.steps': 60 }), /unknown option "patchnet.steps"/, 'an option of a stage the profile does not run is refused');
  });

  it(`with fewer than ${MIN_REFINE_PHOTOS} complete photos it trains the cascade only and says why`, async () => {
    const logs: string[] = [];
    const model = await trainPipeline(profile, samples.slice(0, MIN_REFINE_PHOTOS - 1), 12, { log: (m) => logs.push(m) });
    assert.ok(model);
    assert.deepStrictEqual(names(model), ['cascade']);
    assert.ok(logs.some((m) => m.includes('no sdm stage') && m.includes(`< ${MIN_REFINE_PHOTOS}`)), logs.join(' | '));
  });
});
