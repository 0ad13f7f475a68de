/**
 * Generalized Procrustes analysis, checked against values worked out by hand on small
 * configurations and against a second, independent formulation in this file: 2D shapes as
 * complex vectors, where the optimal rotation is a phase, and the Procrustes distance of a unit
 * pre-shape z to a unit consensus m is sqrt(2 - 2 |<z, m>|) in closed form.
 */
import * as assert from 'assert';
import { generalizedProcrustes, symmetricEigen, type GpaInput } from '../../src/shared/morphometrics/procrustes';
import { parseTps } from '../../src/shared/tps/parse';
import { specimenName } from '../../src/shared/editing/views';
import { command } from '../../src/cli/shape';
import { requireData } from '../helpers/data';
import { runCommand } from '../helpers/cli';
import * as fs from 'fs';

type C = { re: number; im: number };

/** Centred, unit-norm complex vector of a configuration. */
function complexPreshape(points: [number, number][]): C[] {
  const n = points.length;
  const cx = points.reduce((s, p) => s + p[0], 0) / n;
  const cy = points.reduce((s, p) => s + p[1], 0) / n;
  const z = points.map(([x, y]) => ({ re: x - cx, im: y - cy }));
  const norm = Math.sqrt(z.reduce((s, c) => s + c.re ** 2 + c.im ** 2, 0));
  return z.map((c) => ({ re: c.re / norm, im: c.im / norm }));
}

/** <a, b> = sum conj(a_k) b_k. */
function inner(a: C[], b: C[]): C {
  let re = 0;
  let im = 0;
  for (let k = 0; k < a.length; k++) {
    re += a[k].re * b[k].re + a[k].im * b[k].im;
    im += a[k].re * b[k].im - a[k].im * b[k].re;
  }
  return { re, im };
}

/**
 * The reference: the unit shape m maximising sum |<z_i, m>| (the mean of the optimally rotated
 * unit pre-shapes, at unit size), by the fixed point m = normalise(sum z_i * phase(<z_i, m>)).
 */
function referenceGpa(configs: [number, number][][]): { mean: C[]; distances: number[] } {
  const z = configs.map(complexPreshape);
  let m = z[0];
  for (let it = 0; it < 500; it++) {
    const sum = m.map(() => ({ re: 0, im: 0 }));
    for (const zi of z) {
      const p = inner(zi, m);
      const r = Math.hypot(p.re, p.im);
      const ph = { re: p.re / r, im: p.im / r };
      zi.forEach((c, k) => {
        sum[k].re += c.re * ph.re - c.im * ph.im;
        sum[k].im += c.re * ph.im + c.im * ph.re;
      });
    }
    const norm = Math.sqrt(sum.reduce((s, c) => s + c.re ** 2 + c.im ** 2, 0));
    m = sum.map((c) => ({ re: c.re / norm, im: c.im / norm }));
  }
  const distances = z.map((zi) => {
    const p = inner(zi, m);
    return Math.sqrt(Math.max(0, 2 - 2 * Math.hypot(p.re, p.im)));
  });
  return { mean: m, distances };
}

function configsOf(file: string): GpaInput[] {
  const doc = parseTps(fs.readFileSync(file, 'utf8'), file);
  return doc.specimens.map((s, i) => ({ name: specimenName(s, i), landmarks: s.landmarks }));
}

function points(input: GpaInput): [number, number][] {
  return input.landmarks.map((p) => [p!.x, p!.y]);
}

const dist = (a: [number, number], b: [number, number]) => Math.hypot(a[0] - b[0], a[1] - b[1]);

