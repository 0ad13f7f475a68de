/**
 * Silhouette-aware correction of landmark predictions, learned from training items whose
 * predictions are realistic (out-of-fold). Pipeline, each step learned and switched off per
 * landmark where it does not pay on the training items:
 *   1. silhouette regression (./regress.ts): ridge from the resampled outer contour to the
 *      landmarks; per landmark a mix with the prediction, gated by their disagreement (a far
 *      disagreement usually means the prediction failed), chosen by K-fold error;
 *   2. contour rules, per landmark the best of:
 *      - keep;
 *      - project: nearest contour point plus a learned offset along the normal;
 *      - extreme: the contour point farthest in a direction of the shape's frame (image axes or
 *        the predicted shape's rotation) within an arc of the prediction's nearest contour
 *        point (whole contour = a global extremum: apex, lowest, leftmost point), plus a bias;
 *      - curv: the most convex / concave contour point within an arc (sutures meet the outline
 *        in notches), plus a bias;
 *      each blended with the prediction (alpha near, alphaFar beyond a gate), kept only if it
 *      beats `keep` by minGain on every interleaved part of the training items;
 *   3. (off: measured worse) arc rules: a landmark at a learned fraction of the contour arc
 *      between two others;
 *   4. shape regression: each landmark regressed from all of them (normalised), gated mix.
 * Nothing is hard-coded to a landmark: on photos without a clean silhouette no step wins and the
 * stage switches itself off. Pure (pyramids in, numbers out).
 */
import type { GreyImage } from '../../imaging/grey';
import { arcDiff, arcLengths, arcOf, pointAtArc, argmaxNear, extremeNear, frameOf, meanSpacing, turnAngles, nearestOnContour, normalisedShape, toFrameVec, toImageVec, type Frame, type Pt } from './geometry';
import { describe, fitRidge, fromFrame, predictRidge, toFrame, type RidgeModel } from './regress';
import { objectContour, type Contour } from './segment';

export interface ContourConfig {
  /** The contour is extracted on the pyramid level whose width is closest to this. */
  targetWidth: number;
  /** Smoothing passes along the contour. */
  smooth: number;
  /** Directions tried for extremes (evenly spaced over 360 degrees). */
  angles: number;
  /** Arc half-lengths tried, in units of the shape's RMS size (null = whole contour). */
  arcs: (number | null)[];
  alphas: number[];
  /** Curvature scales (half-window, units of the shape's RMS size) and search arcs for curvature extrema. */
  curvScales: number[];
  curvArcs: number[];
  /** Largest move allowed, in units of the shape's RMS size (null = any). */
  gates: (number | null)[];
  /** Silhouette regression: resampled points (0 = off), rotation from the predicted shape, predicted landmarks as inputs, ridge penalties tried, folds. */
  regPoints: number;
  regRotate: boolean;
  regUseStart: boolean;
  regRidges: number[];
  regFolds: number;
  regMixes: number[];
  /** The arc-fraction rules on or off. */
  arcRule: boolean;
  /** The final shape regression on or off, and whether it also sees the contour descriptor. */
  shapeReg: boolean;
  shapeWithContour: boolean;
  /** Disagreement gates tried (units of the shape's RMS size): beyond it, the landmark takes the far mix. */
  regGates: number[];
  /** A rule must beat `keep` by this fraction of keep's mean error, on each of `halves` interleaved parts of the training items. */
  minGain: number;
  halves: number;
}

export const DEFAULT_CONTOUR: ContourConfig = {
  targetWidth: 250,
  smooth: 1,
  angles: 36,
  arcs: [0.05, 0.1, 0.2, 0.4, null],
  alphas: [0.5, 0.75, 1],
  gates: [null, 0.3, 0.15, 0.08],
  curvScales: [0.02, 0.05, 0.1],
  curvArcs: [0.05, 0.1, 0.2],
  minGain: 0.03,
  halves: 2,
  regPoints: 64,
  regRotate: true,
  regUseStart: false,
  regRidges: [0.003, 0.01, 0.03, 0.1, 0.3],
  regFolds: 12,
  regMixes: [0, 0.25, 0.5, 0.75, 1],
  arcRule: false,
  shapeReg: true,
  shapeWithContour: false,
  regGates: [0.05, 0.1, 0.2, 0.3, 1e9],
};

export interface ContourRegression {
  /** Inputs: the contour's resampled points, or the landmarks themselves (a shape model). */
  input: 'contour' | 'shape';
  /** Anchor direction (radians, rotated frame) where the resampled contour starts. */
  anchor: number;
  ridge: RidgeModel;
  lambda: number;
  /** Per landmark: weight of the regression's answer against the prediction (0 = prediction) where they agree within gate x size, and beyond. */
  mix: number[];
  mixFar: number[];
  gate: number[];
}

