/**
 * The short, seeded round of the TPS fuzz harness (test/fuzz/tps-fuzz.ts; `npm run fuzz` runs a
 * long one). Every input it ever broke (test/fuzz/crashes/) is replayed in the unit tier
 * (test/unit/tps-fuzz-replay.test.ts).
 */
import * as assert from 'assert';
import { fuzzTps, realCorpus } from '../fuzz/tps-fuzz';
import { sharedDataRoot } from '../helpers/data';

describe('TPS fuzz (short round)', function () {
  this.timeout(120_000);

  it('300 generated and mutated files: nothing throws, memory follows the file, edits undo to the bytes, untouched specimens survive', async function () {
    const { runs, failures } = await fuzzTps({ runs: 300, seed: 20261202, corpus: realCorpus(sharedDataRoot), ioEvery: 30 });
    assert.strictEqual(runs, 300);
    assert.deepStrictEqual(failures.map((f) => `${f.property}: ${f.error}`), []);
  });
});
