/**
 * Nesterov momentum SGD whose momentum can actually be changed during training.
 *
 * tfjs' MomentumOptimizer (4.x) caches the momentum as a scalar tensor `m` in its constructor
 * and `setMomentum()` only updates the number, so the paper's momentum schedule 0.9 -> 0.9999
 * was silently never applied. This subclass also replaces the cached scalar. The update rule,
 * state (accumulations) and checkpoint format stay tfjs' own, so resume keeps working.
 */
import type * as tfjs from '../../backend/tf';
import type { Tf } from '../preset';

export interface ScheduledMomentum extends tfjs.MomentumOptimizer {
  /** The momentum the next step uses. */
  currentMomentum(): number;
}

export function nesterovMomentum(tf: Tf, learningRate: number, momentum: number): ScheduledMomentum {
  class Scheduled extends tf.MomentumOptimizer implements ScheduledMomentum {
    private value = momentum;
    override setMomentum(m: number): void {
      super.setMomentum(m);
      this.value = m;
      // The private scalar tfjs' applyGradients reads (see the module comment).
      const inner = this as unknown as { m?: tfjs.Scalar };
      inner.m?.dispose();
      inner.m = tf.keep(tf.scalar(m));
    }
    currentMomentum(): number {
      return this.value;
    }
  }
  return new Scheduled(learningRate, momentum, true);
}