/** How far a landmark moves towards its rule's candidate: alpha, or alphaFar where the move exceeds gate x size. */
export interface Blend {
  alpha: number;
  alphaFar: number;
  gate: number | null;
}

export type ContourRule =
  | { kind: 'keep' }
  | ({ kind: 'project'; offset: number } & Blend)
  | ({ kind: 'extreme'; rotate: boolean; angle: number; arc: number | null; bias: [number, number] } & Blend)
  /** The most convex (sign 1) or concave (sign -1) contour point within `arc` of the prediction's nearest point, plus a bias in the rotated frame. */
  | ({ kind: 'curv'; sign: 1 | -1; scale: number; arc: number; bias: [number, number] } & Blend);

/** Landmark at fraction f of the contour arc from landmark a's to landmark b's contour point (the short way), plus a normal offset. */
export type ArcRule = { kind: 'keep' } | ({ kind: 'arc'; a: number; b: number; f: number; offset: number } & Blend);

export interface ContourModel {
  format: 'landmarks-contour';
  version: 1;
  config: ContourConfig;
  landmarkCount: number;
  /** Normalised mean predicted shape (the reference for the frame's rotation). */
  ref: Pt[];
  rules: ContourRule[];
  regression?: ContourRegression;
  /** After the rules: landmarks placed along the contour between two others (fraction of the arc between them). */
  arcRules?: ArcRule[];
  /** After the rules: each landmark regressed from all of them (normalised), gated mix. */
  shapeRegression?: ContourRegression;
  /** Training mean error per landmark before / after (original pixels), for reports. */
  trainBefore: number[];
  trainAfter: number[];
}

export interface ContourItem {
  contour: Contour;
  truth: (Pt | null)[];
  start: Pt[];
}

/** Pyramid level whose width is closest to `target`, among the levels held (a kept pyramid has empty finer levels). */
export function contourLevel(pyr: { width: number }[], target: number): number {
  let best = -1;
  for (let l = 0; l < pyr.length; l++) {
    if (pyr[l].width === 0) continue;
    if (best < 0 || Math.abs(pyr[l].width - target) < Math.abs(pyr[best].width - target)) best = l;
  }
  return Math.max(0, best);
}

export function contourOf(pyr: GreyImage[], config: ContourConfig): Contour {
  const l = contourLevel(pyr, config.targetWidth);
  return objectContour(pyr[l], l, config.smooth);
}

/** Whether a contour can be trusted at all. */
export function usable(c: Contour): boolean {
  return c.n >= 16 && c.areaFraction > 0.01 && c.areaFraction < 0.95;
}

/** Collects training items one at a time (keeps only contours, not pyramids). */
export class ContourTrainer {
  private readonly items: ContourItem[] = [];
  constructor(readonly config: ContourConfig = DEFAULT_CONTOUR) {}

  add(pyr: GreyImage[], truth: (Pt | null)[], start: Pt[]): void {
    this.addContour(contourOf(pyr, this.config), truth, start);
  }

  addContour(contour: Contour, truth: (Pt | null)[], start: Pt[]): void {
    this.items.push({ contour, truth, start });
  }

  build(): ContourModel {
    return fitContourModel(this.items, this.config);
  }
}

export function trainContour(items: { pyr: GreyImage[]; truth: (Pt | null)[]; start: Pt[] }[], config: ContourConfig = DEFAULT_CONTOUR): ContourModel {
  const t = new ContourTrainer(config);
  for (const it of items) t.add(it.pyr, it.truth, it.start);
  return t.build();
}

interface Prepared {
  c: Contour;
  ok: boolean;
  truth: (Pt | null)[];
  start: Pt[];
  frames: [Frame, Frame]; // image axes, rotated
  near: ReturnType<typeof nearestOnContour>[];
  /** Signed turning angles per curvature scale (config.curvScales order). */
  turns: Float64Array[];
}

function turnsAt(c: Contour, scale: number, size: number, spacing: number): Float64Array {
  return turnAngles(c, (scale * size) / Math.max(1e-9, spacing));
}

/** Mean reference shape: mean of the normalised predicted shapes (the photos' common pose). */
function referenceShape(starts: Pt[][]): Pt[] {
  const L = starts[0].length;
  const ref: Pt[] = Array.from({ length: L }, () => [0, 0]);
  for (const s of starts) {
    const q = normalisedShape(s);
    for (let j = 0; j < L; j++) {
      ref[j][0] += q[j][0] / starts.length;
      ref[j][1] += q[j][1] / starts.length;
    }
  }
  return normalisedShape(ref);
}

