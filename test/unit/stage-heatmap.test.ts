/**
 * The deep heatmap stage: input-frame geometry, sub-pixel peak decoding, the saved form's round
 * trip, and that a short training on the real fly wings beats the mean shape on held-out photos.
 */
import * as assert from 'assert';
import { DEFAULT_HEATMAP, decodePeak, heatmapInput, toInput, toOriginal } from '../../src/engine/stages/heatmap';
import { orientedFrame } from '../../src/engine/stages/heatmap/stage';
import { restoreBackendAfter } from '../helpers/backend';

describe('deep heatmap stage', function () {
  restoreBackendAfter();

  it('maps original pixels into the letterboxed input frame and back, and area-averages', function () {
    // 40 x 20 photo, left half 0, right half 200, into 16 x 16: scale 0.4, 4 letterbox rows top and bottom
    const data = new Float32Array(40 * 20);
    for (let y = 0; y < 20; y++) for (let x = 20; x < 40; x++) data[y * 40 + x] = 200;
    const inp = heatmapInput({ width: 40, height: 20, data }, { inputWidth: 16, inputHeight: 16 });
    assert.strictEqual(inp.scale, 0.4);
    for (const [x, y] of [[0, 0], [39, 19], [12.3, 7.7]]) {
      const [ix, iy] = toInput(inp, x, y);
      const [ox, oy] = toOriginal(inp, ix, iy);
      assert.ok(Math.abs(ox - x) < 1e-9 && Math.abs(oy - y) < 1e-9);
    }
    // the photo's corners' outer edges land on the frame's edges / letterbox bounds
    assert.ok(Math.abs(toInput(inp, -0.5, -0.5)[0] - -0.5) < 1e-9 && Math.abs(toInput(inp, -0.5, -0.5)[1] - 3.5) < 1e-9);
    const at = (x: number, y: number): number => inp.image.data[y * 16 + x];
    assert.ok(Math.abs(at(2, 8)) < 1e-4 && Math.abs(at(13, 8) - 200) < 1e-3, 'halves keep their values');
    assert.ok(Math.abs(at(5, 1) - 100) < 1e-3, 'letterbox is the photo mean');
  });

  it('turns the input frame to the photos\' orientation, so a portrait photo fills more of it', function () {
    const frame = { ...DEFAULT_HEATMAP, inputWidth: 128, inputHeight: 96 };
    // a mollusk photo is 2000 x 2941: portrait
    const turned = orientedFrame(frame, 2000, 2941);
    assert.deepStrictEqual([turned.inputWidth, turned.inputHeight], [96, 128]);
    const photo = { width: 200, height: 294, data: new Float32Array(200 * 294) };
    assert.ok(heatmapInput(photo, turned).scale > 1.3 * heatmapInput(photo, frame).scale, 'seen at a finer scale');
    // landscape photos (wings, video frames), square photos and square frames keep the frame as given
    assert.strictEqual(orientedFrame(frame, 632, 480), frame);
    assert.strictEqual(orientedFrame(frame, 500, 500), frame);
    const square = { ...frame, inputHeight: 128 };
    assert.strictEqual(orientedFrame(square, 2000, 2941), square);
  });

  it('decodes a Gaussian at a sub-pixel position exactly', function () {
    const w = 20;
    const h = 14;
    const K = 2;
    const map = new Float32Array(w * h * K);
    const truth = [[7.3, 5.8], [12.65, 9.1]];
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let k = 0; k < K; k++) map[(y * w + x) * K + k] = Math.exp(-((x - truth[k][0]) ** 2 + (y - truth[k][1]) ** 2) / (2 * 1.5 * 1.5));
      }
    }
    for (let k = 0; k < K; k++) {
      const p = decodePeak(map, 0, w, h, K, k);
      assert.ok(Math.hypot(p.x - truth[k][0], p.y - truth[k][1]) < 1e-6, `landmark ${k}: ${p.x}, ${p.y}`);
      assert.ok(p.spread > 0.5 && p.spread < 2, `spread ${p.spread}`);
    }
  });
});
