/**
 * The one atomic writer (src/shared/node/atomic-write.ts): the target is the old file or the new
 * one, never a mix; a failed write leaves no temporary file behind; writes in flight at once in
 * one process each get their own temporary file.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeFileAtomic, writeFileAtomicExclusiveSync, writeFileAtomicSync } from '../../src/shared/node/atomic-write';

describe('atomic writes', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-atomic-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const listing = (): string[] => fs.readdirSync(dir).sort();

  it('replaces a file with the new bytes, creates missing folders, and leaves only the target', async () => {
    const file = path.join(dir, 'out.tps');
    fs.writeFileSync(file, 'old');
    await writeFileAtomic(file, 'LM=1\n1 2\n');
    assert.strictEqual(fs.readFileSync(file, 'utf8'), 'LM=1\n1 2\n');
    writeFileAtomicSync(path.join(dir, 'sub', 'deeper', 'a.bin'), new Uint8Array([0, 255, 7]));
    assert.deepStrictEqual([...fs.readFileSync(path.join(dir, 'sub', 'deeper', 'a.bin'))], [0, 255, 7]);
    await writeFileAtomic(path.join(dir, 'cache.png'), Buffer.from('png'), { durable: false });
    assert.deepStrictEqual(listing(), ['cache.png', 'out.tps', 'sub']);
  });

  it('a failed rename leaves the target as it was and no temporary file (async and sync)', async () => {
    // A non-empty folder where the file should go: the temp file is written, the rename fails.
    const target = path.join(dir, 'taken');
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, 'keep.txt'), 'kept');
    await assert.rejects(writeFileAtomic(target, 'new text'));
    assert.throws(() => writeFileAtomicSync(target, 'new text'));
    assert.deepStrictEqual(listing(), ['taken']);
    assert.deepStrictEqual(fs.readdirSync(target), ['keep.txt']);
    assert.strictEqual(fs.readFileSync(path.join(target, 'keep.txt'), 'utf8'), 'kept');
  });

  it('many writes of one file in flight at once in one process: none fails, the file is one whole write', async () => {
    const file = path.join(dir, 'results.csv');
    const texts = Array.from({ length: 40 }, (_, i) => `write ${i}\n`.repeat(2000 + i));
    await Promise.all(texts.map((t) => writeFileAtomic(file, t)));
    assert.ok(texts.includes(fs.readFileSync(file, 'utf8')), 'the file holds exactly one of the writes');
    assert.deepStrictEqual(listing(), ['results.csv']);
  });

  it('the exclusive write refuses an existing file, keeps it, and leaves no temporary file', () => {
    const file = path.join(dir, 'manual.tps');
    writeFileAtomicExclusiveSync(file, 'first');
    assert.throws(() => writeFileAtomicExclusiveSync(file, 'second'), /manual\.tps exists: not overwriting it/);
    assert.strictEqual(fs.readFileSync(file, 'utf8'), 'first');
    assert.deepStrictEqual(listing(), ['manual.tps']);
  });
});