/** Moves `start` towards `cand` by alpha, or by alphaFar where the move is longer than gate x size. */
function blend(start: Pt, cand: Pt, r: { alpha: number; alphaFar: number; gate: number | null }, size: number): Pt {
  const dx = cand[0] - start[0];
  const dy = cand[1] - start[1];
  const a = r.gate !== null && Math.hypot(dx, dy) > r.gate * size ? r.alphaFar : r.alpha;
  return [start[0] + a * dx, start[1] + a * dy];
}

function dist(a: Pt, b: Pt): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1]);
}

/** Raw candidate (before offset / bias) of an extreme rule. */
function extremeCandidate(p: { c: Contour; frames: [Frame, Frame] }, seg: number, rotate: boolean, angle: number, arc: number | null): Pt {
  const f = p.frames[rotate ? 1 : 0];
  const u = toImageVec(f, Math.cos(angle), Math.sin(angle));
  const k = extremeNear(p.c, seg, u[0], u[1], arc === null ? Infinity : arc * f.size);
  return [p.c.pts[2 * k], p.c.pts[2 * k + 1]];
}

function anchorOf(ref: Pt[]): number {
  let best = 0;
  for (let j = 1; j < ref.length; j++) if (Math.hypot(...ref[j]) > Math.hypot(...ref[best])) best = j;
  return Math.atan2(ref[best][1], ref[best][0]);
}

function regInput(c: Contour, start: Pt[], ref: Pt[], anchor: number, config: ContourConfig, input: 'contour' | 'shape'): { x: Float64Array; frame: Frame } {
  if (input === 'shape') {
    const frame = frameOf(start, ref, true);
    const extra = config.shapeWithContour ? describe(c, frame, anchor, config.regPoints).feat : new Float64Array(0);
    const x = new Float64Array(2 * start.length + extra.length);
    start.forEach((p, j) => {
      const q = toFrame(frame, p);
      x[2 * j] = q[0];
      x[2 * j + 1] = q[1];
    });
    x.set(extra, 2 * start.length);
    return { x, frame };
  }
  const rot = frameOf(start, ref, config.regRotate);
  const d = describe(c, rot, anchor, config.regPoints);
  if (!config.regUseStart) return { x: d.feat, frame: d.frame };
  const x = new Float64Array(d.feat.length + 2 * start.length);
  x.set(d.feat);
  start.forEach((p, j) => {
    const q = toFrame(d.frame, p);
    x[d.feat.length + 2 * j] = q[0];
    x[d.feat.length + 2 * j + 1] = q[1];
  });
  return { x, frame: d.frame };
}

function mixed(start: Pt[], reg: Float64Array, frame: Frame, mix: number[], mixFar: number[], gate: number[]): Pt[] {
  return start.map((p, j) => {
    const q = fromFrame(frame, [reg[2 * j], reg[2 * j + 1]]);
    const w = Math.hypot(q[0] - p[0], q[1] - p[1]) > gate[j] * frame.size ? mixFar[j] : mix[j];
    return [p[0] + w * (q[0] - p[0]), p[1] + w * (q[1] - p[1])] as Pt;
  });
}

/**
 * Fits the silhouette regression: ridge penalty and per-landmark mix by K-fold error on the
 * training items; returns the model and the out-of-fold mixed landmarks (the next stage's input).
 */
