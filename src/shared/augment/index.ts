/** Augmentation maths and coordinate frames: pure, typed arrays, no tfjs. */
export * from './rng';
export * from './frame';
export * from './affine';
export * from './warp';
export * from './landmarks';
export * from './channels';
export * from './photometric';
export * from './random';
