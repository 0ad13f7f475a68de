import { strict as assert } from 'assert';
import { paperX7, paperX7Version, rgbToGrey, adjustGrey } from '../../src/shared/augment';
import {
  wholeImageFrame,
  originalToNormalised,
  normalisedToOriginal,
  originalToModel,
  modelToOriginal,
  fromFlat,
  toFlat,
} from '../../src/shared/augment/frame';

describe('augment: the paper x7 versions', () => {
  // two pixels: (0.2, 0.4, 0.6) and (0.95, 0.5, 0.0)
  const rgb = new Float32Array([0.2, 0.4, 0.6, 0.95, 0.5, 0.0]);
  const grey = (r: number, g: number, b: number): number => 0.299 * r + 0.587 * g + 0.114 * b;

  it('gives the seven documented versions with exact values', () => {
    const v = paperX7(rgb, 0.1);
    assert.deepEqual(v.map((x) => x.label), ['original', 'R+offset', 'G+offset', 'B+offset', 'R', 'G', 'B']);
    const close = (a: Float32Array, b: number[]): void =>
      b.forEach((x, i) => assert.ok(Math.abs(a[i] - x) < 1e-6, `${a[i]} vs ${x}`));
    close(v[0].grey, [grey(0.2, 0.4, 0.6), grey(0.95, 0.5, 0)]);
    close(v[1].grey, [grey(0.3, 0.4, 0.6), grey(1, 0.5, 0)]); // R clipped at 1
    close(v[2].grey, [grey(0.2, 0.5, 0.6), grey(0.95, 0.6, 0)]);
    close(v[3].grey, [grey(0.2, 0.4, 0.7), grey(0.95, 0.5, 0.1)]);
    close(v[4].grey, [0.2, 0.95]);
    close(v[5].grey, [0.4, 0.5]);
    close(v[6].grey, [0.6, 0.0]);
    for (let i = 0; i < 7; i++) assert.deepEqual(Array.from(paperX7Version(rgb, i, 0.1)), Array.from(v[i].grey));
    assert.throws(() => paperX7Version(rgb, 7), /0\.\.6/);
  });

  it('grey of a grey pixel is that grey', () => {
    const g = rgbToGrey([0.5, 0.5, 0.5]);
    assert.ok(Math.abs(g[0] - 0.5) < 1e-6);
  });

  it('brightness/contrast around the pivot, clipped', () => {
    const out = adjustGrey([0, 0.5, 0.75, 1], { brightness: 0.1, contrast: 2 });
    assert.deepEqual(Array.from(out).map((x) => +x.toFixed(5)), [0, 0.6, 1, 1]);
  });
});

describe('augment: frames map landmarks like the pixels', () => {
  it('stretch: photo edges go to -1 and +1, round trips are exact', () => {
    const f = wholeImageFrame(3264, 2448, 256, 192);
    const tl = originalToNormalised(f, { x: -0.5, y: -0.5 });
    const br = originalToNormalised(f, { x: 3263.5, y: 2447.5 });
    assert.ok(Math.abs(tl.x + 1) < 1e-12 && Math.abs(tl.y + 1) < 1e-12);
    assert.ok(Math.abs(br.x - 1) < 1e-12 && Math.abs(br.y - 1) < 1e-12);
    const p = { x: 2129.25, y: 714 };
    const q = normalisedToOriginal(f, originalToNormalised(f, p));
    assert.ok(Math.abs(q.x - p.x) < 1e-9 && Math.abs(q.y - p.y) < 1e-9);
    const m = modelToOriginal(f, originalToModel(f, p));
    assert.ok(Math.abs(m.x - p.x) < 1e-9);
    // 12.75 original pixels per model pixel, as the paper's frame
    const a = originalToModel(f, { x: 0, y: 0 });
    const b = originalToModel(f, { x: 12.75, y: 0 });
    assert.ok(Math.abs(b.x - a.x - 1) < 1e-12);
  });

  it('letterbox: one scale for both axes, centred', () => {
    const f = wholeImageFrame(2000, 2941, 256, 192, 'letterbox');
    assert.ok(Math.abs(f.scaleX - f.scaleY) < 0.001);
    assert.equal(f.offsetY, 0);
    assert.equal(f.offsetX, Math.floor((256 - Math.round(2000 * (192 / 2941))) / 2));
    const c = originalToNormalised(f, { x: 999.5, y: 1470 });
    assert.ok(Math.abs(c.x) < 0.01 && Math.abs(c.y) < 0.01, JSON.stringify(c));
  });

  it('flat arrays keep missing landmarks', () => {
    const flat = toFlat([{ x: 1, y: 2 }, null]);
    assert.ok(Number.isNaN(flat[2]));
    assert.deepEqual(fromFlat(flat), [{ x: 1, y: 2 }, null]);
  });
});
