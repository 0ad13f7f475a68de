/**
 * Every input the TPS fuzz harness ever broke (test/fuzz/crashes/), replayed: fast, so in the
 * unit tier. The short seeded fuzz round (300 inputs, seconds of CPU): test/engine/tps-fuzz.test.ts.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { CRASH_DIR, replayInput } from '../fuzz/tps-fuzz';

describe('TPS fuzz (short round)', function () {
  this.timeout(120_000);

  it('replays every input that ever broke a property (the hand-made hostile files of issue 17 among them)', async function () {
    assert.ok(fs.existsSync(CRASH_DIR), `no ${CRASH_DIR}`);
    const files = fs.existsSync(CRASH_DIR) ? fs.readdirSync(CRASH_DIR).filter((f) => f.endsWith('.tps')) : [];
    for (const f of files) {
      const text = fs.readFileSync(path.join(CRASH_DIR, f), 'utf8');
      const failures = await replayInput(text);
      assert.deepStrictEqual(failures.map((x) => `${f}: ${x.property}: ${x.error}`), []);
    }
  });
});
