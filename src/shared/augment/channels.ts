/**
 * Colour handling and the paper's x7 augmentation, on interleaved RGB arrays in [0, 1]
 * (length width*height*3). Every output is a grey image (the network's input).
 *
 * Grey = 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601, as OpenCV's RGB2GRAY), on the stored
 * (gamma-encoded) values. The paper's seven versions of each image:
 *   1. the original grey image;
 *   2-4. a constant added to R, G or B (clipped to [0, 1]), then converted to grey;
 *   5-7. the R, G or B channel alone used as the grey image.
 */

export const GREY_WEIGHTS: readonly [number, number, number] = [0.299, 0.587, 0.114];

export type Channel = 0 | 1 | 2;
export const CHANNEL_NAMES = ['R', 'G', 'B'] as const;

/** Grey of an interleaved RGB image, optionally with `offset` added to one channel first. */
export function rgbToGrey(rgb: ArrayLike<number>, offsetChannel?: Channel, offset = 0): Float32Array {
  const n = Math.floor(rgb.length / 3);
  const out = new Float32Array(n);
  const [wr, wg, wb] = GREY_WEIGHTS;
  const clip = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);
  for (let i = 0; i < n; i++) {
    let r = rgb[3 * i];
    let g = rgb[3 * i + 1];
    let b = rgb[3 * i + 2];
    if (offsetChannel === 0) r = clip(r + offset);
    else if (offsetChannel === 1) g = clip(g + offset);
    else if (offsetChannel === 2) b = clip(b + offset);
    out[i] = wr * r + wg * g + wb * b;
  }
  return out;
}

/** One channel of an interleaved RGB image as a grey image. */
export function channelAsGrey(rgb: ArrayLike<number>, channel: Channel): Float32Array {
  const n = Math.floor(rgb.length / 3);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rgb[3 * i + channel];
  return out;
}

export interface X7Version {
  /** 'original', 'R+offset', 'G+offset', 'B+offset', 'R', 'G', 'B'. */
  label: string;
  grey: Float32Array;
}

/** The paper's default constant, on the [0, 1] scale (about 25 of 255). */
export const DEFAULT_X7_OFFSET = 0.1;

/** The paper's seven grey versions of one RGB image (see the module comment). */
export function paperX7(rgb: ArrayLike<number>, offset = DEFAULT_X7_OFFSET): X7Version[] {
  const out: X7Version[] = [{ label: 'original', grey: rgbToGrey(rgb) }];
  for (const c of [0, 1, 2] as const) out.push({ label: `${CHANNEL_NAMES[c]}+offset`, grey: rgbToGrey(rgb, c, offset) });
  for (const c of [0, 1, 2] as const) out.push({ label: CHANNEL_NAMES[c], grey: channelAsGrey(rgb, c) });
  return out;
}

/** The i-th (0..6) x7 version alone, without computing the others (for on-the-fly augmentation). */
export function paperX7Version(rgb: ArrayLike<number>, index: number, offset = DEFAULT_X7_OFFSET): Float32Array {
  if (index === 0) return rgbToGrey(rgb);
  if (index >= 1 && index <= 3) return rgbToGrey(rgb, (index - 1) as Channel, offset);
  if (index >= 4 && index <= 6) return channelAsGrey(rgb, (index - 4) as Channel);
  throw new Error(`x7 version index must be 0..6, got ${index}`);
}
