/**
 * Normalised cross-correlation search of a template around a point. Pure.
 */
import { GreyImage, samplePatch } from './grey';

export interface MatchResult {
  /** Best position (level pixels), sub-pixel. */
  x: number;
  y: number;
  /** NCC at the best integer offset, -1..1. */
  score: number;
}

/**
 * Searches offsets -radius..radius (integer, both axes) around (cx, cy) for the window that best
 * correlates with `template` (size x size, zero-mean). `prior` (>= 0) subtracts
 * prior * (d / radius)^2 from the score at distance d, favouring the starting point.
 */
export function searchNcc(
  img: GreyImage,
  template: Float32Array,
  size: number,
  cx: number,
  cy: number,
  radius: number,
  prior = 0,
): MatchResult {
  const rs = size + 2 * radius;
  const region = samplePatch(img, cx, cy, rs);
  // integral images of the region and its squares, (rs+1)^2
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
      for (let j = 0; j < size; j++) {
        const ro = (oy + j) * rs + ox;
        const to = j * size;
        for (let i = 0; i < size; i++) d += template[to + i] * region[ro + i];
      }
      const a = oy * n1 + ox;
      const b = (oy + size) * n1 + ox;
      const sum = s1[b + size] - s1[b] - s1[a + size] + s1[a];
      const sq = s2[b + size] - s2[b] - s2[a + size] + s2[a];
      const varn = sq - (sum * sum) / np;
      let s = varn > 1e-9 ? d / (tn * Math.sqrt(varn)) : 0;
      if (prior > 0) {
        const dx = ox - radius;
        const dy = oy - radius;
        s -= (prior * (dx * dx + dy * dy)) / (radius * radius);
      }
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
