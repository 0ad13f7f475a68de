/**
 * A single-channel image, row-major, y down: the one type the engine's classical stages, the
 * augmentation maths and the deep stages' inputs share. The value range belongs to the use
 * (0..255 luma for the cascade and SDM, [0, 1] for network inputs) and is said where it matters.
 */
export interface GreyImage {
  width: number;
  height: number;
  data: Float32Array;
}