function fitRegression(items: ContourItem[], ref: Pt[], config: ContourConfig, input: 'contour' | 'shape'): { model: ContourRegression; oof: Pt[][]; before: number[] } | undefined {
  const L = items[0].start.length;
  const anchor = anchorOf(ref);
  const ok = items.map((it) => usable(it.contour));
  const idx = items.map((_, i) => i).filter((i) => ok[i]);
  if (idx.length < Math.max(10, 2 * config.regFolds)) return undefined;
  const inputs = items.map((it, i) => (ok[i] ? regInput(it.contour, it.start, ref, anchor, config, input) : undefined));
  const target = (i: number): Float64Array => {
    const it = items[i];
    const f = (inputs[i] as { frame: Frame }).frame;
    const y = new Float64Array(2 * L);
    it.truth.forEach((t, j) => {
      const q = toFrame(f, t ?? it.start[j]);
      y[2 * j] = q[0];
      y[2 * j + 1] = q[1];
    });
    return y;
  };
  const ys = items.map((_, i) => (ok[i] ? target(i) : new Float64Array(0)));
  const K = config.regFolds;
  let best: { lambda: number; err: number; mix: number[]; mixFar: number[]; gate: number[]; oofReg: (Float64Array | undefined)[] } | undefined;
  const before = new Array<number>(L).fill(0);
  for (const lambda of config.regRidges) {
    const oofReg: (Float64Array | undefined)[] = items.map(() => undefined);
    for (let k = 0; k < K; k++) {
      const tr = idx.filter((_, q) => q % K !== k);
      const te = idx.filter((_, q) => q % K === k);
      const m = fitRidge(
        tr.map((i) => (inputs[i] as { x: Float64Array }).x),
        tr.map((i) => ys[i]),
        lambda,
      );
      for (const i of te) oofReg[i] = predictRidge(m, (inputs[i] as { x: Float64Array }).x);
    }
    const mix: number[] = [];
    const mixFar: number[] = [];
    const gate: number[] = [];
    let total = 0;
    for (let j = 0; j < L; j++) {
      // per item: start, regression answer, truth, disagreement / size
      const rows: { s: Pt; q: Pt; t: Pt; d: number }[] = [];
      for (const i of idx) {
        const t = items[i].truth[j];
        if (!t) continue;
        const f = (inputs[i] as { frame: Frame }).frame;
        const r = oofReg[i] as Float64Array;
        const q = fromFrame(f, [r[2 * j], r[2 * j + 1]]);
        const s = items[i].start[j];
        rows.push({ s, q, t, d: Math.hypot(q[0] - s[0], q[1] - s[1]) / f.size });
      }
      const errOf = (w: number, sel: (d: number) => boolean): number => {
        let e = 0;
        for (const r of rows) if (sel(r.d)) e += Math.hypot(r.s[0] + w * (r.q[0] - r.s[0]) - r.t[0], r.s[1] + w * (r.q[1] - r.s[1]) - r.t[1]);
        return e;
      };
      before[j] = errOf(0, () => true) / Math.max(1, rows.length);
      let bestE = Infinity;
      let bw: [number, number, number] = [0, 0, 1e9];
      for (const g of config.regGates) {
        let en = Infinity;
        let wn = 0;
        let ef = Infinity;
        let wf = 0;
        for (const w of config.regMixes) {
          const a = errOf(w, (d) => d <= g);
          const b = errOf(w, (d) => d > g);
          if (a < en - 1e-9) {
            en = a;
            wn = w;
          }
          if (b < ef - 1e-9) {
            ef = b;
            wf = w;
          }
        }
        const e = (en + ef) / Math.max(1, rows.length);
        if (e < bestE - 1e-9) {
          bestE = e;
          bw = [wn, wf, g];
        }
      }
      mix.push(bw[0]);
      mixFar.push(bw[1]);
      gate.push(bw[2]);
      total += bestE;
    }
    if (!best || total < best.err) best = { lambda, err: total, mix, mixFar, gate, oofReg };
  }
  if (!best || (best.mix.every((w) => w === 0) && best.mixFar.every((w) => w === 0))) return undefined;
  const ridge = fitRidge(
    idx.map((i) => (inputs[i] as { x: Float64Array }).x),
    idx.map((i) => ys[i]),
    best.lambda,
  );
  const b = best;
  const oof = items.map((it, i) => (ok[i] ? mixed(it.start, b.oofReg[i] as Float64Array, (inputs[i] as { frame: Frame }).frame, b.mix, b.mixFar, b.gate) : it.start));
  return { model: { input, anchor, ridge, lambda: b.lambda, mix: b.mix, mixFar: b.mixFar, gate: b.gate }, oof, before };
}

function curvCandidate(c: Contour, seg: number, arc: number, turns: Float64Array, sign: 1 | -1): Pt {
  let k: number;
  if (sign === 1) k = argmaxNear(c, seg, arc, turns);
  else {
    const neg = new Float64Array(turns.length);
    for (let q = 0; q < turns.length; q++) neg[q] = -turns[q];
    k = argmaxNear(c, seg, arc, neg);
  }
  return [c.pts[2 * k], c.pts[2 * k + 1]];
}


/**
 * The blend weights of a rule, chosen separately for the items whose candidate lies near the
 * start and those beyond the gate (their errors add up): for each alpha (plus 0 when gated),
 * sum each item's error; the lowest sum per part wins (first alpha on ties).
 */
function chooseAlphas(alphas: number[], gate: number | null, n: number, errorOf: (i: number, alpha: number) => { e: number; far: boolean }): { bestNear: { e: number; a: number }; bestFar: { e: number; a: number } } {
  let bestNear = { e: Infinity, a: 0 };
  let bestFar = { e: Infinity, a: 0 };
  for (const alpha of gate === null ? alphas : [0, ...alphas]) {
    let sn = 0;
    let sf = 0;
    for (let i = 0; i < n; i++) {
      const r = errorOf(i, alpha);
      if (r.far) sf += r.e;
      else sn += r.e;
    }
    if (sn < bestNear.e) bestNear = { e: sn, a: alpha };
    if (sf < bestFar.e) bestFar = { e: sf, a: alpha };
  }
  return { bestNear, bestFar };
}

