/**
 * Random augmentation of one training sample: a geometric affine (rotation, scale, translation,
 * optional left-right flip with a landmark permutation) applied to the image and, with the very
 * same matrix, to its landmarks; then brightness/contrast. Seeded through Rng.
 */
import { type Affine, chain, horizontalMirror, imageCentre, rotationAbout, scaleAbout, translation } from './affine';
import { transformFlat, landmarksInside, validateFlipPermutation } from './landmarks';
import { adjustGrey } from './photometric';
import type { Rng } from './rng';
import { type GreyImage, type BorderMode, warpGrey } from './warp';

export interface GeometricOptions {
  /** Largest rotation either way, degrees (default 10). */
  rotationDegrees?: number;
  /** Scale range (default [0.9, 1.1]). */
  scale?: [number, number];
  /** Largest shift either way as a share of the image size (default 0.05). */
  translate?: number;
  /** Left-right flips, only with the landmark permutation (see flipFlatHorizontal). */
  flip?: { permutation: readonly number[]; probability?: number };
}

export interface AugmentOptions extends GeometricOptions {
  /** Largest brightness change either way (default 0.1); 0 disables. */
  brightness?: number;
  /** Largest relative contrast change either way (default 0.2 -> contrast in [0.8, 1.2]). */
  contrast?: number;
  /** Landmarks must stay this many pixels inside the image; draws are retried (default 2). */
  margin?: number;
  /** Draws tried before giving up and returning the sample unchanged (default 10). */
  attempts?: number;
  /** Outside the source image: 'edge' (default, repeats the border) or 'constant' 0. */
  border?: BorderMode;
}

export interface Drawn {
  matrix: Affine;
  flipped: boolean;
}

/** Draws one geometric transform for an image of width x height. */
export function randomGeometric(rng: Rng, width: number, height: number, o: GeometricOptions = {}): Drawn {
  const c = imageCentre(width, height);
  const maxRot = ((o.rotationDegrees ?? 10) * Math.PI) / 180;
  const [s0, s1] = o.scale ?? [0.9, 1.1];
  const t = o.translate ?? 0.05;
  const angle = rng.uniform(-maxRot, maxRot);
  const s = rng.uniform(s0, s1);
  const tx = rng.uniform(-t, t) * width;
  const ty = rng.uniform(-t, t) * height;
  const flipped = o.flip !== undefined && rng.chance(o.flip.probability ?? 0.5);
  const steps: Affine[] = [];
  if (flipped) steps.push(horizontalMirror(width));
  steps.push(rotationAbout(c, angle), scaleAbout(c, s), translation(tx, ty));
  return { matrix: chain(...steps), flipped };
}

/** Landmarks under a drawn transform (permuted when flipped). */
export function applyDrawnToLandmarks(flat: ArrayLike<number>, d: Drawn, flipPermutation?: readonly number[]): Float32Array {
  const moved = transformFlat(flat, d.matrix);
  if (!d.flipped) return moved;
  if (!flipPermutation) throw new Error('a flipped transform needs the landmark flip permutation');
  const n = moved.length / 2;
  validateFlipPermutation(flipPermutation, n);
  const out = new Float32Array(moved.length);
  for (let i = 0; i < n; i++) {
    out[2 * i] = moved[2 * flipPermutation[i]];
    out[2 * i + 1] = moved[2 * flipPermutation[i] + 1];
  }
  return out;
}

export interface AugmentedSample {
  image: GreyImage;
  /** Model-pixel landmarks of the augmented image, NaN = missing. */
  landmarks: Float32Array;
  matrix: Affine;
  flipped: boolean;
}

/**
 * One random augmentation of a grey image and its landmarks (model pixels). Retries draws
 * that would push a landmark outside the image; after `attempts` failures returns the input.
 */
export function augmentSample(rng: Rng, image: GreyImage, landmarks: ArrayLike<number>, o: AugmentOptions = {}): AugmentedSample {
  const attempts = o.attempts ?? 10;
  const margin = o.margin ?? 2;
  let drawn: Drawn | undefined;
  let moved: Float32Array | undefined;
  for (let k = 0; k < attempts; k++) {
    const d = randomGeometric(rng, image.width, image.height, o);
    const m = applyDrawnToLandmarks(landmarks, d, o.flip?.permutation);
    if (landmarksInside(m, image.width, image.height, margin)) {
      drawn = d;
      moved = m;
      break;
    }
  }
  let out: GreyImage;
  if (drawn && moved) {
    out = warpGrey(image, drawn.matrix, image.width, image.height, { border: o.border ?? 'edge' });
  } else {
    drawn = { matrix: [1, 0, 0, 0, 1, 0], flipped: false };
    moved = Float32Array.from(landmarks as ArrayLike<number>);
    out = { data: Float32Array.from(image.data), width: image.width, height: image.height };
  }
  const b = o.brightness ?? 0.1;
  const c = o.contrast ?? 0.2;
  if (b > 0 || c > 0) {
    out = { ...out, data: adjustGrey(out.data, { brightness: rng.uniform(-b, b), contrast: 1 + rng.uniform(-c, c) }) };
  }
  return { image: out, landmarks: moved, matrix: drawn.matrix, flipped: drawn.flipped };
}
