/**
 * The `default` preset's SDM refinement stage (src/engine/stages/sdm): descriptor,
 * ridge solver, training/applying on synthetic images, the model file round trip, and a small
 * run on real fly wings.
 */
import * as assert from 'assert';
import { pyramid, type GreyImage } from '../../src/engine/imaging/grey';
import { describe as describeAt, descriptorLength, DEFAULT_DESCRIPTOR, levelForSpacing } from '../../src/engine/stages/sdm/descriptor';
import { fitRidge } from '../../src/engine/numeric/ridge';
import { applySdm, sdmFromFile, sdmLevels, sdmToFile, SdmTrainer, trainSdm, type Point, type SdmItem } from '../../src/engine/stages/sdm';
import { mulberry32 } from '../../src/shared/augment/rng';

function meanError(a: Point[], b: Point[]): number {
  return a.reduce((s, p, j) => s + Math.hypot(p[0] - b[j][0], p[1] - b[j][1]), 0) / a.length;
}

/** A plain image with an anti-aliased bright disk of radius 4 + j at each landmark j. */
function render(size: number, pts: Point[]): GreyImage {
  const data = new Float32Array(size * size).fill(40);
  pts.forEach(([x, y], j) => {
    const r = 4 + j;
    for (let v = Math.floor(y - r - 2); v <= y + r + 2; v++) {
      for (let u = Math.floor(x - r - 2); u <= x + r + 2; u++) {
        if (u < 0 || v < 0 || u >= size || v >= size) continue;
        const a = Math.min(1, Math.max(0, r + 0.5 - Math.hypot(u - x, v - y)));
        data[v * size + u] = Math.max(data[v * size + u], 40 + 180 * a);
      }
    }
  });
  return { width: size, height: size, data };
}

function synthetic(count: number, seed: number): SdmItem[] {
  const rnd = mulberry32(seed);
  const u = (a: number): number => (rnd() * 2 - 1) * a;
  const items: SdmItem[] = [];
  for (let i = 0; i < count; i++) {
    const cx = 80 + u(10);
    const cy = 80 + u(10);
    const truth: Point[] = Array.from({ length: 5 }, (_, j) => {
      const a = (2 * Math.PI * j) / 5;
      return [cx + 42 * Math.cos(a) + u(5), cy + 42 * Math.sin(a) + u(5)];
    });
    const start: Point[] = truth.map((p) => [p[0] + u(7), p[1] + u(7)]);
    items.push({ pyr: pyramid(render(160, truth), 3), truth, start });
  }
  return items;
}

