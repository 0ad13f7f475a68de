/**
 * An in-memory training set (images already decoded and resized) served as batches:
 * shuffled each epoch with the seeded RNG (same seed + epoch = same order, so resume
 * continues the same sequence), tensors built per batch.
 */
import type * as tfjs from '../backend/tf';
import { Rng } from '../../shared/augment/rng';
import type { Tf } from '../presets/preset';
import type { Batch, BatchSource } from './loop';

export interface ArraySet {
  /** Images [n, height, width, channels], row-major. */
  images: Float32Array;
  /** Targets [n, outputs]; NaN where unknown. */
  targets: Float32Array;
  count: number;
  height: number;
  width: number;
  channels: number;
  outputs: number;
}

export class ArrayBatches implements BatchSource {
  constructor(
    private readonly tf: Tf,
    private readonly set: ArraySet,
    private readonly batchSize: number,
    /** Seed for shuffling; undefined = fixed order (validation). */
    private readonly seed?: number,
  ) {}

  batchesPerEpoch(): number {
    return Math.ceil(this.set.count / this.batchSize);
  }

  private order(epoch: number): number[] {
    const idx = Array.from({ length: this.set.count }, (_, i) => i);
    if (this.seed === undefined) return idx;
    return new Rng((this.seed * 1000003 + epoch * 7919) >>> 0).shuffle(idx);
  }

  private cache?: { epoch: number; order: number[] };

  batch(epoch: number, index: number): Batch {
    if (!this.cache || this.cache.epoch !== epoch) this.cache = { epoch, order: this.order(epoch) };
    const ids = this.cache.order.slice(index * this.batchSize, (index + 1) * this.batchSize);
    const { height, width, channels, outputs } = this.set;
    const px = height * width * channels;
    const xs = new Float32Array(ids.length * px);
    const ys = new Float32Array(ids.length * outputs);
    const mask = new Float32Array(ids.length * outputs);
    ids.forEach((id, j) => {
      xs.set(this.set.images.subarray(id * px, (id + 1) * px), j * px);
      for (let k = 0; k < outputs; k++) {
        const v = this.set.targets[id * outputs + k];
        const known = Number.isFinite(v);
        ys[j * outputs + k] = known ? v : 0;
        mask[j * outputs + k] = known ? 1 : 0;
      }
    });
    const tf = this.tf;
    return {
      xs: tf.tensor4d(xs, [ids.length, height, width, channels]),
      ys: tf.tensor2d(ys, [ids.length, outputs]),
      mask: tf.tensor2d(mask, [ids.length, outputs]) as tfjs.Tensor,
    };
  }
}
