/**
 * metadata.json has one parser (src/shared/model-metadata.ts): the engine opening a model and the
 * extension listing models read a file alike. What the engine writes reads back whole; what it
 * refuses, it refuses naming the file and the field, while the model list still shows the fields
 * of that file that are sound.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readMetadata, writeMetadata } from '../../src/engine/model-io/metadata';
import { readModelInfo, describeModel } from '../../src/extension/workbench/models';
import type { ModelMetadata } from '../../src/shared/model-metadata';

const META: ModelMetadata = {
  format: 'landmarks-model',
  version: 1,
  preset: 'default',
  landmarkCount: 12,
  inputSize: [128, 96],
  normalisation: { image: 'grey [0,1]', coordinates: '[-1,1] of the resized image' },
  training: {
    data: '/data/wings/landmarks.tps',
    images: 46,
    trainImages: 28,
    validationImages: 18,
    epochs: 3,
    bestEpoch: 2,
    bestValLoss: 0.01,
    batchSize: 8,
    learningRate: 0.01,
    seed: 1,
    seconds: 12,
    cancelled: false,
  },
  backend: 'cpu',
  metrics: { meanPx: 3.14 },
  createdAt: '2026-12-02T14:00:00.000Z',
  engineVersion: '0.1.0',
};

describe('model metadata: one parser for the engine and the model lists', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-model-meta-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (value: unknown): void => fs.writeFileSync(path.join(dir, 'metadata.json'), typeof value === 'string' ? value : JSON.stringify(value));

  it('what the engine writes, the engine and the list read back', () => {
    writeMetadata(dir, META);
    assert.deepStrictEqual(readMetadata(dir, 12), META);
    const info = readModelInfo(dir)!;
    assert.deepStrictEqual(
      [info.preset, info.landmarkCount, info.inputSize, info.data, info.cancelled, info.meanPx, info.createdAt],
      ['default', 12, [128, 96], '/data/wings/landmarks.tps', false, 3.14, '2026-12-02T14:00:00.000Z'],
    );
    assert.strictEqual(describeModel(info), 'default · 12 landmarks · 128x96 · val 3.1 px');
  });

  for (const [what, change, refusal, listed] of [
    ['a preset this engine does not know', { preset: 'cascade' }, /metadata\.json: unknown preset "cascade"/, 'cascade · 12 landmarks · 128x96 · val 3.1 px'],
    ['a newer metadata version', { version: 2 }, /unsupported metadata version 2 \(this engine reads 1\)/, 'default · 12 landmarks · 128x96 · val 3.1 px'],
    ['a fractional landmark count', { landmarkCount: 11.5 }, /bad landmarkCount 11.5/, 'default · 128x96 · val 3.1 px'],
    ['an input size of one number', { inputSize: [128] }, /bad inputSize \[128\]/, 'default · 12 landmarks · val 3.1 px'],
    ['no format field', { format: undefined }, /format is not "landmarks-model"/, 'default · 12 landmarks · 128x96 · val 3.1 px'],
  ] as const) {
    it(`${what}: the engine refuses it by name, the list shows the sound fields`, () => {
      write({ ...META, ...change });
      assert.throws(() => readMetadata(dir), (e: Error) => refusal.test(e.message) && e.message.startsWith(path.join(dir, 'metadata.json')));
      assert.strictEqual(describeModel(readModelInfo(dir)!), listed);
    });
  }

  it('a file that is not JSON: refused as corrupt, listed bare', () => {
    write('{"format": "landmarks-model", ');
    assert.throws(() => readMetadata(dir), /corrupt metadata \(not valid JSON/);
    const info = readModelInfo(dir)!;
    assert.strictEqual(info.name, path.basename(dir));
    assert.strictEqual(describeModel(info), '');
  });
});