describe('default preset SDM stage', function () {
  it('describes a window by normalised orientation histograms that see an edge direction', function () {
    const size = 64;
    const data = new Float32Array(size * size);
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) data[y * size + x] = x < 32 ? 20 : 200; // dark left, bright right
    const img: GreyImage = { width: size, height: size, data };
    const spec = DEFAULT_DESCRIPTOR;
    const out = new Float32Array(descriptorLength(spec) + 3).fill(7);
    describeAt(img, 0, 32, 32, 24, spec, out, 3);
    assert.deepStrictEqual(Array.from(out.slice(0, 3)), [7, 7, 7], 'writes only at the offset');
    const d = out.slice(3);
    const norm = Math.hypot(...d);
    assert.ok(Math.abs(norm - 1) < 1e-5, `unit norm, got ${norm}`);
    // all gradients point right (+x): bin 0 (and its soft neighbour bin 7 at most) of every cell
    let bin0 = 0;
    for (let c = 0; c < spec.cells * spec.cells; c++) bin0 += d[c * spec.bins] ** 2;
    assert.ok(bin0 > 0.99, `energy in the +x orientation bin: ${bin0}`);
    const flat = new Float32Array(descriptorLength(spec));
    describeAt({ width: size, height: size, data: new Float32Array(size * size).fill(5) }, 0, 32, 32, 24, spec, flat, 0);
    assert.ok(flat.every((v) => v === 0), 'a flat window gives zeros');
    assert.strictEqual(levelForSpacing(12.5, 0, 4), 3);
    assert.strictEqual(levelForSpacing(12.5, 0, 2), 2);
    assert.strictEqual(levelForSpacing(0.5, 1, 4), 1);
  });

  it('ridge recovers a linear map (primal and dual give the same fit)', function () {
    const rnd = mulberry32(3);
    for (const [n, d] of [
      [40, 6],
      [5, 6],
    ]) {
      const k = 2;
      const x = new Float64Array(n * d).map(() => rnd() * 2 - 1);
      const wTrue = [0.5, -1, 2, 0, 1, -0.5, 1, 1, 0, 0.25, -2, 0.5];
      const y = new Float64Array(n * k);
      for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) {
        let s = c === 0 ? 3 : -1;
        for (let q = 0; q < d; q++) s += x[i * d + q] * wTrue[q * k + c];
        y[i * k + c] = s;
      }
      const fit = fitRidge(x, y, n, d, k, 1e-9);
      for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) {
        let s = fit.b[c];
        for (let q = 0; q < d; q++) s += x[i * d + q] * fit.w[q * k + c];
        assert.ok(Math.abs(s - y[i * k + c]) < 1e-4, `n=${n} d=${d}: fitted ${s} vs ${y[i * k + c]}`);
      }
      if (n > d) {
        for (let q = 0; q < d * k; q++) assert.ok(Math.abs(fit.w[q] - wTrue[q]) < 1e-4, `weight ${q}`);
      }
    }
  });

  it('learns to pull synthetic starts onto their landmarks, and the model file round-trips', function () {
    const train = synthetic(30, 1);
    const test = synthetic(10, 2);
    const cfg = { windows: [0.8, 0.5, 0.3], perturbations: 4, lambda: 0.3, jitter: [0.02, 0.02, 0.02] as [number, number, number] };
    const model = trainSdm(train, cfg);
    assert.strictEqual(model.stages.length, 3);
    assert.deepStrictEqual(sdmLevels(model), [...new Set(model.stages.map((s) => s.level))].sort());
    let before = 0;
    let after = 0;
    const file = sdmToFile(model);
    const back = sdmFromFile(JSON.parse(JSON.stringify(file.meta)) as typeof file.meta, file.weights);
    for (const it of test) {
      const r = applySdm(model, it.pyr, it.start);
      before += meanError(it.start, it.truth);
      after += meanError(r.landmarks, it.truth);
      assert.strictEqual(r.doubt.length, 5);
      r.doubt.forEach((d, j) => assert.ok(Math.abs(d - Math.hypot(r.landmarks[j][0] - it.start[j][0], r.landmarks[j][1] - it.start[j][1])) < 1e-9));
      const r2 = applySdm(back, it.pyr, it.start);
      r2.landmarks.forEach((p, j) => assert.ok(Math.hypot(p[0] - r.landmarks[j][0], p[1] - r.landmarks[j][1]) < 1e-3, 'same answer after the round trip'));
    }
    before /= test.length;
    after /= test.length;
    assert.ok(after < 0.1 * before, `mean error ${before.toFixed(2)} -> ${after.toFixed(2)} px`);
    assert.throws(() => sdmFromFile(file.meta, file.weights.slice(1)), /weights/);
  });

  it('trains stage by stage from pyramids handed in per photo (same model as trainSdm)', function () {
    const items = synthetic(8, 5);
    const cfg = { windows: [0.8, 0.4], perturbations: 2, lambda: 0.5 };
    const a = trainSdm(items, cfg);
    const t = new SdmTrainer(items, 3, cfg);
    while (!t.done) {
      const l = t.stageLevel();
      items.forEach((it, i) => t.addItem(i, it.pyr.map((p, k) => (k === l ? p : { width: 1, height: 1, data: new Float32Array(1) }))));
      t.finishStage();
    }
    const b = t.model();
    assert.deepStrictEqual(Array.from(b.stages[1].w), Array.from(a.stages[1].w));
    assert.throws(() => new SdmTrainer(items, 3, cfg).finishStage(), /not added/);
  });
});
