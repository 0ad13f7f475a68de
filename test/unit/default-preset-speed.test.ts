/**
 * The `default` preset's fast paths give the same answers as the plain versions they replace:
 * fitShape in landmark space vs the basis-space normal equations, separable samplePatch vs
 * per-pixel `sample`, the 4-offset searchNcc vs a one-offset reference, topK vs a stable sort.
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

/** The one-offset NCC search as it was before the 4-offset sweep (reference). */
function searchNccReference(img: GreyImage, template: Float32Array, size: number, cx: number, cy: number, radius: number, prior: number): { x: number; y: number; score: number } {
  const rs = size + 2 * radius;
  const region = new Float32Array(rs * rs);
  const h = (rs - 1) / 2;
  for (let j = 0; j < rs; j++) for (let i = 0; i < rs; i++) region[j * rs + i] = sample(img, cx - h + i, cy - h + j);
  const n1 = rs + 1;
  const s1 = new Float64Array(n1 * n1);
  const s2 = new Float64Array(n1 * n1);
  for (let y = 0; y < rs; y++) {
    let a = 0;
    let b = 0;
    for (let x = 0; x < rs; x++) {
      const v = region[y * rs + x];
      a += v;
      b += v * v;
      s1[(y + 1) * n1 + x + 1] = s1[y * n1 + x + 1] + a;
      s2[(y + 1) * n1 + x + 1] = s2[y * n1 + x + 1] + b;
    }
  }
  let tn = 0;
  for (let i = 0; i < template.length; i++) tn += template[i] * template[i];
  tn = Math.sqrt(tn) || 1;
  const np = size * size;
  const side = 2 * radius + 1;
  const scores = new Float64Array(side * side);
  let best = -Infinity;
  let bi = 0;
  for (let oy = 0; oy < side; oy++) {
    for (let ox = 0; ox < side; ox++) {
      let d = 0;
      for (let j = 0; j < size; j++) for (let i = 0; i < size; i++) d += template[j * size + i] * region[(oy + j) * rs + ox + i];
      const a = oy * n1 + ox;
      const b = (oy + size) * n1 + ox;
      const sum = s1[b + size] - s1[b] - s1[a + size] + s1[a];
      const sq = s2[b + size] - s2[b] - s2[a + size] + s2[a];
      const varn = sq - (sum * sum) / np;
      let s = varn > 1e-9 ? d / (tn * Math.sqrt(varn)) : 0;
      s -= (prior * ((ox - radius) ** 2 + (oy - radius) ** 2)) / (radius * radius);
      scores[oy * side + ox] = s;
      if (s > best) {
        best = s;
        bi = oy * side + ox;
      }
    }
  }
  const by = Math.floor(bi / side);
  const bx = bi - by * side;
  const sub = (l: number, c: number, r: number): number => {
    const den = l - 2 * c + r;
    if (den >= 0) return 0;
    const o = (0.5 * (l - r)) / den;
    return o > 0.5 ? 0.5 : o < -0.5 ? -0.5 : o;
  };
  const fx = bx > 0 && bx < side - 1 ? sub(scores[bi - 1], best, scores[bi + 1]) : 0;
  const fy = by > 0 && by < side - 1 ? sub(scores[bi - side], best, scores[bi + side]) : 0;
  return { x: cx + bx - radius + fx, y: cy + by - radius + fy, score: best };
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

  it('searchNcc equals the one-offset reference bit for bit (radius 10 and 4, with and without prior)', function () {
    const rnd = mulberry32(7);
    const img = image(120, 90, rnd);
    const size = 25;
    for (const [cx, cy, radius, prior] of [[60.4, 45.2, 10, 0.05], [20.7, 70.1, 4, 0.05], [100, 12, 4, 0], [3, 3, 10, 0]]) {
      const t = normalise(samplePatch(img, cx + 2.3, cy - 1.6, size));
      const a = searchNcc(img, t, size, cx, cy, radius, prior);
      const b = searchNccReference(img, t, size, cx, cy, radius, prior);
      assert.deepStrictEqual(a, b, `(${cx}, ${cy}) radius ${radius}`);
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
