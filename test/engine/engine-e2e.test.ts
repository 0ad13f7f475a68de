/**
 * The engine end to end on real data (12 fly wings, the paper preset at a tiny input size):
 * train, save, load, predict a folder into TPS (re-parsed: counts, IMAGE=, y up), refuse to
 * overwrite, skip a corrupt image; model-file errors; cancel keeps the best checkpoint; resume.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initBackend } from '../../src/engine/backend/init';
import * as tf from '../../src/engine/backend/tf';
import { CancelSource, type JobEnv } from '../../src/engine/env';
import { readMetadata } from '../../src/engine/model-io/metadata';
import { loadLayersModel } from '../../src/engine/model-io/layers-io';
import { openModel } from '../../src/engine/open-model';
import { predictImages } from '../../src/engine/predict';
import { splitSamples, trainModel } from '../../src/engine/train/run';
import { ArrayBatches } from '../../src/engine/train/arrays';
import { buildPaperModel } from '../../src/engine/presets/paper/model';
import { parseTps } from '../../src/shared/tps/parse';
import { getField } from '../../src/shared/tps/model';
import type { BackendName, EngineProgress, TrainOptions } from '../../src/shared/protocol/engine';
import { requireData } from '../helpers/data';

const WINGS = ['63001', '63002', '63004', '63006', '63007', '63008', '63010', '63011', '63014', '63016', '63017', '63019'];

function makeEnv(backend: BackendName, onProgress?: (p: EngineProgress, cancel: CancelSource) => void): JobEnv & { logs: string[]; cancelSource: CancelSource } {
  const cancel = new CancelSource();
  const logs: string[] = [];
  return {
    tf,
    backend,
    cancel,
    cancelSource: cancel,
    logs,
    log: (m) => logs.push(m),
    progress: (p) => onProgress?.(p, cancel),
  };
}

describe('engine end to end (fly wings, paper preset, tiny input)', function () {
  this.timeout(180000);
  let tps = '';
  let imagesDir = '';
  let tmp = '';
  let backend: BackendName = 'cpu';
  let model = '';
  const base = (): Omit<TrainOptions, 'out'> => ({
    data: tps,
    preset: 'paper',
    include: WINGS,
    inputSize: [32, 24],
    batchSize: 32,
    epochs: 2,
    seed: 7,
    validationSplit: 0.25,
  });

  before(async function () {
    const root = requireData(this, 'drosophila-wings');
    tps = path.join(root, 'landmarks.tps');
    imagesDir = path.join(root, 'images');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-e2e-'));
    backend = (await initBackend('wasm')).name;
    model = path.join(tmp, 'model');
  });
  after(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('trains 2 epochs on 12 wings and writes model.json, weights.bin and metadata.json', async () => {
    const progress: EngineProgress[] = [];
    const env = makeEnv(backend, (p) => progress.push(p));
    const r = await trainModel({ ...base(), out: model }, env);
    assert.strictEqual(r.cancelled, false);
    assert.strictEqual(r.epochs, 2);
    assert.ok(r.bestEpoch >= 1 && r.bestEpoch <= 2);
    for (const f of ['model.json', 'weights.bin', 'metadata.json']) assert.ok(fs.existsSync(path.join(model, f)), f);
    assert.ok(!fs.existsSync(path.join(model, 'checkpoint')), 'a finished run keeps only the model');
    const meta = readMetadata(model);
    assert.strictEqual(meta.preset, 'paper');
    assert.strictEqual(meta.landmarkCount, 12);
    assert.deepStrictEqual(meta.inputSize, [32, 24]);
    assert.strictEqual(meta.training.images, 12);
    assert.strictEqual(meta.training.trainImages + meta.training.validationImages, 12);
    assert.strictEqual(meta.training.validationImages, 3);
    assert.strictEqual(meta.backend, backend);
    assert.ok(r.validation && r.validation.matched === 3 && Number.isFinite(r.validation.mean));
    assert.strictEqual(meta.metrics?.perLandmarkMeanPx?.length, 12);
    // Progress: every batch of both epochs, with losses and an ETA, then validation per epoch.
    const train = progress.filter((p) => p.kind === 'train');
    assert.ok(train.some((p) => p.kind === 'train' && p.epoch === 2 && p.valLoss !== undefined));
    assert.ok(train.every((p) => p.kind === 'train' && Number.isFinite(p.trainLoss)));
    assert.ok(train.some((p) => p.kind === 'train' && p.etaSeconds !== undefined));
  });

  it('loads the model and predicts a folder into a TPS with IMAGE= and tpsDig coordinates', async () => {
    const folder = path.join(tmp, 'photos');
    fs.mkdirSync(path.join(folder, 'sub'), { recursive: true });
    for (const n of ['63001', '63002']) fs.copyFileSync(path.join(imagesDir, `${n}.jpg`), path.join(folder, `${n}.jpg`));
    fs.copyFileSync(path.join(imagesDir, '63004.jpg'), path.join(folder, 'sub', '63004.jpg'));
    fs.writeFileSync(path.join(folder, 'broken.jpg'), 'not a jpeg at all');
    const out = path.join(tmp, 'predicted.tps');
    const env = makeEnv(backend);
    const r = await predictImages({ model, images: folder, out, recursive: true }, env);
    assert.strictEqual(r.predicted, 3);
    assert.deepStrictEqual(r.skipped.map((s) => path.basename(s.path)), ['broken.jpg']);
    const doc = parseTps(fs.readFileSync(out, 'utf8'), out);
    assert.deepStrictEqual(doc.diagnostics.filter((d) => d.severity === 'error'), []);
    assert.strictEqual(doc.specimens.length, 3);
    assert.deepStrictEqual(doc.specimens.map((s) => getField(s, 'IMAGE')), ['photos/63001.jpg', 'photos/63002.jpg', 'photos/sub/63004.jpg']);
    for (const s of doc.specimens) {
      assert.strictEqual(s.landmarks.length, 12);
      assert.ok(getField(s, 'COMMENT')?.includes('model'));
      for (const p of s.landmarks) assert.ok(p && p.x >= 0 && p.x <= 631 && p.y >= 0 && p.y <= 479);
    }
    // Same numbers as the predictor gives in image pixels, flipped to y up (image height 480).
    const { predictor } = await openModel(tf, backend, model, () => undefined);
    const direct = await predictor.predict(path.join(folder, '63001.jpg'));
    predictor.dispose();
    const first = doc.specimens[0].landmarks[0]!;
    assert.ok(Math.abs(first.x - direct.landmarks[0][0]) < 0.01);
    assert.ok(Math.abs(first.y - (480 - direct.landmarks[0][1])) < 0.01);
    // Not recursive: the subfolder is left out. And an existing file is never replaced.
    const before = fs.readFileSync(out, 'utf8');
    await assert.rejects(predictImages({ model, images: folder, out }, env), /exists/);
    assert.strictEqual(fs.readFileSync(out, 'utf8'), before);
    const r2 = await predictImages({ model, images: folder, out, overwrite: true }, env);
    assert.strictEqual(r2.predicted, 2);
  });

  it('reports missing, corrupt and mismatched model files clearly', async () => {
    assert.throws(() => readMetadata(path.join(tmp, 'nope')), /model folder not found/);
    assert.throws(() => readMetadata(model, 8), /predicts 12 landmarks, but 8 are expected/);
    const bad = path.join(tmp, 'bad');
    fs.cpSync(model, bad, { recursive: true });
    const w = fs.readFileSync(path.join(bad, 'weights.bin'));
    fs.writeFileSync(path.join(bad, 'weights.bin'), w.subarray(0, w.length - 100));
    await assert.rejects(loadLayersModel(tf, bad), /weights\.bin: corrupt weights/);
    fs.writeFileSync(path.join(bad, 'model.json'), '{"modelTopology": ');
    await assert.rejects(loadLayersModel(tf, bad), /model\.json: corrupt model file/);
    fs.writeFileSync(path.join(bad, 'metadata.json'), '{"format":"landmarks-model","version":1,"preset":"paper","landmarkCount":0,"inputSize":[32,24]}');
    assert.throws(() => readMetadata(bad), /bad landmarkCount/);
    fs.writeFileSync(path.join(bad, 'metadata.json'), 'garbage');
    await assert.rejects(
      predictImages({ model: bad, images: path.join(imagesDir, '63001.jpg'), out: path.join(tmp, 'x.tps') }, makeEnv(backend)),
      /metadata\.json: corrupt metadata/,
    );
  });

  it('cancel keeps the best checkpoint, and resume continues from it', async () => {
    const dir = path.join(tmp, 'cancelled');
    // Cancel as soon as epoch 2 starts: epoch 1 is complete and saved.
    const env = makeEnv(backend, (p, cancel) => {
      if (p.kind === 'train' && p.epoch === 2) cancel.cancel();
    });
    const r = await trainModel({ ...base(), out: dir, epochs: 3 }, env);
    assert.strictEqual(r.cancelled, true);
    assert.strictEqual(r.epochs, 1);
    assert.strictEqual(r.bestEpoch, 1);
    assert.strictEqual(readMetadata(dir).training.cancelled, true);
    assert.ok(fs.existsSync(path.join(dir, 'checkpoint', 'state.json')), 'a cancelled run keeps its checkpoint');
    const { predictor } = await openModel(tf, backend, dir, () => undefined);
    const p = await predictor.predict(path.join(imagesDir, '63001.jpg'));
    predictor.dispose();
    assert.strictEqual(p.landmarks.length, 12);

    const env2 = makeEnv(backend);
    const r2 = await trainModel({ ...base(), out: dir, epochs: 3, resume: true }, env2);
    assert.ok(env2.logs.some((l) => /resuming after epoch 1/.test(l)), env2.logs.join('\n'));
    assert.strictEqual(r2.cancelled, false);
    assert.strictEqual(r2.epochs, 3);
    assert.strictEqual(readMetadata(dir).training.epochs, 3);
  });

  it('is seeded: same seed, same split, batch order and initial weights; another seed differs', () => {
    const a = buildPaperModel(tf, [32, 24], 12, 7);
    const b = buildPaperModel(tf, [32, 24], 12, 7);
    const c = buildPaperModel(tf, [32, 24], 12, 8);
    try {
      const w = (m: typeof a): Float32Array => m.getLayer('conv1').getWeights()[0].dataSync() as Float32Array;
      assert.deepStrictEqual(w(a), w(b));
      assert.notDeepStrictEqual(w(a), w(c));
    } finally {
      [a, b, c].forEach((m) => m.dispose());
    }
    const samples = WINGS.map((name) => ({ name, imagePath: `${name}.jpg`, landmarks: [] }));
    const names = (seed: number): string[] => splitSamples(samples, 0.25, seed).validation.map((s) => s.name);
    assert.deepStrictEqual(names(7), names(7));
    assert.notDeepStrictEqual(names(7), names(8));
    const set = { images: new Float32Array(12 * 4), targets: new Float32Array(12 * 2).map((_, i) => i), count: 12, height: 2, width: 2, channels: 1, outputs: 2 };
    const order = (seed: number, epoch: number): number[] => {
      const batch = new ArrayBatches(tf, set, 12, seed).batch(epoch, 0);
      const ys = Array.from(batch.ys.dataSync());
      batch.xs.dispose();
      batch.ys.dispose();
      batch.mask?.dispose();
      return ys.filter((_, i) => i % 2 === 0);
    };
    assert.deepStrictEqual(order(7, 1), order(7, 1));
    assert.notDeepStrictEqual(order(7, 1), order(7, 2), 'a new order each epoch');
    assert.notDeepStrictEqual(order(7, 1), order(8, 1));
  });
});