/** Median offset (rotated frame, units of size) from raw candidates to the truth, and the biased candidates. */
function biasRule(use: Prepared[], j: number, raw: (Pt | null)[]): { bias: [number, number]; cands: (Pt | null)[] } {
  const bs: Pt[] = [];
  for (let i = 0; i < use.length; i++) {
    const r = raw[i];
    if (!r) continue;
    const f = use[i].frames[1];
    const t = use[i].truth[j] as Pt;
    bs.push(toFrameVec(f, (t[0] - r[0]) / f.size, (t[1] - r[1]) / f.size));
  }
  const bias: [number, number] = bs.length ? [median(bs.map((b) => b[0])), median(bs.map((b) => b[1]))] : [0, 0];
  const cands = use.map((p, i): Pt | null => {
    const r = raw[i];
    if (!r) return null;
    const f = p.frames[1];
    const b = toImageVec(f, bias[0] * f.size, bias[1] * f.size);
    return [r[0] + b[0], r[1] + b[1]];
  });
  return { bias, cands };
}

export function fitContourModel(items: ContourItem[], config: ContourConfig = DEFAULT_CONTOUR): ContourModel {
  if (items.length === 0) throw new Error('no training items');
  const L = items[0].start.length;
  const ref = referenceShape(items.map((it) => it.start));
  const regOut = config.regPoints > 0 ? fitRegression(items, ref, config, 'contour') : undefined;
  const stage1 = regOut ? regOut.oof : items.map((it) => it.start);
  const prep: Prepared[] = items.map((it0, i) => {
    const it = { ...it0, start: stage1[i] };
    const ok = usable(it.contour);
    return {
      c: it.contour,
      ok,
      truth: it.truth,
      start: it.start,
      frames: [frameOf(it.start, ref, false), frameOf(it.start, ref, true)],
      near: ok ? it.start.map((p) => nearestOnContour(it.contour, p[0], p[1])) : [],
      turns: [],
    };
  });
  for (const p of prep) {
    if (!p.ok) continue;
    const sp = meanSpacing(p.c);
    p.turns = config.curvScales.map((sc) => turnsAt(p.c, sc, p.frames[0].size, sp));
  }
  const rules: ContourRule[] = [];
  const trainBefore: number[] = [];
  const trainAfter: number[] = [];
  for (let j = 0; j < L; j++) {
    const use = prep.filter((p) => p.truth[j] !== null);
    const keepErr = mean(use.map((p) => dist(p.start[j], p.truth[j] as Pt)));
    let bestErr = keepErr;
    let best: ContourRule = { kind: 'keep' };
    // a rule must help on each of `halves` interleaved parts of the training items, not only on all of them
    const consistent = (cands: (Pt | null)[], b: Blend): boolean => {
      const H = config.halves;
      const sk = new Float64Array(H);
      const sr = new Float64Array(H);
      for (let i = 0; i < use.length; i++) {
        const p = use[i];
        const t = p.truth[j] as Pt;
        const c = cands[i];
        sk[i % H] += dist(p.start[j], t);
        sr[i % H] += dist(c ? blend(p.start[j], c, b, p.frames[0].size) : p.start[j], t);
      }
      for (let h = 0; h < H; h++) if (sr[h] > sk[h] * (1 - config.minGain)) return false;
      return true;
    };
    const consider = (cands: (Pt | null)[], make: (b: Blend) => ContourRule): void => {
      for (const gate of config.gates) {
        // near and far parts of the error add up: choose each alpha separately
        const { bestNear, bestFar } = chooseAlphas(config.alphas, gate, use.length, (i, alpha) => {
          const p = use[i];
          const c = cands[i];
          const t = p.truth[j] as Pt;
          const st = p.start[j];
          if (!c) return { e: dist(st, t), far: false };
          const q = blend(st, c, { alpha, alphaFar: alpha, gate: null }, 1);
          return { e: dist(q, t), far: gate !== null && dist(st, c) > gate * p.frames[0].size };
        });
        const e = (bestNear.e + bestFar.e) / Math.max(1, use.length);
        if (e < bestErr - 1e-9 && (bestNear.a > 0 || bestFar.a > 0) && consistent(cands, { alpha: bestNear.a, alphaFar: gate === null ? bestNear.a : bestFar.a, gate })) {
          bestErr = e;
          best = make({ alpha: bestNear.a, alphaFar: gate === null ? bestNear.a : bestFar.a, gate });
        }
      }
    };
    // project + normal offset
    {
      const offs: number[] = [];
      for (const p of use) {
        if (!p.ok) continue;
        const n = p.near[j];
        const t = p.truth[j] as Pt;
        offs.push(((t[0] - n.x) * n.nx + (t[1] - n.y) * n.ny) / p.frames[0].size);
      }
      const offset = offs.length ? median(offs) : 0;
      const cands = use.map((p): Pt | null => {
        if (!p.ok) return null;
        const n = p.near[j];
        const o = offset * p.frames[0].size;
        return [n.x + o * n.nx, n.y + o * n.ny];
      });
      consider(cands, (b) => ({ kind: 'project', offset, ...b }));
    }
    // extremes
    for (const rotate of [false, true]) {
      for (let a = 0; a < config.angles; a++) {
        const angle = (2 * Math.PI * a) / config.angles;
        for (const arc of config.arcs) {
          const raw = use.map((p): Pt | null => (p.ok ? extremeCandidate(p, p.near[j].seg, rotate, angle, arc) : null));
          const bs: Pt[] = [];
          for (let i = 0; i < use.length; i++) {
            const r = raw[i];
            if (!r) continue;
            const p = use[i];
            const f = p.frames[rotate ? 1 : 0];
            const t = p.truth[j] as Pt;
            const v = toFrameVec(f, (t[0] - r[0]) / f.size, (t[1] - r[1]) / f.size);
            bs.push(v);
          }
          const bias: [number, number] = bs.length ? [median(bs.map((b) => b[0])), median(bs.map((b) => b[1]))] : [0, 0];
          const cands = use.map((p, i): Pt | null => {
            const r = raw[i];
            if (!r) return null;
            const f = p.frames[rotate ? 1 : 0];
            const b = toImageVec(f, bias[0] * f.size, bias[1] * f.size);
            return [r[0] + b[0], r[1] + b[1]];
          });
          consider(cands, (b) => ({ kind: 'extreme', rotate, angle, arc, bias, ...b }));
        }
      }
    }
    // curvature extrema
    for (let si = 0; si < config.curvScales.length; si++) {
      for (const sign of [1, -1] as const) {
        for (const arc of config.curvArcs) {
          const raw = use.map((p): Pt | null => (p.ok ? curvCandidate(p.c, p.near[j].seg, arc * p.frames[0].size, p.turns[si], sign) : null));
          const withBias = biasRule(use, j, raw);
          consider(withBias.cands, (b) => ({ kind: 'curv', sign, scale: config.curvScales[si], arc, bias: withBias.bias, ...b }));
        }
      }
    }
    if (bestErr > keepErr * (1 - config.minGain)) {
      best = { kind: 'keep' };
      bestErr = keepErr;
    }
    rules.push(best);
    trainBefore.push(keepErr);
    trainAfter.push(bestErr);
  }
  if (regOut) trainBefore.splice(0, L, ...regOut.before);
  let shapeRegression: ContourRegression | undefined;
  let stage2 = items.map((it, i) => ({ ...it, start: prep[i].ok ? applyRules(rules, ref, it.contour, stage1[i]) : stage1[i] }));
  let arcRules: ArcRule[] | undefined;
  if (config.arcRule) {
    arcRules = fitArcRules(stage2, prep.map((p) => p.ok), config);
    const ar = arcRules;
    if (ar.every((r) => r.kind === 'keep')) arcRules = undefined;
    else stage2 = stage2.map((it, i) => ({ ...it, start: prep[i].ok ? applyArcRules(ar, it.contour, it.start) : it.start }));
    for (let j = 0; j < L; j++) {
      const e = stage2.filter((it) => it.truth[j]).map((it) => dist(it.start[j], it.truth[j] as Pt));
      trainAfter[j] = mean(e);
    }
  }
  if (config.shapeReg) {
    const sr = fitRegression(stage2, ref, config, 'shape');
    if (sr) {
      shapeRegression = sr.model;
      for (let j = 0; j < L; j++) {
        let e = 0;
        let cnt = 0;
        items.forEach((it, i) => {
          const t = it.truth[j];
          if (!t) return;
          e += dist(sr.oof[i][j], t);
          cnt++;
        });
        trainAfter[j] = e / Math.max(1, cnt);
      }
    }
  }
  return { format: 'landmarks-contour', version: 1, config, landmarkCount: L, ref, rules, regression: regOut?.model, arcRules, shapeRegression, trainBefore, trainAfter };
}

