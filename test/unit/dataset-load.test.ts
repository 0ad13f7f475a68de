import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { listImageFiles, loadDataset, loadTpsFile, resolveImage, resolveImagePath, saveTpsFile } from '../../src/shared/dataset';
import { dataPath, requireData } from '../helpers/data';

describe('dataset: image resolution and loading on the real layouts', function () {
  it('mollusk: 150 specimens, every IMAGE= found in images/ (CRLF, two naming schemes)', async function () {
    const tps = requireData(this, 'mollusk', 'landmarks.tps');
    const ds = await loadDataset(tps);
    assert.strictEqual(ds.entries.length, 150);
    assert.deepStrictEqual(ds.landmarkCounts, [15]);
    assert.deepStrictEqual(ds.diagnostics, []);
    for (const e of ds.entries) {
      assert.ok(e.imagePath, e.name);
      assert.strictEqual(path.dirname(e.imagePath), dataPath('mollusk', 'images'));
      assert.strictEqual(path.parse(e.imagePath).name, e.name);
    }
    assert.ok(ds.entries.some((e) => e.name === 'Mollusk_1') && ds.entries.some((e) => e.name === '1'));
  });

  it('drosophila wings: 46 specimens of 12 landmarks with their images', async function () {
    const tps = requireData(this, 'drosophila-wings', 'landmarks.tps');
    const ds = await loadDataset(tps);
    assert.strictEqual(ds.entries.length, 46);
    assert.ok(ds.entries.every((e) => e.imagePath && e.landmarkCount === 12));
    assert.strictEqual(ds.entries[0].imagePath, dataPath('drosophila-wings', 'images', '63001.jpg'));
    const images = await listImageFiles(dataPath('drosophila-wings'), { recursive: true });
    assert.strictEqual(images.length, 46);
    assert.deepStrictEqual(await listImageFiles(dataPath('drosophila-wings')), [], 'not recursive by default');
  });

  it('mandible-right/landmarks.tps: irregular names (Md 007.JPG, Md039.JPG, Md_046.jpg, md028.jpg) resolve exactly', async function () {
    const tps = requireData(this, 'beetles', 'mandible-right', 'landmarks.tps');
    const ds = await loadDataset(tps);
    assert.strictEqual(ds.entries.length, 16);
    const found = ds.entries.map((e) => path.basename(e.imagePath ?? '?')).sort();
    const onDisk = fs.readdirSync(dataPath('beetles', 'mandible-right', 'images')).sort();
    assert.deepStrictEqual(found, onDisk);
  });

  it('mandible-right/all-specimens: 292 one-specimen files beside ../images; the 16 photos found, loosely where needed', async function () {
    const dir = requireData(this, 'beetles', 'mandible-right', 'all-specimens');
    const ds = await loadDataset(dir);
    assert.strictEqual(ds.tpsFiles.length, 292);
    assert.strictEqual(ds.entries.length, 292);
    assert.deepStrictEqual(ds.landmarkCounts, [18]);
    const withImage = ds.entries.filter((e) => e.imagePath);
    assert.strictEqual(withImage.length, 16);
    const byName = new Map(ds.entries.map((e) => [e.name, e.imagePath && path.basename(e.imagePath)]));
    assert.strictEqual(byName.get('Md 007'), 'Md 007.JPG');
    assert.strictEqual(byName.get('Md 039'), 'Md039.JPG');
    assert.strictEqual(byName.get('Md 046'), 'Md_046.jpg');
    assert.strictEqual(byName.get('Md 028'), 'md028.jpg');
    assert.strictEqual(byName.get('Md 001'), undefined);
    const notFound = ds.diagnostics.filter((d) => /image not found/.test(d.message));
    assert.strictEqual(notFound.length, 292 - 16);
    assert.ok(notFound.every((d) => d.file && d.line > 0 && d.specimen === 0));
    assert.strictEqual(ds.entries[0].name, 'Md 001', 'natural order');
    const how = await resolveImage(path.join(dir, 'Md 039.TPS'), 'Md 039.JPG');
    assert.strictEqual(how?.how, 'loose');
  });

  it('manual-256x192/pronotum: IMAGE= without extension, no photos: names kept, images reported missing', async function () {
    const dir = requireData(this, 'beetles', 'manual-256x192', 'pronotum');
    const ds = await loadDataset(dir);
    assert.strictEqual(ds.entries.length, 293);
    assert.deepStrictEqual(ds.landmarkCounts, [8]);
    assert.strictEqual(ds.entries[0].name, 'Prono_001');
    assert.ok(ds.entries.every((e) => e.imagePath === undefined));
    // With the pronotum photos folder given, the 4 photos there are found by adding the extension.
    const withImages = await loadDataset(dir, { images: dataPath('beetles', 'pronotum', 'images') });
    const found = withImages.entries.filter((e) => e.imagePath).map((e) => path.basename(e.imagePath ?? ''));
    assert.deepStrictEqual(found, ['Prono_001.JPG', 'Prono_003.JPG', 'Prono_007.JPG', 'Prono_009.JPG']);
  });

  it('a folder of parts mixes landmark counts only when asked recursively, and says so', async function () {
    const dir = requireData(this, 'beetles', 'manual-256x192');
    const flat = await loadDataset(dir, { resolveImages: false });
    assert.strictEqual(flat.entries.length, 0);
    assert.ok(flat.diagnostics.some((d) => d.severity === 'error' && /no \.tps file/.test(d.message)));
    const deep = await loadDataset(dir, { recursive: true, resolveImages: false });
    assert.strictEqual(deep.entries.length, 293 * 3 + 290 + 286);
    assert.deepStrictEqual(deep.landmarkCounts, [8, 10, 11, 16, 18]);
    assert.ok(deep.diagnostics.some((d) => /different landmark counts/.test(d.message)));
  });

  it('resolveImagePath: relative subfolder, Windows path, case and extension, in a temporary layout', async function () {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tps-resolve-'));
    try {
      fs.mkdirSync(path.join(root, 'results'));
      fs.mkdirSync(path.join(root, 'photos'));
      fs.writeFileSync(path.join(root, 'results', 'Md_028_GHT.jpg'), '');
      fs.writeFileSync(path.join(root, 'photos', 'Wing 1.PNG'), '');
      fs.writeFileSync(path.join(root, 'Prono_001.JPG'), '');
      const tps = path.join(root, 'a.tps');
      assert.strictEqual(await resolveImagePath(tps, 'results/Md_028_GHT.jpg'), path.join(root, 'results', 'Md_028_GHT.jpg'));
      assert.strictEqual(await resolveImagePath(tps, 'prono_001'), path.join(root, 'Prono_001.JPG'));
      assert.strictEqual(await resolveImagePath(tps, 'C:\\Users\\x\\wing 1.png'), undefined, 'not in the searched folders');
      assert.strictEqual(
        await resolveImagePath(tps, 'C:\\Users\\x\\wing 1.png', path.join(root, 'photos')),
        path.join(root, 'photos', 'Wing 1.PNG'),
      );
      fs.writeFileSync(tps, 'LM=1\n1 2\nIMAGE=nope.jpg\n');
      const doc = await loadTpsFile(tps);
      assert.strictEqual(doc.specimens[0].fields[0].value, 'nope.jpg');
      assert.strictEqual(doc.diagnostics.length, 0);
      const ds = await loadDataset(tps);
      assert.deepStrictEqual(
        ds.diagnostics.map((d) => [d.severity, d.line, d.specimen, d.message]),
        [['warning', 3, 0, 'image not found: IMAGE=nope.jpg']],
      );
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('saveTpsFile writes atomically, keeps the source style, and can refuse to overwrite', async function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tps-save-'));
    try {
      const file = path.join(dir, 'out.tps');
      fs.writeFileSync(file, 'LM=1\r\n1 2\r\nIMAGE=a.jpg\r\n');
      const doc = await loadTpsFile(file);
      doc.specimens[0].landmarks[0] = { x: 3.5, y: 4 };
      await saveTpsFile(file, doc);
      assert.strictEqual(fs.readFileSync(file, 'utf8'), 'LM=1\r\n3.5 4\r\nIMAGE=a.jpg\r\n');
      assert.deepStrictEqual(fs.readdirSync(dir), ['out.tps'], 'no temporary file left');
      await assert.rejects(saveTpsFile(file, doc, { noOverwrite: true }), /already exists/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
