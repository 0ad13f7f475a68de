/**
 * The `default` preset's fast paths give the same answers as the plain versions they replace:
 * fitShape in landmark space vs the basis-space normal equations, separable samplePatch vs
 * per-pixel `sample`, searchNcc against NCC by its definition, topK vs a stable sort.
 */
import * as assert from 'assert';
import { topK } from '../../src/engine/stages/cascade/cascade';
import { normalise, pyramid, PyramidPool, sample, samplePatch, type GreyImage } from '../../src/engine/imaging/grey';
import { searchNcc } from '../../src/engine/stages/cascade/match';
import { buildShapePrior, fitShape, fitShapeInBasis } from '../../src/engine/stages/cascade/shape';
import { mulberry32 } from '../../src/shared/augment/rng';

function image(w: number, h: number, rnd: () => number): GreyImage {
  const data = new Float32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = 128 + 60 * Math.sin(x / 7 + y / 11) + 30 * rnd();
  return { width: w, height: h, data };
}

/** Normalised cross-correlation by its definition: the template against the photo's patch at offset (ox, oy), both mean-free and unit-norm. */
function nccAt(img: GreyImage, template: Float32Array, size: number, cx: number, cy: number): number {
  const p = normalise(samplePatch(img, cx, cy, size));
  let d = 0;
  for (let i = 0; i < p.length; i++) d += template[i] * p[i];
  return d;
}

describe('default preset fast paths', function () {
  it('fitShape (landmark space) equals the basis-space fit, with uneven and zero weights', function () {
    const rnd = mulberry32(3);
    const L = 15;
    const n = 40;
    const shapes = new Float32Array(n * 2 * L).map(() => rnd());
    shapes[7] = NaN;
    const prior = buildShapePrior(shapes, n, L, 0.01);
    for (let t = 0; t < 5; t++) {
      const v = Float64Array.from({ length: 2 * L }, () => rnd());
      const w = Array.from({ length: L }, (_, j) => (j === t ? 0 : Math.max(0.05, rnd()) ** 2));
      const a = fitShape(prior, v, w);
      const b = fitShapeInBasis(prior, v, w);
      for (let q = 0; q < 2 * L; q++) assert.ok(Math.abs(a[q] - b[q]) < 1e-7, `coordinate ${q}: ${a[q]} vs ${b[q]}`);
    }
  });

  it('samplePatch equals per-pixel bilinear sample bit for bit, inside and across the borders', function () {
    const img = image(37, 29, mulberry32(5));
    for (const [cx, cy, size] of [[18.3, 14.71, 25], [0.2, 3.9, 9], [36.6, 28.2, 7], [-3, 40, 5], [10, 10, 4]]) {
      const p = samplePatch(img, cx, cy, size);
      const h = (size - 1) / 2;
      for (let j = 0; j < size; j++) for (let i = 0; i < size; i++) assert.strictEqual(p[j * size + i], Math.fround(sample(img, cx - h + i, cy - h + j)), `(${cx}, ${cy}) pixel ${i},${j}`);
    }
  });

  it('searchNcc finds the offset of best NCC by its definition, scores it, and refines it to within half a pixel', function () {
    const rnd = mulberry32(7);
    const img = image(120, 90, rnd);
    const size = 25;
    for (const [cx, cy, radius, prior] of [[60.4, 45.2, 10, 0.05], [20.7, 70.1, 4, 0.05], [100, 12, 4, 0], [3, 3, 10, 0]]) {
      const t = normalise(samplePatch(img, cx + 2.3, cy - 1.6, size));
      const a = searchNcc(img, t, size, cx, cy, radius, prior);
      let best = { ox: 0, oy: 0, s: -Infinity };
      for (let oy = -radius; oy <= radius; oy++) {
        for (let ox = -radius; ox <= radius; ox++) {
          const s = nccAt(img, t, size, cx + ox, cy + oy) - (prior * (ox * ox + oy * oy)) / (radius * radius);
          if (s > best.s) best = { ox, oy, s };
        }
      }
      assert.ok(Math.abs(a.score - best.s) < 1e-4, `(${cx}, ${cy}) score ${a.score} vs ${best.s}`);
      assert.ok(Math.abs(a.x - (cx + best.ox)) <= 0.5 + 1e-9 && Math.abs(a.y - (cy + best.oy)) <= 0.5 + 1e-9, `(${cx}, ${cy}): at ${a.x}, ${a.y}; best offset ${best.ox}, ${best.oy}`);
    }
  });

  it('topK returns what a stable descending sort returns, ties included', function () {
    const rnd = mulberry32(11);
    for (let t = 0; t < 20; t++) {
      const v = Float64Array.from({ length: 50 }, () => Math.round(rnd() * 10) / 10);
      const ref = Array.from(v.keys()).sort((a, b) => v[b] - v[a]);
      assert.deepStrictEqual(topK(v, 8), ref.slice(0, 8));
      assert.deepStrictEqual(topK(v, 8, 8), ref.slice(8, 16));
      assert.deepStrictEqual(topK(v, 5, 47), ref.slice(47, 50));
    }
  });

  it('PyramidPool gives the plain pyramid and recycles the memory of levels 1..', function () {
    const rnd = mulberry32(13);
    const pool = new PyramidPool();
    const a = image(64, 48, rnd);
    const b = image(61, 45, rnd);
    const pa = pool.pyramid(a, 3);
    const bufA = pa[1].data.buffer;
    assert.deepStrictEqual(pa.map((g) => Array.from(g.data)), pyramid(a, 3).map((g) => Array.from(g.data)));
    const pb = pool.pyramid(b, 3);
    assert.strictEqual(pb[1].data.buffer, bufA, 'level 1 reuses the earlier array');
    assert.deepStrictEqual(pb.map((g) => [g.width, g.height, Array.from(g.data)]), pyramid(b, 3).map((g) => [g.width, g.height, Array.from(g.data)]));
    const pc = pool.pyramid(image(80, 60, rnd), 2);
    assert.strictEqual(pc[1].width, 40);
    assert.strictEqual(pc[1].data.length, 40 * 30);
  });
});
