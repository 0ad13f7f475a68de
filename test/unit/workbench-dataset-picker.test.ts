/**
 * The Train / Evaluate dataset picker on the real data folder: each file by name with its
 * workspace-relative folder and "N specimens · K landmarks", a folder of one-specimen files as
 * one entry, the same order whatever order the files were found in, and the files a model wrote
 * (Predict's output, validation predictions in the models folder) in their own sections after
 * the manual ones.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { datasetPickEntries, relativeFolder, summariseTpsFiles, type DatasetPickEntry, type TpsFileSummary } from '../../src/extension/workbench/dataset-picker';
import { listTpsFiles } from '../../src/shared/dataset/load';
import { formatPredictionComment } from '../../src/shared/tps/review';
import { requireData } from '../helpers/data';

type Dataset = Extract<DatasetPickEntry, { kind: 'dataset' }>;
const datasets = (e: DatasetPickEntry[]) => e.filter((x): x is Dataset => x.kind === 'dataset');

/** A deterministic shuffle (the order findFiles returns is not stable). */
function shuffled<T>(list: readonly T[], seed: number): T[] {
  const out = [...list];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe('workbench dataset picker', function () {
  this.timeout(60_000);
  let data = '';
  let files: TpsFileSummary[] = [];
  let tmp = '';

  before(async function () {
    data = requireData(this, '');
    files = await summariseTpsFiles(await listTpsFiles(data, { recursive: true }));
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-picker-'));
  });
  after(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('lists the real data: relative folders, counts, one entry per one-specimen folder, no absolute path', () => {
    assert.ok(files.length > 1000, `${files.length} TPS files under ${data}`);
    const entries = datasetPickEntries(files, { roots: [{ name: 'data', path: data }] });
    const list = datasets(entries);
    const find = (description: string, label: string) => list.find((d) => d.description === description && d.label === label);
    const wings = find('drosophila-wings', 'landmarks.tps');
    assert.ok(wings, JSON.stringify(list.slice(0, 5)));
    assert.strictEqual(wings.detail, '46 specimens · 12 landmarks');
    assert.strictEqual(wings.fsPath, path.join(data, 'drosophila-wings', 'landmarks.tps'));
    assert.strictEqual(find('mollusk', 'landmarks.tps')?.detail, '150 specimens · 15 landmarks');
    assert.strictEqual(find('beetles/pronotum', 'landmarks.tps')?.detail, '4 specimens · 8 landmarks');
    // 293 one-specimen files of the paper's pronotum: one entry, the folder to train on.
    const pronotum = find('beetles/manual-256x192', 'pronotum/');
    assert.ok(pronotum && pronotum.isFolder, 'the pronotum folder is one entry');
    assert.strictEqual(pronotum.detail, '293 specimens · 8 landmarks · 293 files');
    assert.strictEqual(pronotum.fsPath, path.join(data, 'beetles', 'manual-256x192', 'pronotum'));
    assert.ok(list.length < 60, `${list.length} entries, not one per file`);
    for (const d of list) assert.ok(!path.isAbsolute(d.description), `${d.label}: ${d.description} is relative`);
    // Real files are manual landmarks: one section.
    assert.deepStrictEqual(entries.filter((e) => e.kind === 'separator').map((e) => e.label), ['Manual landmarks']);
  });

  it('keeps one order whatever order the files are found in, sorted by relative path', () => {
    const roots = [{ name: 'data', path: data }];
    const a = datasetPickEntries(files, { roots });
    for (const seed of [1, 7, 42]) assert.deepStrictEqual(datasetPickEntries(shuffled(files, seed), { roots }), a);
    const keys = datasets(a).map((d) => `${d.description}/${d.label}`);
    assert.ok(keys.indexOf('beetles/manual-256x192/elytre/') < keys.indexOf('beetles/manual-256x192/md/'));
    assert.ok(keys.indexOf('beetles/pronotum/landmarks.tps') < keys.indexOf('drosophila-wings/landmarks.tps'));
    assert.ok(keys.indexOf('drosophila-wings/landmarks.tps') < keys.indexOf('mollusk/landmarks.tps'));
  });

  it("sets predicted files (Predict's COMMENT or name) and validation outputs apart, after the manual ones", async () => {
    // A workspace as a user has it after training and predicting on the wings.
    const ws = path.join(tmp, 'wings');
    fs.mkdirSync(path.join(ws, 'held-out'), { recursive: true });
    fs.mkdirSync(path.join(ws, 'models', 'wings-default-1'), { recursive: true });
    fs.mkdirSync(path.join(ws, 'models', 'wings-rounds-default-1'), { recursive: true });
    const manual = fs.readFileSync(path.join(data, 'drosophila-wings', 'landmarks.tps'), 'utf8');
    fs.writeFileSync(path.join(ws, 'landmarks.tps'), manual);
    // Predict's output, renamed by the user: recognised by its COMMENT, not its name.
    const first = manual.split(/\n(?=LM=)/)[0].replace(/\n?$/, '\n');
    const comment = formatPredictionComment('predicted by wings-default-1 (preset default, 12 landmarks)', { confidence: 0.734, doubtPx: Array(12).fill(3.5) });
    fs.writeFileSync(path.join(ws, 'held-out', 'to-check.tps'), `${first}COMMENT=${comment}\n`);
    // Predict's default name, whatever its content.
    fs.writeFileSync(path.join(ws, 'held-out', 'held-out-predicted-2.tps'), first);
    fs.writeFileSync(path.join(ws, 'models', 'wings-default-1', 'validation-predicted.tps'), first);
    fs.writeFileSync(path.join(ws, 'models', 'wings-rounds-default-1', 'predicted.tps'), first);
    const found = await summariseTpsFiles(await listTpsFiles(ws, { recursive: true }));
    const roots = [{ name: 'wings', path: ws }];
    const entries = datasetPickEntries(found, { roots, modelsFolders: [path.join(ws, 'models')] });
    const shape = entries.map((e) => (e.kind === 'separator' ? `-- ${e.label}` : `${e.description}/${e.label}: ${e.detail}`));
    assert.deepStrictEqual(shape, [
      '-- Manual landmarks',
      'wings/landmarks.tps: 46 specimens · 12 landmarks',
      '-- Predicted by a model (correct them before training on them)',
      'held-out/held-out-predicted-2.tps: 1 specimen · 12 landmarks',
      'held-out/to-check.tps: 1 specimen · 12 landmarks',
      '-- Validation and cross-validation outputs (in the models folder)',
      'models/wings-default-1/validation-predicted.tps: 1 specimen · 12 landmarks',
      'models/wings-rounds-default-1/predicted.tps: 1 specimen · 12 landmarks',
    ]);
    // Evaluate's predicted pick: predicted first, the chosen manual file left out.
    const forPredicted = datasetPickEntries(found, { roots, modelsFolders: [path.join(ws, 'models')], order: ['predicted', 'validation', 'manual'], exclude: path.join(ws, 'landmarks.tps') });
    assert.strictEqual(forPredicted[0].kind === 'separator' && forPredicted[0].label, 'Predicted by a model (correct them before training on them)');
    assert.ok(!datasets(forPredicted).some((d) => d.label === 'landmarks.tps' && d.description === 'wings'));
  });

  it('names folders relative to their workspace folder, with the folder name in a multi-root workspace', () => {
    const a = { name: 'wings', path: path.join(tmp, 'a') };
    const b = { name: 'shells', path: path.join(tmp, 'b') };
    assert.strictEqual(relativeFolder(path.join(a.path, 'x.tps'), [a]), 'wings');
    assert.strictEqual(relativeFolder(path.join(a.path, 'images', 'x.tps'), [a]), 'images');
    assert.strictEqual(relativeFolder(path.join(b.path, 'images', 'x.tps'), [a, b]), 'shells/images');
    assert.strictEqual(relativeFolder(path.join(a.path, 'x.tps'), [a, b]), 'wings');
  });
});
