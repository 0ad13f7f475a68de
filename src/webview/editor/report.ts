/**
 * The render report (src/shared/protocol/editor-test.ts): what the webview drew (counts,
 * positions, layout, status line) once the drawing settles after loads, edits and zooms. Only
 * tests read it: it is made when a test request waits for one (nextReport), and posted after
 * every render once the host asked to `watch` (the test API's waitForRender and timings).
 */
import type { RenderReport, ScreenBox } from '../../shared/protocol/editor-test';
import { frameOf } from './frames';
import { postTest, scriptStart } from './host';
import { ui } from './layout';
import { photoLoaded } from './photo';
import { landmarkImagePositions, statusText } from './render';
import { byTolerance, listOrder } from './review';
import { slotCounts, slotState } from './slots';
import { state } from './state';

/** How long the drawing must be still before it is reported (one report for a burst of changes). */
const SETTLE_MS = 30;

const reporting = {
  timer: undefined as ReturnType<typeof setTimeout> | undefined,
  /** The status line in the last report posted (a focus change that alters it posts a new one). */
  lastStatus: '',
  /** Waiting for the next report (test requests). */
  waiters: [] as ((r: RenderReport) => void)[],
  /** The host asked for every report (test-hooks.ts `watch`). */
  watching: false,
};

/** Posts a report after every render from now on. */
export function watchRenders(): void {
  reporting.watching = true;
  report();
}

/** The status line of the last report posted. */
export function lastReportedStatus(): string {
  return reporting.lastStatus;
}

/** Resolves with the next report made. */
export function nextReport(): Promise<RenderReport> {
  return new Promise((resolve) => reporting.waiters.push(resolve));
}

function send(r: RenderReport): void {
  reporting.lastStatus = r.status;
  if (reporting.watching) postTest({ type: 'rendered', report: r });
  reporting.waiters.splice(0).forEach((w) => w(r));
}

/** Reports what was drawn once the drawing settles (after loads, edits, zooms), when a test wants it. */
export function report(): void {
  if (reporting.timer) clearTimeout(reporting.timer);
  reporting.timer = setTimeout(() => {
    reporting.timer = undefined;
    // Outside tests nobody reads reports: not even measured.
    if (!reporting.watching && reporting.waiters.length === 0) return;
    if (state.specimens.length === 0) {
      // A file with no specimen (garbage, an empty file) still says what it drew: nothing, and why.
      send(emptyReport());
      return;
    }
    const r = renderReport();
    if (r) send(r);
  }, SETTLE_MS);
}

/** What is drawn now; undefined while there is nothing to report yet (no frame, or the photo still loading: its load event reports). */
function renderReport(): RenderReport | undefined {
  const { current, view, flags, pendingAdd } = state;
  const { overlay, photo, notice, banner, viewport } = ui;
  const frame = frameOf(current);
  const sp = state.specimens[current];
  if (!frame || !sp) return undefined;
  const info = state.images.get(current);
  const imageLoaded = photoLoaded();
  if (info?.src && !state.imageError && !imageLoaded) return undefined;
  const positions = landmarkImagePositions(frame).map((p) => (p ? { x: p.x, y: p.y } : null));
  const counts = slotCounts(sp);
  return {
    specimen: current,
    landmarks: sp.landmarks.length,
    drawn: overlay.querySelectorAll('g.marker').length,
    missing: counts.missing,
    unreadable: sp.landmarks.map((_, i) => i).filter((i) => slotState(current, i) === 'unreadable'),
    curves: overlay.querySelectorAll('g.curve').length,
    curvePoints: overlay.querySelectorAll('g.curve circle.curve-point').length,
    imageLoaded,
    imageWidth: imageLoaded ? photo.naturalWidth : frame.width,
    imageHeight: imageLoaded ? photo.naturalHeight : frame.height,
    positions,
    zoom: view.scale,
    markerRadius: state.settings.landmarkSize,
    selectedLandmark: state.selected,
    placing: state.placing,
    adding: state.addMode,
    ...(pendingAdd ? { confirm: pendingAdd.question } : {}),
    status: statusText(),
    layout: {
      viewport: screenBox(viewport),
      notice: notice.hidden ? null : screenBox(notice),
      banner: banner.hidden ? null : screenBox(banner),
      markers: positions.map((_, i) => {
        const ring = overlay.querySelector(`g.marker[data-landmark="${i}"] circle.halo`);
        return ring ? screenBox(ring) : null;
      }),
    },
    doubtful: [...(flags.landmarks.get(current) ?? [])],
    listOrder: listOrder(),
    ...(byTolerance(flags)
      ? { review: { tolerance: flags.tolerance.value, unit: flags.tolerance.unit, flagged: flags.specimens.length, compared: flags.compared, text: ui.reviewSummary.textContent ?? '' } }
      : {}),
    ...(frame.blank ? { problem: notice.textContent ?? 'no photo' } : {}),
    timing: { sinceStartMs: Math.round(performance.now() - scriptStart), ...(imageLoaded && state.imageLoadMs !== undefined ? { imageLoadMs: state.imageLoadMs } : {}) },
  };
}

function emptyReport(): RenderReport {
  return {
    specimen: -1,
    landmarks: 0,
    drawn: 0,
    missing: 0,
    unreadable: [],
    curves: 0,
    curvePoints: 0,
    imageLoaded: false,
    imageWidth: 0,
    imageHeight: 0,
    positions: [],
    zoom: state.view.scale,
    markerRadius: state.settings.landmarkSize,
    selectedLandmark: null,
    placing: null,
    adding: false,
    status: statusText(),
    layout: { viewport: screenBox(ui.viewport), notice: null, banner: ui.banner.hidden ? null : screenBox(ui.banner), markers: [] },
    doubtful: [],
    listOrder: [],
    problem: state.problems.length ? state.problems.join(' ') : 'this file has no specimen',
  };
}

function screenBox(e: Element): ScreenBox {
  const b = e.getBoundingClientRect();
  const r2 = (v: number) => Math.round(v * 100) / 100;
  return { x: r2(b.x), y: r2(b.y), width: r2(b.width), height: r2(b.height) };
}
