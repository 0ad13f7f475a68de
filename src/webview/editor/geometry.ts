/**
 * Pure geometry of the editor view: the frame a specimen is drawn in, zoom and pan.
 * Image pixels: origin top-left, y down. Screen: CSS pixels in the viewport.
 * screen = image * scale + (tx, ty).
 */
import type { TpsLandmark, TpsPoint } from '../../shared/tps/model';
import { tpsToImage, imageToTps } from '../../shared/tps/coords';

export interface Frame {
  /** Rectangle drawn (image pixels): the photo is (0, 0, w, h); a blank canvas may start elsewhere. */
  x0: number;
  y0: number;
  width: number;
  height: number;
  /** Height used to flip TPS y (the photo's height, or the blank canvas's virtual one). */
  flipHeight: number;
  /** True when there is no photo. */
  blank: boolean;
}

export interface View {
  scale: number;
  tx: number;
  ty: number;
}

export const MIN_SCALE_FACTOR = 0.25; // of the fit scale
export const MAX_SCALE = 64; // screen px per image px

export function photoFrame(width: number, height: number): Frame {
  return { x0: 0, y0: 0, width, height, flipHeight: height, blank: false };
}

/** A canvas around the landmarks' extent, for specimens whose photo is missing. */
export function blankFrame(landmarks: readonly TpsLandmark[], curvePoints: readonly TpsPoint[] = []): Frame {
  // Curve points count: a file of one landmark and a long outline must show the whole outline.
  const pts = [...landmarks.filter((p): p is TpsPoint => p !== null), ...curvePoints];
  if (pts.length === 0) return { x0: 0, y0: 0, width: 100, height: 100, flipHeight: 100, blank: true };
  const xs = pts.map((p) => p.x);
  const ys = pts.map((p) => p.y);
  const minX = Math.min(...xs), maxX = Math.max(...xs), minY = Math.min(...ys), maxY = Math.max(...ys);
  const extent = Math.max(maxX - minX, maxY - minY);
  const pad = extent > 0 ? extent * 0.08 : Math.max(Math.abs(maxX), Math.abs(maxY), 1) * 0.1;
  const flipHeight = maxY + pad;
  // In image pixels the points lie at y = flipHeight - y, i.e. within [pad, flipHeight - minY].
  return { x0: minX - pad, y0: 0, width: maxX - minX + 2 * pad, height: flipHeight - minY + pad, flipHeight, blank: true };
}

/** Whether image point `p` lies on the frame (the photo, or the blank canvas), edges included. */
export function insideFrame(p: TpsPoint, frame: Frame): boolean {
  return p.x >= frame.x0 && p.x <= frame.x0 + frame.width && p.y >= frame.y0 && p.y <= frame.y0 + frame.height;
}

export function toImage(p: TpsPoint, frame: Frame): TpsPoint {
  return tpsToImage(p, frame.flipHeight);
}

export function toTps(p: TpsPoint, frame: Frame): TpsPoint {
  return imageToTps(p, frame.flipHeight);
}

/** The view that shows the whole frame centred in a viewport, with a small margin. */
export function fitView(frame: Frame, vw: number, vh: number, margin = 12): View {
  const aw = Math.max(1, vw - 2 * margin);
  const ah = Math.max(1, vh - 2 * margin);
  const scale = Math.min(aw / frame.width, ah / frame.height);
  return {
    scale,
    tx: (vw - frame.width * scale) / 2 - frame.x0 * scale,
    ty: (vh - frame.height * scale) / 2 - frame.y0 * scale,
  };
}

/** Zooms by `factor` keeping the image point under screen (sx, sy) fixed; clamped. */
export function zoomAt(view: View, factor: number, sx: number, sy: number, fitScale: number): View {
  const min = fitScale * MIN_SCALE_FACTOR;
  const max = Math.max(MAX_SCALE, fitScale);
  const scale = Math.min(max, Math.max(min, view.scale * factor));
  const k = scale / view.scale;
  return { scale, tx: sx - (sx - view.tx) * k, ty: sy - (sy - view.ty) * k };
}

export function imageToScreen(p: TpsPoint, view: View): TpsPoint {
  return { x: p.x * view.scale + view.tx, y: p.y * view.scale + view.ty };
}

export function screenToImage(p: TpsPoint, view: View): TpsPoint {
  return { x: (p.x - view.tx) / view.scale, y: (p.y - view.ty) / view.scale };
}

/**
 * Rounds a coordinate for storage: 0.01 px on photos; on tiny blank frames (e.g. Procrustes
 * coordinates spanning 0.2 units) five significant digits of the frame size.
 */
export function roundCoord(v: number, frame: Frame): number {
  const size = Math.max(frame.width, frame.height, 1e-9);
  const step = Math.min(0.01, Math.pow(10, Math.floor(Math.log10(size)) - 5));
  const decimals = Math.max(0, Math.round(-Math.log10(step)));
  return Number((Math.round(v / step) * step).toFixed(decimals));
}