export interface ContourResult {
  landmarks: Pt[];
  /** Per landmark: how far the contour rule moved it (original pixels; 0 where kept). */
  doubt: number[];
}

/** Applies the learned rules to one photo's predicted landmarks. */
export function applyContour(model: ContourModel, pyr: GreyImage[], landmarks: Pt[]): ContourResult {
  const out = landmarks.map((p) => [p[0], p[1]] as Pt);
  const doubt = new Array<number>(landmarks.length).fill(0);
  if (!model.regression && !model.shapeRegression && !model.arcRules && !model.rules.some((r) => r.kind !== 'keep')) return { landmarks: out, doubt };
  const c = contourOf(pyr, model.config);
  return applyContourTo(model, c, landmarks);
}

/** applyContour on a contour already extracted. */
export function applyContourTo(model: ContourModel, c: Contour, original: Pt[]): ContourResult {
  const out = original.map((p) => [p[0], p[1]] as Pt);
  const doubt = new Array<number>(original.length).fill(0);
  if (!usable(c)) return { landmarks: out, doubt };
  let landmarks = original;
  if (model.regression) {
    const r = model.regression;
    const { x, frame } = regInput(c, original, model.ref, r.anchor, model.config, 'contour');
    landmarks = mixed(original, predictRidge(r.ridge, x), frame, r.mix, r.mixFar, r.gate);
  }
  let final = applyRules(model.rules, model.ref, c, landmarks);
  if (model.arcRules) final = applyArcRules(model.arcRules, c, final);
  if (model.shapeRegression) {
    const r = model.shapeRegression;
    const { x, frame } = regInput(c, final, model.ref, r.anchor, model.config, 'shape');
    final = mixed(final, predictRidge(r.ridge, x), frame, r.mix, r.mixFar, r.gate);
  }
  for (let j = 0; j < out.length; j++) {
    out[j] = final[j];
    doubt[j] = dist(out[j], original[j]);
  }
  return { landmarks: out, doubt };
}