describe('shape: generalized Procrustes analysis', function () {
  it('a square and the same square rotated, scaled and moved: distance 0, unit-size square consensus, centroid sizes by hand', function () {
    const square: [number, number][] = [
      [0, 0],
      [2, 0],
      [2, 2],
      [0, 2],
    ];
    const a = Math.PI / 6;
    const moved = square.map(([x, y]) => ({ x: 10 + 3 * (Math.cos(a) * x - Math.sin(a) * y), y: -5 + 3 * (Math.sin(a) * x + Math.cos(a) * y) }));
    const r = generalizedProcrustes([
      { name: 'a', landmarks: square.map(([x, y]) => ({ x, y })) },
      { name: 'b', landmarks: moved },
    ]);
    assert.strictEqual(r.converged, true);
    // Side 2: each corner is sqrt(2) from the centre, so centroid size sqrt(4 * 2) = 2 sqrt(2).
    assert.ok(Math.abs(r.specimens[0].centroidSize - 2 * Math.SQRT2) < 1e-12);
    assert.ok(Math.abs(r.specimens[1].centroidSize - 6 * Math.SQRT2) < 1e-12);
    for (const s of r.specimens) assert.ok(s.procrustesDistance < 1e-9, `distance ${s.procrustesDistance}`);
    // At unit centroid size the square's side is 1 / sqrt(2) and its diagonal 1.
    const c = r.consensus;
    for (let k = 0; k < 4; k++) assert.ok(Math.abs(dist(c[k], c[(k + 1) % 4]) - Math.SQRT1_2) < 1e-12);
    assert.ok(Math.abs(dist(c[0], c[2]) - 1) < 1e-12);
  });

  it('never reflects: a triangle and its mirror image stay apart, while a rotated copy does not', function () {
    const t: [number, number][] = [
      [0, 0],
      [4, 0],
      [1, 3],
    ];
    const mirror = t.map(([x, y]) => ({ x: -x, y }));
    const rotated = t.map(([x, y]) => ({ x: -y, y: x }));
    const asLm = t.map(([x, y]) => ({ x, y }));
    const withMirror = generalizedProcrustes([
      { name: 't', landmarks: asLm },
      { name: 'mirror', landmarks: mirror },
    ]);
    const withRotated = generalizedProcrustes([
      { name: 't', landmarks: asLm },
      { name: 'rotated', landmarks: rotated },
    ]);
    assert.ok(withMirror.specimens[1].procrustesDistance > 0.1, `mirror distance ${withMirror.specimens[1].procrustesDistance}`);
    assert.ok(withRotated.specimens[1].procrustesDistance < 1e-9);
  });

  for (const [label, parts] of [
    ['fly wings', ['drosophila-wings', 'landmarks.tps']],
    ['mollusk shells', ['mollusk', 'landmarks.tps']],
  ] as const) {
    it(`${label}: consensus and every Procrustes distance match the complex-number reference`, function () {
      const file = requireData(this, ...parts);
      const inputs = configsOf(file);
      const r = generalizedProcrustes(inputs);
      assert.strictEqual(r.leftOut.length, 0, JSON.stringify(r.leftOut));
      assert.strictEqual(r.specimens.length, inputs.length);
      assert.strictEqual(r.converged, true);
      const ref = referenceGpa(inputs.map(points));
      r.specimens.forEach((s, i) => assert.ok(Math.abs(s.procrustesDistance - ref.distances[i]) < 1e-7, `${s.name}: ${s.procrustesDistance} vs ${ref.distances[i]}`));
      // Same consensus up to a rotation: |<ours, reference>| = 1 for unit shapes.
      const ours = r.consensus.map(([x, y]) => ({ re: x, im: y }));
      const p = inner(ours, ref.mean);
      assert.ok(Math.abs(Math.hypot(p.re, p.im) - 1) < 1e-9);
      // Centroid size by its definition, on the raw coordinates.
      const raw = points(inputs[0]);
      const cx = raw.reduce((s, q) => s + q[0], 0) / raw.length;
      const cy = raw.reduce((s, q) => s + q[1], 0) / raw.length;
      const cs = Math.sqrt(raw.reduce((s, q) => s + (q[0] - cx) ** 2 + (q[1] - cy) ** 2, 0));
      assert.ok(Math.abs(r.specimens[0].centroidSize - cs) < 1e-9 * cs);
    });
  }

  it('PCA of the wings: variances sum to the total tangent-space shape variance, largest first, 2K - 4 components', function () {
    const inputs = configsOf(requireData(this, 'drosophila-wings', 'landmarks.tps'));
    const r = generalizedProcrustes(inputs);
    const n = r.specimens.length;
    // Tangent space at the consensus m (unit norm): x - (x . m) m.
    const m = r.consensus.flat();
    const flat = r.specimens.map((s) => {
      const x = s.aligned.flat();
      const dot = x.reduce((t, v, j) => t + v * m[j], 0);
      return x.map((v, j) => v - dot * m[j]);
    });
    const mean = flat[0].map((_, j) => flat.reduce((s, f) => s + f[j], 0) / n);
    const total = flat.reduce((s, f) => s + f.reduce((t, v, j) => t + (v - mean[j]) ** 2, 0), 0) / (n - 1);
    const sum = r.pca.variance.reduce((s, v) => s + v, 0);
    assert.ok(Math.abs(sum - total) < 1e-12 + 1e-9 * total, `${sum} vs ${total}`);
    for (let i = 1; i < r.pca.variance.length; i++) assert.ok(r.pca.variance[i] <= r.pca.variance[i - 1]);
    assert.strictEqual(r.pca.variance.length, 2 * r.landmarkCount - 4);
    assert.ok(Math.abs(r.pca.proportion.reduce((s, v) => s + v, 0) - 1) < 1e-12);
    // Scores are the coordinates on the components: their sample variance is the component's.
    const pc1 = r.specimens.map((s) => s.scores[0]);
    const m1 = pc1.reduce((s, v) => s + v, 0) / n;
    const v1 = pc1.reduce((s, v) => s + (v - m1) ** 2, 0) / (n - 1);
    assert.ok(Math.abs(v1 - r.pca.variance[0]) < 1e-9 * r.pca.variance[0]);
  });

  it('symmetric eigen-decomposition of small matrices worked by hand', function () {
    const e = symmetricEigen([
      [2, 1],
      [1, 2],
    ]);
    assert.deepStrictEqual(e.values.map((v) => Math.round(v * 1e12) / 1e12), [3, 1]);
    assert.ok(Math.abs(Math.abs(e.vectors[0][0]) - Math.SQRT1_2) < 1e-12);
    const d = symmetricEigen([
      [4, 0, 0],
      [0, 9, 0],
      [0, 0, 1],
    ]);
    assert.deepStrictEqual(d.values, [9, 4, 1]);
  });

  it('a missing landmark or another landmark count leaves that specimen out, named, and the rest aligned as before', function () {
    const inputs = configsOf(requireData(this, 'drosophila-wings', 'landmarks.tps'));
    const before = generalizedProcrustes(inputs.slice(1, -1));
    const broken = inputs.map((s) => ({ ...s, landmarks: [...s.landmarks] }));
    broken[0].landmarks[4] = null;
    broken[broken.length - 1].landmarks.pop();
    const r = generalizedProcrustes(broken);
    assert.deepStrictEqual(
      r.leftOut.map((l) => [l.index, l.reason]),
      [
        [0, 'landmark 5 missing: left out (nothing is estimated)'],
        [broken.length - 1, '11 landmarks, while most specimens have 12'],
      ],
    );
    r.specimens.forEach((s, i) => assert.ok(Math.abs(s.procrustesDistance - before.specimens[i].procrustesDistance) < 1e-12));
  });

  it('flags as outliers exactly the distances above Q3 + 1.5 IQR', function () {
    const inputs = configsOf(requireData(this, 'mollusk', 'landmarks.tps'));
    // One shell with two landmarks swapped: a shape no biologist would draw.
    const swapped = inputs.map((s) => ({ ...s, landmarks: [...s.landmarks] }));
    [swapped[7].landmarks[2], swapped[7].landmarks[9]] = [swapped[7].landmarks[9], swapped[7].landmarks[2]];
    const r = generalizedProcrustes(swapped);
    const d = r.specimens.map((s) => s.procrustesDistance).sort((a, b) => a - b);
    const q = (p: number) => {
      const h = (d.length - 1) * p;
      return d[Math.floor(h)] + (h - Math.floor(h)) * (d[Math.ceil(h)] - d[Math.floor(h)]);
    };
    const threshold = q(0.75) + 1.5 * (q(0.75) - q(0.25));
    assert.ok(Math.abs(r.outlierThreshold - threshold) < 1e-12);
    for (const s of r.specimens) assert.strictEqual(s.outlier, s.procrustesDistance > threshold);
    const worst = [...r.specimens].sort((a, b) => b.procrustesDistance - a.procrustesDistance)[0];
    assert.strictEqual(worst.index, 7);
    assert.strictEqual(worst.outlier, true);
  });

  it('CLI `shape gpa --json` prints names, centroid sizes, distances, outliers, consensus and PCA variance', async function () {
    const file = requireData(this, 'drosophila-wings', 'landmarks.tps');
    const out = await runCommand(command, ['gpa', '--data', file, '--json']);
    assert.strictEqual(out.code, 0, out.stderr);
    const j = JSON.parse(out.stdout) as {
      specimens: { name: string; centroidSize: number; procrustesDistance: number; outlier: boolean }[];
      consensus: [number, number][];
      pca: { variance: number[] };
    };
    assert.strictEqual(j.specimens.length, 46);
    assert.match(j.specimens[0].name, /\.jpg$/i);
    assert.strictEqual(j.consensus.length, 12);
    assert.ok(j.pca.variance.length > 0);
    const ref = referenceGpa(configsOf(file).map(points));
    j.specimens.forEach((s, i) => assert.ok(Math.abs(s.procrustesDistance - ref.distances[i]) < 1e-7));
    const bad = await runCommand(command, ['gpa']);
    assert.strictEqual(bad.code, 2);
    assert.match(bad.stderr, /--data is required/);
  });
});
