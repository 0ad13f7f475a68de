/**
 * Where a specimen is drawn: the frame of its photo (or of a blank canvas when it has none) and
 * the view onto it (fit, zoom). Image pixels to screen and back are in ./geometry.ts.
 */
import { blankFrame, fitView, photoFrame, zoomAt, type Frame } from './geometry';
import { ui } from './layout';
import { draw } from './render';
import { state } from './state';

/** The frame of specimen `index`, once the host said where its photo is (undefined before). */
export function frameOf(index: number): Frame | undefined {
  const info = state.images.get(index);
  if (info?.src && info.width && info.height && !imageErrorFor(index)) return photoFrame(info.width, info.height);
  if (info && (!info.src || imageErrorFor(index))) {
    let f = state.blankFrames.get(index);
    if (!f) {
      const sp = state.specimens[index];
      f = info.width && info.height ? { ...photoFrame(info.width, info.height), blank: true } : blankFrame(sp?.landmarks ?? [], (sp?.curves ?? []).flatMap((c) => c.points));
      state.blankFrames.set(index, f);
    }
    return f;
  }
  return undefined;
}

function imageErrorFor(index: number): boolean {
  return index === state.current && state.imageError !== '';
}

/** "photo", or "canvas" when the photo is missing (landmarks are then drawn on a blank canvas). */
export function frameWord(): string {
  return frameOf(state.current)?.blank ? 'canvas' : 'photo';
}

function viewportSize(): { w: number; h: number } {
  const r = ui.viewport.getBoundingClientRect();
  return { w: Math.max(1, r.width), h: Math.max(1, r.height) };
}

export function fit(): void {
  const frame = frameOf(state.current);
  if (!frame) return;
  const { w, h } = viewportSize();
  state.view = fitView(frame, w, h);
  state.fitScale = state.view.scale;
  draw();
}

/** Zooms by `factor` about screen point (sx, sy) of the viewport (default: its centre). */
export function zoomBy(factor: number, sx?: number, sy?: number): void {
  const { w, h } = viewportSize();
  state.view = zoomAt(state.view, factor, sx ?? w / 2, sy ?? h / 2, state.fitScale);
  draw();
}
