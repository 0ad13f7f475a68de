/**
 * The paper's schedules over the epochs: learning rate 0.03 -> 1e-5 and Nesterov momentum
 * 0.9 -> 0.9999, both LINEAR from the first epoch to the last, as in the Lasagne/nolearn code
 * the paper follows (D. Nouri's facial keypoints tutorial: `AdjustVariable` sets each epoch's
 * value from `np.linspace(start, stop, max_epochs)`):
 *   lr(e)  = lr0 + (lrEnd - lr0) * t,     mom(e) = 0.9 + (0.9999 - 0.9) * t,   t = (e-1)/(epochs-1)
 * The rate stays high for most of the run and shrinks together with 1 - momentum, so the
 * effective step lr / (1 - momentum) stays bounded (~0.3 -> 0.1) and never diverges. (A
 * log-linear ramp, used before, cut the rate tenfold within the first epochs of a short run
 * and left the network where its first epoch put it.) A custom starting learning rate keeps
 * the same end/start ratio.
 */
export const PAPER_LR_START = 0.03;
export const PAPER_LR_END = 1e-5;
export const PAPER_MOMENTUM_START = 0.9;
export const PAPER_MOMENTUM_END = 0.9999;

function fraction(epoch: number, epochs: number): number {
  return epochs <= 1 ? 0 : Math.min(1, Math.max(0, (epoch - 1) / (epochs - 1)));
}

export function learningRateAt(epoch: number, epochs: number, lr0 = PAPER_LR_START): number {
  const end = lr0 * (PAPER_LR_END / PAPER_LR_START);
  return lr0 + (end - lr0) * fraction(epoch, epochs);
}

export function momentumAt(epoch: number, epochs: number): number {
  return PAPER_MOMENTUM_START + (PAPER_MOMENTUM_END - PAPER_MOMENTUM_START) * fraction(epoch, epochs);
}
