/**
 * The one bilinear sampler (src/shared/imaging/bilinear.ts): its patch path must give what its
 * point path gives at every patch pixel, for both borders, any step and 8-bit planes, since the
 * cascade's patches and SDM's / patchnet's points are compared with each other.
 */
import * as assert from 'assert';
import { sampleBilinear, sampleClamped, samplePatchAt, type BorderMode } from '../../src/shared/imaging/bilinear';
import { mulberry32 } from '../../src/shared/augment/rng';

describe('shared bilinear sampler', () => {
  const next = mulberry32(5);
  const w = 23;
  const h = 17;
  const f32 = { width: w, height: h, data: Float32Array.from({ length: w * h }, () => 255 * next()) };
  const u8 = { width: w, height: h, data: Uint8Array.from({ length: w * h }, () => Math.floor(256 * next())) };

  it('a patch equals the point sampler at each of its pixels, bit for bit (borders, steps, 8-bit planes)', () => {
    for (const src of [f32, u8]) {
      for (const border of ['edge', 'constant'] as BorderMode[]) {
        for (const step of [1, 0.5, 2.5]) {
          for (let t = 0; t < 20; t++) {
            const cx = -6 + (w + 12) * next();
            const cy = -6 + (h + 12) * next();
            const scale = src === u8 ? 1 / 255 : 1;
            const fill = 0.25;
            const p = samplePatchAt(src, cx, cy, 7, 5, step, border, fill, scale);
            for (let j = 0; j < 5; j++) {
              for (let i = 0; i < 7; i++) {
                const x = cx - 3 * step + i * step;
                const y = cy - 2 * step + j * step;
                const want = Math.fround(scale * sampleBilinear(src, x, y, border, fill / scale));
                assert.strictEqual(p[j * 7 + i], want, `${border} step ${step} at (${x}, ${y})`);
              }
            }
          }
        }
      }
    }
  });

  it('edge is the clamped sampler; constant fades to the fill over the last pixel', () => {
    assert.strictEqual(sampleBilinear(f32, -3, 40, 'edge'), sampleClamped(f32, -3, 40));
    assert.strictEqual(sampleClamped(f32, -3, 40), f32.data[(h - 1) * w]);
    assert.strictEqual(sampleBilinear(f32, w - 0.5, 3, 'constant', 10), (f32.data[3 * w + w - 1] + 10) / 2);
    assert.strictEqual(sampleBilinear(f32, w, 3, 'constant', 10), 10);
  });
});
