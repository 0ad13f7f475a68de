/** Where prediction time goes: decode, pyramid, matching (one mollusk photo, 5 runs). */
import { decodeFullGrey } from '../../src/engine/data/image';
import { pyramid } from '../../src/engine/presets/default/grey';
import { trainCascade, readGrey } from '../../src/engine/presets/default';
import { locate } from '../../src/engine/presets/default/cascade';
import { loadSamples } from '../../src/engine/train/samples';
(async () => {
  const root = '/work/shared/data/mollusk';
  const set = await loadSamples([{ data: root + '/landmarks.tps', images: root + '/images' }]);
  const model = (await trainCascade(set.samples.slice(0, 20), set.landmarkCount))!;
  const f = set.samples[30].imagePath;
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    const g8 = await decodeFullGrey(f);
    const t1 = performance.now();
    const g = { width: g8.width, height: g8.height, data: Float32Array.from(g8.data) };
    const t2 = performance.now();
    const pyr = pyramid(g, model.config.levels);
    const t3 = performance.now();
    locate(model, pyr);
    const t4 = performance.now();
    console.log(`decode ${(t1 - t0).toFixed(0)} toFloat ${(t2 - t1).toFixed(0)} pyramid ${(t3 - t2).toFixed(0)} locate ${(t4 - t3).toFixed(0)} ms`);
  }
  void readGrey;
})();
