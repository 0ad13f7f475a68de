/**
 * The heatmap net's view of a photo: the whole photo area-averaged into a fixed input frame,
 * letterboxed (aspect kept, centred, the rest filled with the photo's mean).
 *
 * Coordinates everywhere are pixel units with pixel (0, 0)'s centre at (0, 0), x right, y down.
 * input = original * scale + offset;  original = (input - offset) / scale  (same for x and y).
 */
import type { GreyImage } from '../../imaging/grey';
import type { HeatmapConfig } from './config';

export interface HeatmapInput {
  /** The photo in the input frame (cfg.inputWidth x cfg.inputHeight), 0..255 like the photo. */
  image: GreyImage;
  scale: number;
  offsetX: number;
  offsetY: number;
  /** Original photo size. */
  width: number;
  height: number;
}

export function toInput(inp: HeatmapInput, x: number, y: number): [number, number] {
  return [x * inp.scale + inp.offsetX, y * inp.scale + inp.offsetY];
}

export function toOriginal(inp: HeatmapInput, x: number, y: number): [number, number] {
  return [(x - inp.offsetX) / inp.scale, (y - inp.offsetY) / inp.scale];
}

/**
 * Overlap weights of each output cell with the source pixels along one axis: output cell j spans
 * source edges [(j - pad) / s, (j + 1 - pad) / s] (edge coordinates: pixel i spans [i, i + 1]).
 */
function axisWeights(srcN: number, dstN: number, s: number, pad: number): { lo: Int32Array; w: Float32Array[] } {
  const lo = new Int32Array(dstN);
  const w: Float32Array[] = [];
  for (let j = 0; j < dstN; j++) {
    const a = Math.max(0, (j - pad) / s);
    const b = Math.min(srcN, (j + 1 - pad) / s);
    if (b <= a) {
      lo[j] = 0;
      w.push(new Float32Array(0));
      continue;
    }
    const i0 = Math.floor(a);
    const i1 = Math.min(srcN - 1, Math.ceil(b) - 1);
    const ws = new Float32Array(i1 - i0 + 1);
    for (let i = i0; i <= i1; i++) ws[i - i0] = Math.min(b, i + 1) - Math.max(a, i);
    lo[j] = i0;
    w.push(ws);
  }
  return { lo, w };
}

/** Pure and fast: separable area averaging, one pass over the photo. */
export function heatmapInput(full: GreyImage, cfg: Pick<HeatmapConfig, 'inputWidth' | 'inputHeight'>): HeatmapInput {
  const W = full.width;
  const H = full.height;
  const s = Math.min(cfg.inputWidth / W, cfg.inputHeight / H);
  const padX = (cfg.inputWidth - W * s) / 2;
  const padY = (cfg.inputHeight - H * s) / 2;
  const ax = axisWeights(W, cfg.inputWidth, s, padX);
  const ay = axisWeights(H, cfg.inputHeight, s, padY);
  // horizontal pass: every source row into the output's columns
  const rows = new Float32Array(H * cfg.inputWidth);
  const src = full.data;
  let sum = 0;
  for (let y = 0; y < H; y++) {
    const r = y * W;
    const o = y * cfg.inputWidth;
    for (let j = 0; j < cfg.inputWidth; j++) {
      const ws = ax.w[j];
      let v = 0;
      for (let k = 0, i = r + ax.lo[j]; k < ws.length; k++, i++) v += ws[k] * src[i];
      rows[o + j] = v;
    }
  }
  for (let i = 0; i < src.length; i++) sum += src[i];
  const mean = sum / Math.max(1, src.length);
  const out = new Float32Array(cfg.inputWidth * cfg.inputHeight);
  for (let j = 0; j < cfg.inputHeight; j++) {
    const ws = ay.w[j];
    let wy = 0;
    for (let k = 0; k < ws.length; k++) wy += ws[k];
    for (let x = 0; x < cfg.inputWidth; x++) {
      let wx = 0;
      for (const v of ax.w[x]) wx += v;
      const area = wx * wy;
      let v = 0;
      for (let k = 0, y = ay.lo[j]; k < ws.length; k++, y++) v += ws[k] * rows[y * cfg.inputWidth + x];
      // partly covered border cells: the missing part is letterbox, filled with the mean
      const full1 = 1 / (s * s);
      out[j * cfg.inputWidth + x] = area > 0 ? (v + (full1 - area) * mean) / full1 : mean;
    }
  }
  return {
    image: { width: cfg.inputWidth, height: cfg.inputHeight, data: out },
    scale: s,
    offsetX: padX + 0.5 * s - 0.5,
    offsetY: padY + 0.5 * s - 0.5,
    width: W,
    height: H,
  };
}

/** Zero mean, unit standard deviation per photo: the net sees no exposure differences. */
export function normalise(data: Float32Array, out: Float32Array = new Float32Array(data.length)): Float32Array {
  let m = 0;
  for (let i = 0; i < data.length; i++) m += data[i];
  m /= data.length;
  let v = 0;
  for (let i = 0; i < data.length; i++) v += (data[i] - m) * (data[i] - m);
  const sd = Math.sqrt(v / data.length) || 1;
  for (let i = 0; i < data.length; i++) out[i] = (data[i] - m) / sd;
  return out;
}
