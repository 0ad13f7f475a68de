/**
 * One optimizer step of a custom training loop (the patch and heatmap CNNs), with the loss read
 * back by `await data()` (WebGPU cannot read synchronously in Node) and WebGPU limits turned into
 * clear errors by guardWebGpu.
 */
import type * as tfjs from '../backend/tf';
import { guardWebGpu } from '../backend/webgpu-device';

/** Minimises `loss` once; returns the loss value (NaN when the optimizer returned none). `what` names the step in errors. */
export async function optimizerStep(opt: tfjs.Optimizer, what: string, loss: () => tfjs.Scalar): Promise<number> {
  return guardWebGpu(what, async () => {
    const value = opt.minimize(loss, true);
    try {
      return value ? (await value.data())[0] : NaN;
    } finally {
      value?.dispose();
    }
  });
}

/** The learning rate of a step: a 20-step warm-up, then cosine decay to 5% of `peak` at the last step. */
export function warmCosineRate(peak: number, step: number, steps: number): number {
  return peak * Math.min(1, (step + 1) / 20) * (0.05 + 0.95 * 0.5 * (1 + Math.cos(Math.PI * (step / steps))));
}
