/**
 * Hostile and pathological TPS files through the real CLI (`tps check`, run by node + tsx as
 * dist/cli.js would be) with the V8 heap capped at 400 MB: a declared count that would allocate
 * gigabytes, non-finite numbers, an IMAGE= that climbs out to a file that is no photo. Each must
 * exit 1 with errors naming their lines, never die.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { repoRoot } from '../helpers/data';
import { parseTps } from '../../src/shared/tps/parse';

interface Issue {
  line: number;
  message: string;
}
interface FileReport {
  errors: Issue[];
  warnings: Issue[];
  specimens: number;
}

function check(file: string): { code: number | null; report?: FileReport; stderr: string } {
  const r = spawnSync(process.execPath, ['--max-old-space-size=400', '--import', 'tsx', path.join(repoRoot, 'src', 'cli.ts'), 'tps', 'check', file, '--json'], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 60_000,
  });
  const report = r.stdout ? (JSON.parse(r.stdout) as { files: FileReport[] }).files[0] : undefined;
  return { code: r.status, ...(report ? { report } : {}), stderr: r.stderr };
}

const crashes = path.join(repoRoot, 'test', 'fuzz', 'crashes');

describe('hostile TPS files (tps check, heap capped at 400 MB)', function () {
  this.timeout(120_000);

  it('LM=999999999 before one row: exit 1, the count named as ignored on line 1, the row read', function () {
    const r = check(path.join(crashes, 'issue17-huge-count.tps'));
    assert.strictEqual(r.code, 1, r.stderr);
    assert.deepStrictEqual(r.report!.errors.map((e) => e.line), [1]);
    assert.match(r.report!.errors[0].message, /LM=999999999 .*the count is ignored/);
    assert.strictEqual(parseTps(fs.readFileSync(path.join(crashes, 'issue17-huge-count.tps'), 'utf8')).specimens[0].landmarks.length, 1);
  });

  it('1e309 and NaN as coordinates: exit 1; the infinite one unreadable (error, line 2), NaN read as missing and said (line 3)', function () {
    const r = check(path.join(crashes, 'issue17-non-finite.tps'));
    assert.strictEqual(r.code, 1, r.stderr);
    assert.deepStrictEqual(r.report!.errors.map((e) => e.line), [2]);
    assert.match(r.report!.errors[0].message, /1e309 2.*too large/);
    assert.ok(r.report!.warnings.some((w) => w.line === 3 && /NaN, read as a missing landmark/.test(w.message)), JSON.stringify(r.report!.warnings));
  });

  it('absurd CURVES=/POINTS=/OUTLINES= counts and a garbled row: exit 1, each named on its line, the rest read', function () {
    const r = check(path.join(crashes, 'issue17-absurd-curve-counts.tps'));
    assert.strictEqual(r.code, 1, r.stderr);
    const lines = r.report!.errors.map((e) => e.line);
    assert.ok(lines.includes(2), `garbled row line 2 not reported: ${JSON.stringify(r.report!.errors)}`);
    assert.ok(lines.some((l) => l >= 5), `absurd counts not reported: ${JSON.stringify(r.report!.errors)}`);
    const doc = parseTps(fs.readFileSync(path.join(crashes, 'issue17-absurd-curve-counts.tps'), 'utf8'));
    assert.deepStrictEqual(doc.specimens[0].landmarks, [null, { x: 1, y: 2 }, { x: 3, y: 4 }]);
  });

  it('IMAGE= climbing out of the data set to /etc/passwd: exit 1, named as no image, never decoded', function () {
    if (!fs.existsSync('/etc/passwd')) this.skip();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'landmarks-hostile-'));
    try {
      const up = '../'.repeat(path.resolve(dir).split(path.sep).length - 1);
      const file = path.join(dir, 'passwd.tps');
      fs.writeFileSync(file, `LM=1\n1 2\nIMAGE=${up}etc/passwd\n`);
      const r = check(file);
      assert.strictEqual(r.code, 1, r.stderr);
      assert.deepStrictEqual(r.report!.errors.map((e) => e.line), [3]);
      assert.match(r.report!.errors[0].message, /points to \/etc\/passwd, which is not an image file/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
