/** The patch-refinement model's settings, trained form, and its JSON + Float32Array form. */
import type * as tfjs from '../../backend/tf';
import { buildNet } from './net';
import { flattenWeights, loadWeights } from '../../model-io/flat-weights';
import { concatFloat32 } from '../../model-io/float-files';

/** One refinement pass: a patch of `size` pixels at pyramid `level`, centred on the estimate. */
export interface PassConfig {
  level: number;
  size: number;
  /** Channels of the net's first stage. */
  width: number;
  /** Optimizer steps. */
  steps: number;
  /** Training centres: share drawn around the given start (the rest around the truth). */
  startShare: number;
  /** Gaussian jitter (per axis, original px) added to the start. */
  startJitterPx: number;
  /** Gaussian noise (per axis, original px) of the centres drawn around the truth. */
  noisePx: number;
  /** Centres are kept within this distance of the truth (original px). */
  maxOffsetPx: number;
}

export interface PatchNetConfig {
  passes: PassConfig[];
  batch: number;
  learningRate: number;
  /** Uniform rotation in +-rotationDeg and log-uniform scale in [1/(1+s), 1+s] while training. */
  rotationDeg: number;
  scaleJitter: number;
  /** Gamma drawn log-uniformly in [1/(1+g), 1+g] while training. */
  gammaJitter: number;
  seed: number;
}

/** Tuned on the mollusk validation split (2000 px photos); wings want levels 1 and 0 (see patchnet-exp.ts). */
export const DEFAULT_PATCHNET: PatchNetConfig = {
  passes: [
    { level: 4, size: 32, width: 8, steps: 1000, startShare: 0.5, startJitterPx: 8, noisePx: 50, maxOffsetPx: 250 },
    { level: 3, size: 32, width: 8, steps: 1000, startShare: 0.3, startJitterPx: 8, noisePx: 25, maxOffsetPx: 110 },
  ],
  batch: 32,
  learningRate: 2e-3,
  rotationDeg: 10,
  scaleJitter: 0.1,
  gammaJitter: 0.3,
  seed: 1,
};

export interface PatchNetModel {
  config: PatchNetConfig;
  landmarkCount: number;
  /** One net per pass. */
  nets: tfjs.LayersModel[];
}

export interface PatchNetMeta {
  format: 'patchnet/1';
  config: PatchNetConfig;
  landmarkCount: number;
  /** Per pass: weight shapes in order; the weights follow each other in one array. */
  shapes: number[][][];
}

export async function serialisePatchNet(model: PatchNetModel): Promise<{ meta: PatchNetMeta; weights: Float32Array }> {
  const parts = await Promise.all(model.nets.map(flattenWeights));
  const weights = concatFloat32(parts.map((p) => p.weights));
  return {
    meta: { format: 'patchnet/1', config: model.config, landmarkCount: model.landmarkCount, shapes: parts.map((p) => p.shapes) },
    weights,
  };
}

export function deserialisePatchNet(meta: PatchNetMeta, weights: Float32Array): PatchNetModel {
  if (meta.format !== 'patchnet/1') throw new Error(`patchnet: unknown model format ${String(meta.format)}`);
  let o = 0;
  const nets = meta.config.passes.map((p, i) => {
    const net = buildNet({ size: p.size, width: p.width, landmarkCount: meta.landmarkCount }, meta.config.seed + i);
    const n = meta.shapes[i].reduce((a, s) => a + s.reduce((x, y) => x * y, 1), 0);
    loadWeights(net, meta.shapes[i], weights.subarray(o, o + n), 'patchnet');
    o += n;
    return net;
  });
  if (o !== weights.length) throw new Error(`patchnet: ${weights.length} weights saved, the nets hold ${o}`);
  return { config: meta.config, landmarkCount: meta.landmarkCount, nets };
}

export function disposePatchNet(model: PatchNetModel): void {
  for (const n of model.nets) n.dispose();
}
