/**
 * The paper's schedules over the epochs: learning rate 0.03 -> 1e-5 and Nesterov momentum
 * 0.9 -> 0.9999. Both are log-linear (geometric) from the first epoch to the last:
 *   lr(e)       = lr0 * (lrEnd / lr0) ^ t,                 t = (e - 1) / (epochs - 1)
 *   1 - mom(e)  = (1 - 0.9) * ((1 - 0.9999) / (1 - 0.9)) ^ t
 * i.e. the step shrinks by the same factor every epoch, and momentum approaches 1 the same way
 * (the paper gives only the end points; a linear ramp would leave the rate near 0.03 for most
 * of the run). A custom starting learning rate keeps the same end/start ratio.
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
  return lr0 * Math.pow(end / lr0, fraction(epoch, epochs));
}

export function momentumAt(epoch: number, epochs: number): number {
  const a = 1 - PAPER_MOMENTUM_START;
  const b = 1 - PAPER_MOMENTUM_END;
  return 1 - a * Math.pow(b / a, fraction(epoch, epochs));
}