interface ArcItem {
  cum: Float64Array;
  per: number;
  size: number;
  /** Arc coordinate and nearest point of every landmark. */
  s: number[];
  near: ReturnType<typeof nearestOnContour>[];
}

function arcItem(c: Contour, landmarks: Pt[]): ArcItem {
  const cum = arcLengths(c);
  const near = landmarks.map((p) => nearestOnContour(c, p[0], p[1]));
  return { cum, per: cum[c.n], size: frameOf(landmarks, undefined, false).size, s: near.map((n) => arcOf(c, cum, n)), near };
}

/** The arc rule's candidate, or null where a and b (nearly) coincide on the contour. */
function arcCandidate(c: Contour, it: ArcItem, a: number, b: number, f: number, offset: number): Pt | null {
  const d = arcDiff(it.s[a], it.s[b], it.per);
  if (Math.abs(d) < 1e-6 * it.per) return null;
  const s = it.s[a] + f * d;
  const q = pointAtArc(c, it.cum, s);
  const n = nearestOnContour(c, q[0], q[1]);
  const o = offset * it.size;
  return [q[0] + o * n.nx, q[1] + o * n.ny];
}

function applyArcRules(rules: ArcRule[], c: Contour, landmarks: Pt[]): Pt[] {
  const out = landmarks.map((p) => [p[0], p[1]] as Pt);
  if (!usable(c) || rules.every((r) => r.kind === 'keep')) return out;
  const it = arcItem(c, landmarks);
  rules.forEach((r, j) => {
    if (r.kind === 'keep') return;
    const cand = arcCandidate(c, it, r.a, r.b, r.f, r.offset);
    if (cand) out[j] = blend(landmarks[j], cand, r, it.size);
  });
  return out;
}

