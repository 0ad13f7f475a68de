/**
 * The ONE place where TPS coordinates meet image pixels.
 *
 * TPS (tpsDig): origin at the bottom-left of the image, y grows upwards, in pixels.
 * Image pixels: origin at the top-left, y grows downwards (what canvases, sharp and tensors use).
 * A point at TPS (x, y) is drawn at image (x, H - y) for an image of height H, and back the same way.
 */
import type { TpsLandmark, TpsPoint } from './model';

export function tpsToImage(p: TpsPoint, imageHeight: number): TpsPoint {
  return { x: p.x, y: imageHeight - p.y };
}

export function imageToTps(p: TpsPoint, imageHeight: number): TpsPoint {
  return { x: p.x, y: imageHeight - p.y };
}

/** Converts a landmark list (missing stays missing). */
export function landmarksToImage(landmarks: readonly TpsLandmark[], imageHeight: number): TpsLandmark[] {
  return landmarks.map((p) => (p ? tpsToImage(p, imageHeight) : null));
}

export function landmarksToTps(landmarks: readonly TpsLandmark[], imageHeight: number): TpsLandmark[] {
  return landmarks.map((p) => (p ? imageToTps(p, imageHeight) : null));
}
