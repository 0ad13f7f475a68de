/**
 * Where a `default` model's prediction time goes on full-size photos: decode alone, then each
 * stage, then whole predictions one at a time and with the predictor's photos in flight.
 *
 *   node dist/cli.js train --data ../shared/data/mollusk/landmarks.tps --out /tmp/mollusk-model --backend wasm
 *   npx tsx research/predict-speed.ts /tmp/mollusk-model ../shared/data/mollusk/images [photos]
 */
import * as fs from 'fs';
import * as path from 'path';
import { loadPipeline, PipelinePredictor } from '../src/engine/pipeline/pipeline';
import { readGrey } from '../src/engine/imaging/read-grey';
import { pyramid } from '../src/engine/imaging/grey';
import { predictEach } from '../src/engine/predict-each';
import type { StageAnswer } from '../src/engine/pipeline/stage';

async function main(): Promise<void> {
  const [modelDir, imageDir, count] = process.argv.slice(2);
  if (!modelDir || !imageDir) throw new Error('usage: predict-speed.ts MODEL_DIR IMAGE_DIR [photos]');
  const files = fs
    .readdirSync(imageDir)
    .filter((f) => /\.jpe?g$/i.test(f))
    .sort()
    .slice(0, Number(count ?? 40))
    .map((f) => path.join(imageDir, f));
  const model = await loadPipeline(modelDir);
  const ms = (t: bigint): number => Number(process.hrtime.bigint() - t) / 1e6;

  // warm-up: tables, JIT
  await new PipelinePredictor(model).predict(files[0]);

  let decode = 0;
  let pyr = 0;
  const perStage = model.stages.map(() => 0);
  for (const f of files) {
    let t = process.hrtime.bigint();
    const g = await readGrey(f);
    decode += ms(t);
    t = process.hrtime.bigint();
    const p = pyramid(g, model.levels);
    pyr += ms(t);
    let last: StageAnswer | undefined;
    for (const [k, s] of model.stages.entries()) {
      t = process.hrtime.bigint();
      last = await s.stage.apply(s.model, p, last);
      perStage[k] += ms(t);
    }
  }
  const n = files.length;
  console.log(`${n} photos; per photo: decode ${(decode / n).toFixed(1)} ms, pyramid ${(pyr / n).toFixed(1)} ms, ${model.stages.map((s, k) => `${s.stage.name} ${(perStage[k] / n).toFixed(1)} ms`).join(', ')}`);

  for (const inFlight of [1, 2, 3]) {
    const predictor = Object.assign(new PipelinePredictor(model), { inFlight });
    const t = process.hrtime.bigint();
    const out = await predictEach(predictor, files);
    const s = ms(t) / 1000;
    if (out.some((o) => !o?.prediction)) throw new Error('a photo failed');
    console.log(`in flight ${inFlight}: ${(n / s).toFixed(1)} photos/s`);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
