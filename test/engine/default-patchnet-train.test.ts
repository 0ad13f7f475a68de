/** The `default` preset's patch-refinement net trained on wasm (tfjs) on synthetic photos; its patch geometry: test/unit/default-patchnet.test.ts. */
import * as assert from 'assert';
import { initBackend } from '../../src/engine/backend/init';
import { fromLevel, type GreyImage } from '../../src/engine/imaging/grey';
import {
  applyPatchNet,
  deserialisePatchNet,
  disposePatchNet,
  serialisePatchNet,
  trainPatchNet,
  type PatchNetConfig,
  type Point,
} from '../../src/engine/stages/patchnet';
import { mulberry32 } from '../../src/shared/augment/rng';

/** 256 x 256 photo: smooth texture plus a dark disc (radius 20) centred at (cx, cy). */
function photo(cx: number, cy: number, seed: number): GreyImage {
  const w = 256;
  const rnd = mulberry32(seed);
  const ph = [rnd() * 6, rnd() * 6, rnd() * 6];
  const data = new Float32Array(w * w);
  for (let y = 0; y < w; y++) {
    for (let x = 0; x < w; x++) {
      const tex = 20 * Math.sin(x / 7 + ph[0]) * Math.cos(y / 9 + ph[1]) + 10 * Math.sin((x + y) / 13 + ph[2]);
      data[y * w + x] = (Math.hypot(x - cx, y - cy) < 20 ? 60 : 170) + tex;
    }
  }
  return { width: w, height: w, data };
}

describe('default preset patch-refinement net', function () {
  it('learns to move starts onto the landmark, and its saved form predicts the same', async function () {
    this.timeout(120000);
    await initBackend('wasm');
    const rnd = mulberry32(11);
    const make = (i: number): { pyr: GreyImage[]; truth: Point[]; start: Point[] } => {
      const t: Point = [90 + rnd() * 76, 90 + rnd() * 76];
      const img = photo(t[0], t[1], 100 + i);
      const half: GreyImage = { width: 128, height: 128, data: new Float32Array(128 * 128) };
      for (let y = 0; y < 128; y++) {
        for (let x = 0; x < 128; x++) {
          const s = 2 * y * 256 + 2 * x;
          half.data[y * 128 + x] = 0.25 * (img.data[s] + img.data[s + 1] + img.data[s + 256] + img.data[s + 257]);
        }
      }
      const a = rnd() * 2 * Math.PI;
      return { pyr: [img, half], truth: [t], start: [[t[0] + 12 * Math.cos(a), t[1] + 12 * Math.sin(a)]] };
    };
    const train = Array.from({ length: 12 }, (_, i) => make(i));
    const test = Array.from({ length: 6 }, (_, i) => make(50 + i));
    const cfg: Partial<PatchNetConfig> = {
      passes: [{ level: 1, size: 24, width: 4, steps: 120, startShare: 0.5, startJitterPx: 4, noisePx: 10, maxOffsetPx: 24 }],
      batch: 16,
      learningRate: 5e-3,
    };
    const model = await trainPatchNet(train, {}, cfg);
    const saved = await serialisePatchNet(model);
    const again = deserialisePatchNet(JSON.parse(JSON.stringify(saved.meta)), Float32Array.from(saved.weights));
    let before = 0;
    let after = 0;
    for (const it of test) {
      const r = await applyPatchNet(model, it.pyr, it.start);
      const r2 = await applyPatchNet(again, it.pyr, it.start);
      assert.deepStrictEqual(r2.landmarks, r.landmarks);
      assert.ok(r.doubt[0] >= 0 && Number.isFinite(r.doubt[0]));
      before += Math.hypot(it.start[0][0] - it.truth[0][0], it.start[0][1] - it.truth[0][1]);
      after += Math.hypot(r.landmarks[0][0] - it.truth[0][0], r.landmarks[0][1] - it.truth[0][1]);
    }
    assert.ok(after < 0.25 * before, `mean error ${(after / 6).toFixed(2)} px after, ${(before / 6).toFixed(2)} px before`);
    assert.ok(fromLevel(0, 1) === 0.5);
    disposePatchNet(model);
    disposePatchNet(again);
  });
});
