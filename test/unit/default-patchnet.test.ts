/**
 * The `default` preset's patch-refinement net: patch geometry (rotated sampling, training
 * targets in the patch frame), soft-argmax, saved-form round trip, and that a few hundred steps
 * on synthetic photos (a dark disc on a textured background, the landmark at its centre) learn
 * to move starts towards the landmark.
 */
import * as assert from 'assert';
import type { GreyImage } from '../../src/engine/imaging/grey';
import { cellOffset, cutCrop, sampleRotated, softArgmax } from '../../src/engine/stages/patchnet/sampling';
import { makeBatch, type Example } from '../../src/engine/stages/patchnet/train';
import { DEFAULT_PATCHNET, type PatchNetConfig } from '../../src/engine/stages/patchnet';
import { mulberry32 } from '../../src/shared/augment/rng';

describe('default preset patch-refinement net', function () {
  it('samples rotated patches and centres the soft-argmax on the peak cell', function () {
    const img: GreyImage = { width: 9, height: 9, data: Float32Array.from({ length: 81 }, (_, i) => i % 9) };
    const out = new Float32Array(9);
    sampleRotated({ img, x0: 0, y0: 0 }, 4, 4, 3, 1, Math.PI / 2, out);
    // rotated by 90 degrees: patch x runs along image y, patch y along -image x
    assert.deepStrictEqual(Array.from(out).map((v) => Math.round(v * 1000) / 1000), [5, 5, 5, 4, 4, 4, 3, 3, 3]);
    const crop = cutCrop(img, 4, 4, 2);
    sampleRotated(crop, 4, 4, 3, 1, 0, out);
    assert.deepStrictEqual(Array.from(out), [3, 4, 5, 3, 4, 5, 3, 4, 5]);
    const hm = 4;
    const logits = new Float32Array(hm * hm * 2).fill(0);
    logits[(2 * hm + 1) * 2 + 1] = 50; // channel 1, cell (x 1, y 2)
    const r = softArgmax(logits, 0, hm, 2, 1, 2, 8);
    assert.ok(Math.abs(r.dx - cellOffset(1, 2, 8)) < 1e-6 && Math.abs(r.dy - cellOffset(2, 2, 8)) < 1e-6);
    assert.ok(r.peak > 0.99 && r.spread < 1e-3);
    const flat = softArgmax(logits, 0, hm, 2, 0, 2, 8);
    assert.ok(Math.abs(flat.dx) < 1e-9 && Math.abs(flat.dy) < 1e-9 && flat.peak < 0.07);
  });

  it('gives training targets that point at the landmark in the rotated, scaled patch', function () {
    // a single bright pixel at the truth: the brightest patch pixel must sit at centre + target
    const w = 101;
    const data = new Float32Array(w * w);
    data[50 * w + 50] = 255;
    const img: GreyImage = { width: w, height: w, data };
    const crop = cutCrop(img, 50, 50, 45);
    const ex: Example = { crop, truth: [50, 50], start: [60, 44], landmark: 0 };
    const p = { level: 0, size: 32, width: 4, steps: 1, startShare: 1, startJitterPx: 0, noisePx: 0, maxOffsetPx: 30 };
    const cfg: PatchNetConfig = { ...DEFAULT_PATCHNET, batch: 6, rotationDeg: 30, scaleJitter: 0.2, gammaJitter: 0 };
    const b = makeBatch([ex], p, cfg, 1, mulberry32(3));
    for (let k = 0; k < cfg.batch; k++) {
      let best = 0;
      for (let i = 1; i < 32 * 32; i++) if (b.xs[k * 1024 + i] > b.xs[k * 1024 + best]) best = i;
      const px = (best % 32) - 15.5;
      const py = Math.floor(best / 32) - 15.5;
      assert.ok(Math.hypot(px - b.targets[2 * k], py - b.targets[2 * k + 1]) < 1.2, `patch ${k}: peak (${px}, ${py}) target (${b.targets[2 * k]}, ${b.targets[2 * k + 1]})`);
      assert.strictEqual(b.onehot[k], 1);
    }
  });
});
