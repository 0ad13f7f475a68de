/**
 * Normalised cross-correlation search of a template around a point. Pure.
 */
import { GreyImage, samplePatch } from '../../imaging/grey';

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
/** Scratch buffers reused across calls (prediction is single-threaded JS): fewer allocations. */
let regionBuf = new Float32Array(0);
let s1Buf = new Float64Array(0);
let s2Buf = new Float64Array(0);
let scoreBuf = new Float64Array(0);

/**
 * Correlations of the template with the region at four horizontally adjacent offsets
 * (ox..ox+3, row oy) in one sweep: each template value and region value is loaded once for
 * four products. Every offset's sum runs in the same order as a one-offset loop (bit-identical).
 */
function corr4(template: Float32Array, region: Float32Array, size: number, rs: number, oy: number, ox: number, out: Float64Array): void {
  let d0 = 0;
  let d1 = 0;
  let d2 = 0;
  let d3 = 0;
  for (let j = 0; j < size; j++) {
    const ro = (oy + j) * rs + ox;
    const to = j * size;
    let r0 = region[ro];
    let r1 = region[ro + 1];
    let r2 = region[ro + 2];
    for (let i = 0; i < size; i++) {
      const r3 = region[ro + i + 3];
      const t = template[to + i];
      d0 += t * r0;
      d1 += t * r1;
      d2 += t * r2;
      d3 += t * r3;
      r0 = r1;
      r1 = r2;
      r2 = r3;
    }
  }
  out[0] = d0;
  out[1] = d1;
  out[2] = d2;
  out[3] = d3;
}

function corr1(template: Float32Array, region: Float32Array, size: number, rs: number, oy: number, ox: number): number {
  let d = 0;
  for (let j = 0; j < size; j++) {
    const ro = (oy + j) * rs + ox;
    const to = j * size;
    for (let i = 0; i < size; i++) d += template[to + i] * region[ro + i];
  }
  return d;
}

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
  if (regionBuf.length < rs * rs) regionBuf = new Float32Array(rs * rs);
  const region = samplePatch(img, cx, cy, rs, regionBuf);
  // integral images of the region and its squares, (rs+1)^2
  const n1 = rs + 1;
  if (s1Buf.length < n1 * n1) {
    s1Buf = new Float64Array(n1 * n1);
    s2Buf = new Float64Array(n1 * n1);
  }
  const s1 = s1Buf;
  const s2 = s2Buf;
  for (let x = 0; x < n1; x++) {
    s1[x] = 0;
    s2[x] = 0;
  }
  for (let y = 0; y < rs; y++) {
    let a = 0;
    let b = 0;
    s1[(y + 1) * n1] = 0;
    s2[(y + 1) * n1] = 0;
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
  if (scoreBuf.length < side * side) scoreBuf = new Float64Array(side * side);
  const scores = scoreBuf;
  const dots = new Float64Array(4);
  let best = -Infinity;
  let bi = 0;
  for (let oy = 0; oy < side; oy++) {
    for (let ox = 0; ox < side; ox++) {
      const k = ox & 3;
      let d: number;
      if (k === 0 && ox + 3 < side) corr4(template, region, size, rs, oy, ox, dots);
      if (ox - k + 3 < side) d = dots[k];
      else d = corr1(template, region, size, rs, oy, ox);
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
