/**
 * The `default` preset's silhouette contour stage (src/engine/stages/contour): the
 * sub-pixel outer contour, rules learned from training items, switching itself off without a
 * silhouette, JSON round trip; and the contour of a real mollusk photo.
 */
import * as assert from 'assert';
import { pyramid, type GreyImage } from '../../src/engine/imaging/grey';
import { nearestOnContour, type Pt } from '../../src/engine/stages/contour/geometry';
import { objectContour } from '../../src/engine/stages/contour/segment';
import { DEFAULT_CONTOUR, applyContour, contourFromJson, contourToJson, trainContour } from '../../src/engine/stages/contour/model';
import { mulberry32 } from '../../src/shared/augment/rng';

/** A dark ellipse (grey 60) on white (240), anti-aliased by 4x4 supersampling, plus optional specks. */
function ellipse(w: number, h: number, cx: number, cy: number, rx: number, ry: number, specks: Pt[] = []): GreyImage {
  const data = new Float32Array(w * h).fill(240);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let inside = 0;
      for (let sy = 0; sy < 4; sy++) {
        for (let sx = 0; sx < 4; sx++) {
          const u = (x - 0.375 + sx * 0.25 - cx) / rx;
          const v = (y - 0.375 + sy * 0.25 - cy) / ry;
          if (u * u + v * v <= 1) inside++;
        }
      }
      data[y * w + x] = 240 - (180 * inside) / 16;
    }
  }
  for (const [sx, sy] of specks) data[sy * w + sx] = 0;
  return { width: w, height: h, data };
}

function onEllipse(cx: number, cy: number, rx: number, ry: number, x: number, y: number): number {
  // distance to the ellipse, approximately (radial)
  const u = (x - cx) / rx;
  const v = (y - cy) / ry;
  const r = Math.hypot(u, v);
  return Math.abs(r - 1) * Math.hypot(rx * u, ry * v) / Math.max(1e-9, r);
}

describe('default preset contour stage', function () {
  it('traces an ellipse clockwise with sub-pixel accuracy, ignoring specks', function () {
    const img = ellipse(120, 90, 57.3, 44.8, 40, 28, [[5, 5], [110, 80]]);
    const c = objectContour(img, 0, 1);
    assert.ok(c.n > 150, `${c.n} points`);
    assert.ok(!c.touchesBorder);
    assert.ok(Math.abs(c.areaFraction - (Math.PI * 40 * 28) / (120 * 90)) < 0.02, `area ${c.areaFraction}`);
    // the threshold (20 grey levels from the background) sits a little outside the mid-edge
    let worst = 0;
    let sum = 0;
    for (let k = 0; k < c.n; k++) {
      const d = onEllipse(57.3, 44.8, 40, 28, c.pts[2 * k], c.pts[2 * k + 1]);
      worst = Math.max(worst, d);
      sum += d;
    }
    assert.ok(worst < 1.2 && sum / c.n < 0.6, `worst distance ${worst.toFixed(2)} px, mean ${(sum / c.n).toFixed(2)}`);
    // clockwise on screen: outward normal at the leftmost point points left
    const n = nearestOnContour(c, 10, 44.8);
    assert.ok(n.nx < -0.9 && n.signed > 0, `normal ${n.nx} signed ${n.signed}`);
  });

  it('gives an empty contour on a blank image, and then leaves the landmarks alone', function () {
    const blank: GreyImage = { width: 64, height: 48, data: new Float32Array(64 * 48).fill(200) };
    assert.strictEqual(objectContour(blank, 0).n, 0);
    const rnd = mulberry32(3);
    const items = Array.from({ length: 24 }, () => {
      const cx = 50 + 20 * rnd();
      const cy = 40 + 10 * rnd();
      const truth: Pt[] = [[cx - 30, cy], [cx, cy - 20], [cx + 5, cy + 3]];
      const start = truth.map((p) => [p[0] + 6 * (rnd() - 0.5), p[1] + 6 * (rnd() - 0.5)] as Pt);
      return { pyr: [blank], truth, start };
    });
    const model = trainContour(items);
    assert.ok(model.rules.every((r) => r.kind === 'keep'));
    assert.strictEqual(model.regression, undefined);
    const pts: Pt[] = [[1, 2], [3, 4], [5, 6]];
    assert.deepStrictEqual(applyContour(model, [blank], pts).landmarks, pts);
  });

  it('learns that extreme landmarks sit on the outline and corrects their predictions', function () {
    const rnd = mulberry32(7);
    const make = (): { pyr: GreyImage[]; truth: Pt[]; start: Pt[] } => {
      const cx = 70 + 20 * rnd();
      const cy = 60 + 10 * rnd();
      const rx = 35 + 10 * rnd();
      const ry = 22 + 8 * rnd();
      const img = ellipse(160, 120, cx, cy, rx, ry);
      // leftmost, topmost, an interior point
      const truth: Pt[] = [[cx - rx, cy], [cx, cy - ry], [cx + 0.3 * rx, cy + 0.2 * ry]];
      const start = truth.map((p) => [p[0] + 12 * (rnd() - 0.5), p[1] + 12 * (rnd() - 0.5)] as Pt);
      return { pyr: pyramid(img, 2), truth, start };
    };
    const train = Array.from({ length: 40 }, make);
    const test = Array.from({ length: 12 }, make);
    const config = { ...DEFAULT_CONTOUR, targetWidth: 160 };
    const model = trainContour(train, config);
    // the silhouette regression or the rules (or both) take the outline landmarks
    for (const j of [0, 1]) assert.ok(model.rules[j].kind !== 'keep' || (model.regression && (model.regression.mix[j] > 0 || model.regression.mixFar[j] > 0)), `landmark ${j} untouched`);
    const err = (pred: Pt[][], j: number): number => pred.reduce((s, p, i) => s + Math.hypot(p[j][0] - test[i].truth[j][0], p[j][1] - test[i].truth[j][1]), 0) / pred.length;
    const after = test.map((t) => applyContour(model, t.pyr, t.start).landmarks);
    const before = test.map((t) => t.start);
    for (const j of [0, 1]) assert.ok(err(after, j) < 0.6 * err(before, j), `landmark ${j}: ${err(before, j).toFixed(2)} -> ${err(after, j).toFixed(2)} px`);
    // JSON round trip gives the same answers
    const back = contourFromJson(JSON.parse(JSON.stringify(contourToJson(model))));
    test.forEach((t, i) => assert.deepStrictEqual(applyContour(back, t.pyr, t.start).landmarks, after[i]));
    assert.throws(() => contourFromJson({ format: 'other' }), /landmarks-contour/);
  });
});