/** For each landmark, the pair of other landmarks and arc fraction that place it best (or keep). */
function fitArcRules(items: ContourItem[], ok: boolean[], config: ContourConfig): ArcRule[] {
  const L = items[0].start.length;
  const arcs = items.map((it, i) => (ok[i] ? arcItem(it.contour, it.start) : undefined));
  const rules: ArcRule[] = [];
  for (let j = 0; j < L; j++) {
    const use = items.map((_, i) => i).filter((i) => items[i].truth[j] !== null);
    const truthArc = use.map((i) => {
      const a = arcs[i];
      if (!a) return undefined;
      const t = items[i].truth[j] as Pt;
      const n = nearestOnContour(items[i].contour, t[0], t[1]);
      return { s: arcOf(items[i].contour, a.cum, n), off: n.signed / a.size };
    });
    const keepE = use.map((i) => dist(items[i].start[j], items[i].truth[j] as Pt));
    const keepSum = keepE.reduce((x, y) => x + y, 0);
    let best: ArcRule = { kind: 'keep' };
    let bestSum = keepSum * (1 - config.minGain);
    for (let a = 0; a < L; a++) {
      for (let b = 0; b < L; b++) {
        if (a === j || b === j || a === b) continue;
        const fs: number[] = [];
        const offs: number[] = [];
        use.forEach((i, q) => {
          const it = arcs[i];
          const ta = truthArc[q];
          if (!it || !ta) return;
          const d = arcDiff(it.s[a], it.s[b], it.per);
          if (Math.abs(d) < 1e-6 * it.per) return;
          fs.push(arcDiff(it.s[a], ta.s, it.per) / d);
          offs.push(ta.off);
        });
        if (fs.length < use.length / 2) continue;
        const f = median(fs);
        const offset = median(offs);
        const cands = use.map((i) => {
          const it = arcs[i];
          return it ? arcCandidate(items[i].contour, it, a, b, f, offset) : null;
        });
        for (const gate of config.gates) {
          const { bestNear, bestFar } = chooseAlphas(config.alphas, gate, use.length, (q, alpha) => {
            const i = use[q];
            const st = items[i].start[j];
            const c = cands[q];
            if (!c) return { e: keepE[q], far: false };
            const e = dist([st[0] + alpha * (c[0] - st[0]), st[1] + alpha * (c[1] - st[1])], items[i].truth[j] as Pt);
            return { e, far: gate !== null && dist(st, c) > gate * (arcs[i] as ArcItem).size };
          });
          const sum = bestNear.e + bestFar.e;
          if (sum >= bestSum || (bestNear.a === 0 && bestFar.a === 0)) continue;
          const bl: Blend = { alpha: bestNear.a, alphaFar: gate === null ? bestNear.a : bestFar.a, gate };
          // consistency: must help on each interleaved part
          const H = config.halves;
          const sk = new Float64Array(H);
          const sr = new Float64Array(H);
          use.forEach((i, q) => {
            const c = cands[q];
            const st = items[i].start[j];
            sk[q % H] += keepE[q];
            sr[q % H] += dist(c ? blend(st, c, bl, (arcs[i] as ArcItem).size) : st, items[i].truth[j] as Pt);
          });
          let consistent = true;
          for (let h = 0; h < H; h++) if (sr[h] > sk[h] * (1 - config.minGain)) consistent = false;
          if (!consistent) continue;
          bestSum = sum;
          best = { kind: 'arc', a, b, f, offset, ...bl };
        }
      }
    }
    rules.push(best);
  }
  return rules;
}

/** The per-landmark contour rules on one contour (landmarks in, corrected copy out). */
function applyRules(rules: ContourRule[], ref: Pt[], c: Contour, landmarks: Pt[]): Pt[] {
  const out = landmarks.map((p) => [p[0], p[1]] as Pt);
  if (!usable(c)) return out;
  const frames: [Frame, Frame] = [frameOf(landmarks, ref, false), frameOf(landmarks, ref, true)];
  let spacing: number | undefined;
  for (let j = 0; j < rules.length; j++) {
    const r = rules[j];
    if (r.kind === 'keep') continue;
    const s = landmarks[j];
    const n = nearestOnContour(c, s[0], s[1]);
    let cand: Pt;
    if (r.kind === 'project') {
      const o = r.offset * frames[0].size;
      cand = [n.x + o * n.nx, n.y + o * n.ny];
    } else if (r.kind === 'curv') {
      spacing ??= meanSpacing(c);
      const turns = turnsAt(c, r.scale, frames[0].size, spacing);
      const raw = curvCandidate(c, n.seg, r.arc * frames[0].size, turns, r.sign);
      const b = toImageVec(frames[1], r.bias[0] * frames[1].size, r.bias[1] * frames[1].size);
      cand = [raw[0] + b[0], raw[1] + b[1]];
    } else {
      const raw = extremeCandidate({ c, frames }, n.seg, r.rotate, r.angle, r.arc);
      const f = frames[r.rotate ? 1 : 0];
      const b = toImageVec(f, r.bias[0] * f.size, r.bias[1] * f.size);
      cand = [raw[0] + b[0], raw[1] + b[1]];
    }
    out[j] = blend(s, cand, r, frames[0].size);
  }
  return out;
}

/** JSON-able copy (the model already is plain data; this validates and copies). */
export function contourToJson(model: ContourModel): unknown {
  return JSON.parse(JSON.stringify(model)) as unknown;
}

export function contourFromJson(v: unknown): ContourModel {
  const m = v as Partial<ContourModel> | null;
  if (!m || m.format !== 'landmarks-contour' || m.version !== 1) throw new Error('not a landmarks-contour model (format/version)');
  if (!Array.isArray(m.rules) || !Array.isArray(m.ref) || typeof m.landmarkCount !== 'number' || m.rules.length !== m.landmarkCount || m.ref.length !== m.landmarkCount) {
    throw new Error('landmarks-contour model: rules/ref do not match landmarkCount');
  }
  if (!m.config) throw new Error('landmarks-contour model: no config');
  return m as ContourModel;
}

function mean(v: number[]): number {
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : 0;
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}
