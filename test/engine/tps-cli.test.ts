/** `tps check` through the real CLI entry (src/cli.ts run by node + tsx, as dist/cli.js would be). */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { command } from '../../src/cli/tps';
import { repoRoot, requireData } from '../helpers/data';
import { runCommand } from '../helpers/cli';
import type { CheckedFile } from '../../src/cli/tps';


function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src', 'cli.ts'), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 60000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the command in-process (fast), capturing what it prints. */
function inProcess(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCommand(command, args);
}

describe('CLI: tps check', function () {
  it('--json on the whole shared data folder: every file, right counts, no errors, exit 0', function () {
    const root = requireData(this);
    const r = cli('tps', 'check', root, '--json');
    assert.strictEqual(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { files: CheckedFile[] };
    assert.deepStrictEqual(Object.keys(out), ['files']);
    // every .tps/.TPS file under the folder, whatever datasets it holds today
    const onDisk = (fs.readdirSync(root, { recursive: true }) as string[]).filter((f) => /\.tps$/i.test(f));
    assert.ok(onDisk.length >= 4 + 23 + 293 * 3 + 290 + 286 + 292, `${onDisk.length} TPS files under ${root}`);
    assert.strictEqual(out.files.length, onDisk.length);
    const byPath = new Map(out.files.map((f) => [path.relative(root, f.path), f]));
    const expect = (rel: string, specimens: number, landmarks: number[]): void => {
      const f = byPath.get(rel);
      assert.ok(f, rel);
      assert.deepStrictEqual(Object.keys(f), ['path', 'specimens', 'landmarks', 'errors', 'warnings']);
      assert.strictEqual(f.specimens, specimens, rel);
      assert.deepStrictEqual(f.landmarks, landmarks, rel);
      assert.deepStrictEqual(f.errors, [], rel);
    };
    expect('mollusk/landmarks.tps', 150, [15]);
    expect('drosophila-wings/landmarks.tps', 46, [12]);
    expect('beetles/pronotum/landmarks.tps', 4, [8]);
    expect('beetles/mandible-right/landmarks.tps', 16, [18]);
    expect('tps-corpus/benkraj_mosquito_wings.tps', 200, [0, 14, 15]);
    expect('tps-corpus/traitfest_mlmorph_test_CRCRLF.tps', 13, [10]);
    expect('beetles/manual-256x192/mg/001.TPS', 1, [16]);
    expect('beetles/mandible-right/all-specimens/Md 039.TPS', 1, [18]);
    assert.ok(out.files.every((f) => f.errors.length === 0));
    // Images: the datasets with photos resolve, the beetle manual landmarks have none.
    for (const rel of ['mollusk/landmarks.tps', 'drosophila-wings/landmarks.tps', 'beetles/mandible-right/all-specimens/Md 039.TPS']) {
      assert.deepStrictEqual(byPath.get(rel)?.warnings, [], rel);
    }
    const w = byPath.get('beetles/manual-256x192/pronotum/p_001.TPS')?.warnings;
    assert.deepStrictEqual(w, [{ line: 10, specimen: 0, message: 'image not found: IMAGE=Prono_001' }]);
    const wings = byPath.get('tps-corpus/benkraj_mosquito_wings.tps');
    assert.ok(wings?.warnings.some((x) => x.specimen === 87 && /15 landmarks/.test(x.message)));
  });

  it('exit 1 with errors (line, specimen) for a malformed file; plain-text report names file:line', async function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tps-cli-'));
    try {
      const bad = path.join(dir, 'bad.tps');
      fs.writeFileSync(bad, 'LM=3\n1 2\n3 4\nID=a\nLM=2\n1 2\n3 4\nID=b\n');
      const r = cli('tps', 'check', bad, '--json');
      assert.strictEqual(r.code, 1);
      const out = JSON.parse(r.stdout) as { files: CheckedFile[] };
      assert.strictEqual(out.files.length, 1);
      assert.strictEqual(out.files[0].path, bad);
      assert.strictEqual(out.files[0].specimens, 2);
      assert.deepStrictEqual(out.files[0].landmarks, [2, 3]);
      assert.strictEqual(out.files[0].errors.length, 1);
      assert.strictEqual(out.files[0].errors[0].line, 1);
      assert.strictEqual(out.files[0].errors[0].specimen, 0);
      const text = await inProcess('check', dir);
      assert.strictEqual(text.code, 1);
      assert.match(text.stdout, /bad\.tps:1 \(specimen 1\): LM=3 but only 2 landmark row/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
