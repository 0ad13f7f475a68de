/**
 * How an original photo maps onto a model input (or a crop of it), and landmark coordinates
 * between the three spaces the project uses:
 *
 * - original pixels: image coordinates of the photo, origin top-left, y down, pixel (i, j) has
 *   its centre at (i, j) (what a digitizer records when a pixel is clicked). TPS files are
 *   converted to these by src/shared/tps/coords.ts before reaching this module.
 * - model pixels: the same convention on the model input image (width x height).
 * - normalised: [-1, 1] across the model input, -1 at the left/top edge of pixel 0 and +1 at
 *   the right/bottom edge of the last pixel. Network targets and outputs live here.
 *
 * A frame is a crop (a box of the original, in edge coordinates: its left edge at `cropX`),
 * scaled by (scaleX, scaleY) and placed at (offsetX, offsetY) in the model input. Fits:
 * - `stretch` (default, what the paper does): the whole photo is resized to width x height,
 *   each axis with its own scale; the aspect ratio changes when the photo's differs. Nothing
 *   is lost and the network sees every pixel row and column.
 * - `letterbox`: one scale for both axes, the photo centred, the margins filled with black.
 * Either way landmarks are mapped with the very same numbers the image was resampled with.
 */

export type FitMode = 'stretch' | 'letterbox';

export interface ImageFrame {
  /** Size of the (orientation-corrected) photo. */
  originalWidth: number;
  originalHeight: number;
  /** Size of the model input. */
  width: number;
  height: number;
  /** Left/top edge of the crop in original pixels (0 for the whole photo). */
  cropX: number;
  cropY: number;
  /** Model pixels per original pixel. */
  scaleX: number;
  scaleY: number;
  /** Where the crop's left/top edge lands in the model input, in model pixels. */
  offsetX: number;
  offsetY: number;
}

export interface Point {
  x: number;
  y: number;
}

/** The frame of a whole photo resized to a model input. */
export function wholeImageFrame(
  originalWidth: number,
  originalHeight: number,
  width: number,
  height: number,
  fit: FitMode = 'stretch',
): ImageFrame {
  if (!(originalWidth > 0 && originalHeight > 0 && width > 0 && height > 0)) {
    throw new Error(`invalid frame sizes ${originalWidth}x${originalHeight} -> ${width}x${height}`);
  }
  if (fit === 'stretch') {
    return {
      originalWidth, originalHeight, width, height, cropX: 0, cropY: 0,
      scaleX: width / originalWidth, scaleY: height / originalHeight, offsetX: 0, offsetY: 0,
    };
  }
  const { resizedWidth, resizedHeight, left, top } = letterboxLayout(originalWidth, originalHeight, width, height);
  return {
    originalWidth, originalHeight, width, height, cropX: 0, cropY: 0,
    scaleX: resizedWidth / originalWidth, scaleY: resizedHeight / originalHeight, offsetX: left, offsetY: top,
  };
}

/** Integer layout of a letterboxed photo: the resized size and the margins before it. */
export function letterboxLayout(
  originalWidth: number,
  originalHeight: number,
  width: number,
  height: number,
): { resizedWidth: number; resizedHeight: number; left: number; top: number } {
  const s = Math.min(width / originalWidth, height / originalHeight);
  const resizedWidth = Math.max(1, Math.min(width, Math.round(originalWidth * s)));
  const resizedHeight = Math.max(1, Math.min(height, Math.round(originalHeight * s)));
  return {
    resizedWidth,
    resizedHeight,
    left: Math.floor((width - resizedWidth) / 2),
    top: Math.floor((height - resizedHeight) / 2),
  };
}

/** Original pixel -> model pixel. */
export function originalToModel(frame: ImageFrame, p: Point): Point {
  return {
    x: (p.x + 0.5 - frame.cropX) * frame.scaleX + frame.offsetX - 0.5,
    y: (p.y + 0.5 - frame.cropY) * frame.scaleY + frame.offsetY - 0.5,
  };
}

/** Model pixel -> original pixel. */
export function modelToOriginal(frame: ImageFrame, p: Point): Point {
  return {
    x: (p.x + 0.5 - frame.offsetX) / frame.scaleX + frame.cropX - 0.5,
    y: (p.y + 0.5 - frame.offsetY) / frame.scaleY + frame.cropY - 0.5,
  };
}

/** Model pixel -> normalised [-1, 1]. */
export function modelToNormalised(frame: Pick<ImageFrame, 'width' | 'height'>, p: Point): Point {
  return { x: (2 * (p.x + 0.5)) / frame.width - 1, y: (2 * (p.y + 0.5)) / frame.height - 1 };
}

/** Normalised [-1, 1] -> model pixel. */
export function normalisedToModel(frame: Pick<ImageFrame, 'width' | 'height'>, p: Point): Point {
  return { x: ((p.x + 1) / 2) * frame.width - 0.5, y: ((p.y + 1) / 2) * frame.height - 0.5 };
}

/** Original pixel -> normalised [-1, 1] (network target). */
export function originalToNormalised(frame: ImageFrame, p: Point): Point {
  return modelToNormalised(frame, originalToModel(frame, p));
}

/** Normalised [-1, 1] (network output) -> original pixel. */
export function normalisedToOriginal(frame: ImageFrame, p: Point): Point {
  return modelToOriginal(frame, normalisedToModel(frame, p));
}

/**
 * Landmarks (null = missing) -> interleaved x,y array with NaN for missing, mapped by `f`.
 * The flat form is what augmentation and training use.
 */
export function toFlat(points: readonly (Point | null)[], f: (p: Point) => Point = (p) => p): Float32Array {
  const out = new Float32Array(points.length * 2);
  points.forEach((p, i) => {
    const q = p ? f(p) : null;
    out[2 * i] = q ? q.x : NaN;
    out[2 * i + 1] = q ? q.y : NaN;
  });
  return out;
}

/** Interleaved x,y array (NaN = missing) -> landmarks, mapped by `f`. */
export function fromFlat(flat: ArrayLike<number>, f: (p: Point) => Point = (p) => p): (Point | null)[] {
  const out: (Point | null)[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const x = flat[i];
    const y = flat[i + 1];
    out.push(Number.isFinite(x) && Number.isFinite(y) ? f({ x, y }) : null);
  }
  return out;
}

/** Maps an interleaved array point by point (NaN stays NaN). */
export function mapFlat(flat: ArrayLike<number>, f: (p: Point) => Point): Float32Array {
  const out = new Float32Array(flat.length);
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const x = flat[i];
    const y = flat[i + 1];
    if (Number.isFinite(x) && Number.isFinite(y)) {
      const q = f({ x, y });
      out[i] = q.x;
      out[i + 1] = q.y;
    } else {
      out[i] = NaN;
      out[i + 1] = NaN;
    }
  }
  return out;
}
