/** `tps check` run in-process (the command object, no child process); through the real CLI entry: test/engine/tps-cli.test.ts. */
import * as assert from 'assert';
import { command } from '../../src/cli/tps';
import { dataPath, requireData } from '../helpers/data';
import { runCommand } from '../helpers/cli';
import type { CheckedFile } from '../../src/cli/tps';


/** Runs the command in-process (fast), capturing what it prints. */
function inProcess(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCommand(command, args);
}

describe('CLI: tps check', function () {
  it('a readable file exits 0; bad usage exits 2; a missing path is an error', async function () {
    const tps = requireData(this, 'drosophila-wings', 'landmarks.tps');
    const ok = await inProcess('check', tps);
    assert.strictEqual(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /46 specimen\(s\), landmarks 12/);
    assert.strictEqual((await inProcess('check')).code, 2);
    assert.strictEqual((await inProcess('frobnicate')).code, 2);
    assert.strictEqual((await inProcess('check', tps, '--bogus')).code, 2);
    const missing = await inProcess('check', dataPath('no-such-file.tps'), '--json');
    assert.strictEqual(missing.code, 1);
    assert.match((JSON.parse(missing.stdout) as { files: CheckedFile[] }).files[0].errors[0].message, /no such file|ENOENT/);
  });
});
