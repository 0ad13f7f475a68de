/**
 * The short, seeded round of the TPS fuzz harness (test/fuzz/tps-fuzz.ts; `npm run fuzz` runs a
 * long one), and every input it ever broke (test/fuzz/crashes/), replayed.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { CRASH_DIR, fuzzTps, realCorpus, replayInput } from '../fuzz/tps-fuzz';
import { sharedDataRoot } from '../helpers/data';

describe('TPS fuzz (short round)', function () {
  this.timeout(120_000);

  it('300 generated and mutated files: nothing throws, memory follows the file, edits undo to the bytes, untouched specimens survive', async function () {
    const { runs, failures } = await fuzzTps({ runs: 300, seed: 20261202, corpus: realCorpus(sharedDataRoot), ioEvery: 30 });
    assert.strictEqual(runs, 300);
    assert.deepStrictEqual(failures.map((f) => `${f.property}: ${f.error}`), []);
  });

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
