/**
 * Settings of the deep heatmap stage: a small U-Net from the whole photo (downsampled and
 * letterboxed into a fixed input frame) to one Gaussian heatmap per landmark.
 */

export interface HeatmapAugment {
  /** Random zoom of the whole photo: factor in [1 - scale, 1 + scale]. */
  scale: number;
  /** Random rotation about the frame centre, degrees in [-rotationDeg, rotationDeg]. */
  rotationDeg: number;
  /** Random shift, as a fraction of the frame's width / height. */
  shift: number;
  /**
   * Landmark index pairs that swap under a horizontal mirror. Mirroring is used only when this is
   * given: without pairs a mirror would teach the net that left and right landmarks look alike.
   */
  flipPairs: [number, number][] | null;
  /** Brightness shift of the normalised photo, in standard deviations. */
  brightness: number;
  /** Contrast factor in [1 - contrast, 1 + contrast]. */
  contrast: number;
  /** Gamma exponent in [1 - gamma, 1 + gamma], on 0..1 intensities before normalising. */
  gamma: number;
  /** Gaussian pixel noise, in standard deviations of the normalised photo. */
  noise: number;
}

export interface HeatmapConfig {
  /** The net's input frame, pixels; both multiples of 16 (four 2x poolings). */
  inputWidth: number;
  inputHeight: number;
  steps: number;
  batch: number;
  learningRate: number;
  /** Gaussian target sigma, in heatmap pixels (the heatmap is HEATMAP_STRIDE times smaller than the input). */
  sigmaPx: number;
  /** Channels of the first level; deeper levels use 2x and 4x. */
  channels: number;
  augment: HeatmapAugment;
  seed: number;
}

/** Sized so that 120 photos train in about 3 min on 2 CPU cores with the wasm backend. */
export const DEFAULT_HEATMAP: HeatmapConfig = {
  inputWidth: 128,
  inputHeight: 96,
  steps: 400,
  batch: 8,
  learningRate: 2e-3,
  sigmaPx: 1.5,
  channels: 8,
  augment: { scale: 0.1, rotationDeg: 10, shift: 0.06, flipPairs: null, brightness: 0.2, contrast: 0.2, gamma: 0.25, noise: 0.05 },
  seed: 1,
};
