/**
 * Heatmap decoding: peak plus a sub-cell offset from a parabola through the log of the peak and
 * its two neighbours on each axis (exact for a Gaussian, which is what the net is trained to
 * draw), and a spread that is large when the map has mass far from its peak (a second candidate,
 * e.g. a landmark taken for its neighbour).
 */
import { HEATMAP_STRIDE } from './net';

export interface Peak {
  /** Heatmap cells (cell centres at integers). */
  x: number;
  y: number;
  value: number;
  /** Standard deviation of the map around the peak, heatmap cells, weights max(v, 0)^2. */
  spread: number;
}

/** Channel `k` of an NHWC map of `w` x `h` cells and `channels` channels, from `base` on. */
export function decodePeak(map: Float32Array, base: number, w: number, h: number, channels: number, k: number): Peak {
  const at = (x: number, y: number): number => map[base + (y * w + x) * channels + k];
  let best = 0;
  let bv = -Infinity;
  for (let i = 0; i < w * h; i++) {
    const v = map[base + i * channels + k];
    if (v > bv) {
      bv = v;
      best = i;
    }
  }
  const px = best % w;
  const py = Math.floor(best / w);
  const offset = (a: number, c: number, b: number): number => {
    if (!(a > 0 && c > 0 && b > 0)) return 0;
    const la = Math.log(a);
    const lc = Math.log(c);
    const lb = Math.log(b);
    const den = la - 2 * lc + lb;
    if (!(den < 0)) return 0;
    return Math.max(-1, Math.min(1, (0.5 * (la - lb)) / den));
  };
  const dx = px > 0 && px < w - 1 ? offset(at(px - 1, py), bv, at(px + 1, py)) : 0;
  const dy = py > 0 && py < h - 1 ? offset(at(px, py - 1), bv, at(px, py + 1)) : 0;
  const x = px + dx;
  const y = py + dy;
  let sw = 0;
  let s2 = 0;
  for (let yy = 0; yy < h; yy++) {
    for (let xx = 0; xx < w; xx++) {
      const v = Math.max(0, at(xx, yy));
      const wgt = v * v;
      sw += wgt;
      s2 += wgt * ((xx - x) * (xx - x) + (yy - y) * (yy - y));
    }
  }
  return { x, y, value: bv, spread: sw > 0 ? Math.sqrt(s2 / sw) : Math.hypot(w, h) };
}

/** Heatmap cell -> input frame pixel: cell i covers input pixels STRIDE*i .. STRIDE*i + STRIDE - 1. */
export function cellToInput(c: number): number {
  return HEATMAP_STRIDE * c + (HEATMAP_STRIDE - 1) / 2;
}

export function inputToCell(p: number): number {
  return (p - (HEATMAP_STRIDE - 1) / 2) / HEATMAP_STRIDE;
}
