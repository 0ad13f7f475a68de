/**
 * The current specimen's photo: asking the host for photos (the current one and its
 * neighbours, each once), showing it or a blank canvas with a notice, and its load and error.
 */
import type { ImageInfo } from '../../shared/protocol/editor';
import { fit, frameOf } from './frames';
import { post } from './host';
import { ui } from './layout';
import { draw } from './render';
import { report } from './report';
import { state } from './state';

export function requestImage(index: number): void {
  if (index < 0 || index >= state.specimens.length || state.requested.has(index)) return;
  state.requested.add(index);
  post({ type: 'requestImage', specimen: index });
}

/** Warms the browser's cache for a neighbour's photo so next/previous is instant. */
export function prefetch(info: ImageInfo): void {
  if (!info.src || Math.abs(info.specimen - state.current) !== 1) return;
  const img = new Image();
  img.src = info.src;
  void img.decode().catch(() => undefined);
}

/** Shows the current specimen's photo (or blank canvas), fits the view to a new frame, and runs actions waiting for it. */
export function applyImage(): void {
  const { photo, blank, notice } = ui;
  const info = state.images.get(state.current);
  const frame = frameOf(state.current);
  if (!info || !frame) {
    photo.hidden = true;
    blank.hidden = true;
    notice.hidden = true;
    state.loading = true;
    draw();
    return;
  }
  const key = `${frame.blank ? 'blank' : 'photo'}:${frame.x0},${frame.y0},${frame.width}x${frame.height}`;
  if (info.src && !state.imageError) {
    if (photo.getAttribute('src') !== info.src) {
      state.loadedSrc = '';
      state.srcSetAt = performance.now();
      state.imageLoadMs = undefined;
      photo.src = info.src;
    }
    photo.hidden = false;
    blank.hidden = true;
    photo.style.width = `${frame.width}px`;
    photo.style.height = `${frame.height}px`;
    notice.hidden = true;
    state.loading = state.loadedSrc !== info.src;
  } else {
    photo.hidden = true;
    photo.removeAttribute('src');
    state.loadedSrc = '';
    blank.hidden = false;
    blank.style.width = `${frame.width}px`;
    blank.style.height = `${frame.height}px`;
    state.loading = false;
    notice.hidden = false;
    notice.textContent = `${state.imageError || info.problem || 'No photo.'} Landmarks are drawn on a blank canvas.`;
  }
  if (key !== state.viewFrameKey) {
    state.viewFrameKey = key;
    fit();
  } else draw();
  const waiting = state.pendingFrame.splice(0);
  waiting.forEach((p) => (p.specimen === state.current ? p.run() : state.pendingFrame.push(p)));
}

/** Whether the photo the current specimen should show has finished loading. */
export function photoLoaded(): boolean {
  const info = state.images.get(state.current);
  return !!info?.src && !state.imageError && state.loadedSrc === info.src && ui.photo.complete && ui.photo.naturalWidth > 0;
}

export function listenToPhoto(): void {
  const { photo } = ui;
  photo.addEventListener('load', () => {
    state.loadedSrc = photo.getAttribute('src') ?? '';
    state.imageLoadMs = Math.round(performance.now() - state.srcSetAt);
    state.loading = false;
    draw();
    report();
  });
  photo.addEventListener('error', () => {
    if (!photo.getAttribute('src')) return;
    state.imageError = `The photo could not be decoded by the browser (${state.images.get(state.current)?.path ?? 'unknown file'}).`;
    post({ type: 'log', level: 'error', message: state.imageError });
    applyImage();
    report();
  });
}
