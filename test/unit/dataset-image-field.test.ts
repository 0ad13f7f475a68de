/** IMAGE= values that point at something other than a photo are refused, named, never decoded. */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { isInside, resolveImage, unresolvedImageReason } from '../../src/shared/dataset/images';
import { loadDataset } from '../../src/shared/dataset/load';
import { checkTpsFile } from '../../src/cli/tps';

describe('dataset: IMAGE= that is not a photo', function () {
  let dir: string;
  before(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'landmarks-image-field-'));
    fs.mkdirSync(path.join(dir, 'data'));
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not a photo\n');
    fs.writeFileSync(path.join(dir, 'data', 'real.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0]));
    const depth = path.resolve(dir, 'data').split(path.sep).length - 1;
    const passwd = `${'../'.repeat(depth)}etc/passwd`;
    fs.writeFileSync(
      path.join(dir, 'data', 'hostile.tps'),
      ['LM=1', '1 2', `IMAGE=${passwd}`, 'LM=1', '3 4', 'IMAGE=../notes.txt', 'LM=1', '5 6', 'IMAGE=real.jpg', ''].join('\n'),
    );
  });
  after(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('resolves a relative path to a non-image to nothing, and says why', async function () {
    const tps = path.join(dir, 'data', 'hostile.tps');
    assert.strictEqual(await resolveImage(tps, '../notes.txt'), undefined);
    assert.match(await unresolvedImageReason(tps, '../notes.txt'), /notes\.txt, which is not an image file .*: not opened$/);
    assert.strictEqual((await resolveImage(tps, 'real.jpg'))?.path, path.join(dir, 'data', 'real.jpg'));
    assert.strictEqual(await unresolvedImageReason(tps, 'nothing.jpg'), 'image not found: IMAGE=nothing.jpg');
  });

  it('tps check reports each refused IMAGE= as an error on its line, the data set loader keeps the real photo', async function () {
    const tps = path.join(dir, 'data', 'hostile.tps');
    const report = await checkTpsFile(tps);
    const refused = [...report.errors, ...report.warnings].filter((d) => /not an image file/.test(d.message));
    assert.deepStrictEqual(
      refused.map((d) => d.line),
      fs.existsSync('/etc/passwd') ? [3, 6] : [6],
    );
    assert.ok(refused.every((d) => report.errors.includes(d)), 'a path to something that is no photo is an error');
    const ds = await loadDataset(tps);
    assert.deepStrictEqual(
      ds.entries.map((e) => e.imagePath),
      [undefined, undefined, path.join(dir, 'data', 'real.jpg')],
    );
  });

  it('tells a path inside a folder from one that climbs out of it', function () {
    assert.strictEqual(isInside('/w/a/b.jpg', ['/w']), true);
    assert.strictEqual(isInside('/w', ['/w']), true);
    assert.strictEqual(isInside('/w/../etc/passwd', ['/w']), false);
    assert.strictEqual(isInside('/wx/b.jpg', ['/w']), false);
    assert.strictEqual(isInside('/x/b.jpg', ['/w', '/x']), true);
  });
});
