/**
 * `npm run fuzz [-- --runs N] [--seed S] [--io-every K]`: the long fuzz round of test/fuzz/tps-fuzz.ts
 * on the real TPS files in ../shared/data (or a small built-in set without them). Prints each
 * broken property with its input kept under test/fuzz/crashes/ (the unit test replays them), and
 * exits 1 when any property broke.
 */
import * as path from 'path';
import { parseArgs } from 'util';
import { fuzzTps, keepCrash, realCorpus } from '../test/fuzz/tps-fuzz';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { runs: { type: 'string' }, seed: { type: 'string' }, 'io-every': { type: 'string' } } });
  const runs = Number(values.runs ?? 20000);
  const seed = Number(values.seed ?? Date.now() % 2 ** 31);
  const ioEvery = Number(values['io-every'] ?? 50);
  const root = process.env.LANDMARKS_DATA ?? path.resolve(__dirname, '..', '..', 'shared', 'data');
  const corpus = realCorpus(root);
  console.log(`fuzz: ${runs} inputs from ${corpus.length || 'the built-in'} seed files, seed ${seed}, file steps every ${ioEvery}`);
  const started = Date.now();
  const { runs: done, failures } = await fuzzTps({ runs, seed, corpus, ioEvery, maxFailures: 20 });
  for (const f of failures) console.log(`FAIL ${f.property}: ${f.error}\n  input kept in ${path.relative(process.cwd(), keepCrash(f))}`);
  console.log(`fuzz: ${done} inputs in ${((Date.now() - started) / 1000).toFixed(1)} s, peak RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
  console.log(`${done - failures.length} passed, ${failures.length} failed`);
  return failures.length ? 1 : 0;
}

main().then((c) => (process.exitCode = c), (e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
