/**
 * The results view: for one evaluation (manual vs predicted landmarks),
 *  - the per-landmark table (mean, median, p90 in pixels and SCALE units), exportable as CSV;
 *  - a landmark x image heatmap of the errors (images worst first);
 *  - a spatial view: on a reference photo, where each landmark's errors lie (error vectors of
 *    every image drawn from the landmark, a circle of the mean error);
 *  - per image, the photo with manual and predicted landmarks and the error vector between them,
 *    worst first; a click opens the specimen in the predicted TPS file's editor, to correct it.
 * Reports what it drew (`rendered`) so tests can check it.
 */
import type { ResultsFromView, ResultsImage, ResultsModel, ResultsToView } from '../../shared/protocol/views';
import { el } from '../common/dom';
import { fmt } from '../common/format';
import { vscodeApi } from '../common/vscode-api';
import { colourAt, rgb, robustMax, textOn } from './colour';
import { MAGNIFICATIONS, autoMagnification, cellAt, columnLabels, fitInside, heatmapGrid, pointsExtent, spatialLandmarks } from './geometry';

const vscode = vscodeApi<ResultsFromView>();
const app = document.getElementById('app') as HTMLElement;


const tip = el('div', { id: 'tip' });
document.body.append(tip);
function showTip(ev: MouseEvent, text: string | undefined): void {
  if (!text) {
    tip.style.display = 'none';
    return;
  }
  tip.textContent = text;
  tip.style.display = 'block';
  tip.style.left = `${ev.clientX + 12}px`;
  tip.style.top = `${ev.clientY + 12}px`;
}

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

/** Loads a photo (undefined when it cannot be shown). Not cached: a decoded photo is large. */
function loadPhoto(src: string): Promise<HTMLImageElement | undefined> {
  return new Promise((resolve) => {
    const img = new Image();
    img.decoding = 'async';
    img.onload = () => resolve(img);
    img.onerror = () => resolve(undefined);
    img.src = src;
  });
}

/** Limits how many photos decode at once (large photos, 2 cores). */
async function inPool<T>(items: readonly T[], limit: number, fn: (t: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i], i);
      }
    }),
  );
}

// ---------------------------------------------------------------------------------------------

function summary(m: ResultsModel): HTMLElement {
  const box = el('div');
  box.append(el('h1', {}, m.title));
  box.append(el('div', { class: 'muted' }, `Manual: ${m.manualPath}`), el('div', { class: 'muted' }, `Predicted: ${m.predictedPath}`));
  const s = el('div', { class: 'summary' });
  const stat = (label: string, v: string) => s.append(el('span', {}, `${label} `, el('b', {}, v)));
  stat('Images', String(m.images.length));
  stat('Landmarks', String(m.landmarkCount));
  stat('Mean error', `${fmt(m.overall.mean)} px`);
  stat('Median', `${fmt(m.overall.median)} px`);
  stat('p90', `${fmt(m.overall.p90)} px`);
  box.append(s);
  if (m.unmatchedManual.length || m.unmatchedPredicted.length) {
    const parts: string[] = [];
    if (m.unmatchedPredicted.length) parts.push(`${m.unmatchedPredicted.length} predicted specimens have no manual match (${m.unmatchedPredicted.slice(0, 5).join(', ')}${m.unmatchedPredicted.length > 5 ? ', ...' : ''})`);
    if (m.unmatchedManual.length) parts.push(`${m.unmatchedManual.length} manual specimens were not predicted (${m.unmatchedManual.slice(0, 5).join(', ')}${m.unmatchedManual.length > 5 ? ', ...' : ''})`);
    box.append(el('div', { class: 'banner' }, `Not compared: ${parts.join('; ')}. Specimens are matched by image name.`));
  }
  const missing = m.images.filter((i) => !i.src).length;
  if (missing) box.append(el('div', { class: 'banner' }, `${missing} photos could not be shown (see the cards): their landmarks are drawn on a blank background.`));
  return box;
}

function table(m: ResultsModel): HTMLElement {
  const box = el('div', { id: 'section-table' });
  const head = el('div', { class: 'row' }, el('h2', {}, 'Error per landmark'));
  const exp = el('button', { id: 'export-csv', title: 'Save this table as a CSV file' }, 'Export CSV...');
  exp.addEventListener('click', () => vscode.postMessage({ type: 'exportCsv' }));
  const shape = el('button', { id: 'shape-of-predicted', class: 'secondary', title: 'Procrustes analysis of the predicted landmarks: shapes no biologist would draw stand out' }, 'Shape analysis of the predictions...');
  shape.addEventListener('click', () => vscode.postMessage({ type: 'shapeOfPredicted' }));
  head.append(exp, shape);
  box.append(head);
  const scaled = m.table.some((r) => r.meanScaled !== undefined);
  const t = el('table', { id: 'landmark-table' });
  const hr = el('tr', {}, el('th', {}, 'Landmark'), el('th', {}, 'n'), el('th', {}, 'Mean px'), el('th', {}, 'Median px'), el('th', {}, 'p90 px'));
  if (scaled) hr.append(el('th', {}, 'Mean (SCALE)'), el('th', {}, 'Median (SCALE)'), el('th', {}, 'p90 (SCALE)'));
  hr.append(el('th', {}, ''));
  t.append(hr);
  const max = Math.max(1e-9, ...m.table.map((r) => (Number.isFinite(r.mean) ? r.mean : 0)));
  for (const r of m.table) {
    const tr = el('tr', {}, el('td', {}, String(r.index)), el('td', {}, String(r.count)), el('td', {}, fmt(r.mean)), el('td', {}, fmt(r.median)), el('td', {}, fmt(r.p90)));
    if (scaled) tr.append(el('td', {}, fmt(r.meanScaled, 4)), el('td', {}, fmt(r.medianScaled, 4)), el('td', {}, fmt(r.p90Scaled, 4)));
    const bar = el('span', { class: 'tbar' });
    bar.style.width = `${Math.round(((Number.isFinite(r.mean) ? r.mean : 0) / max) * 140)}px`;
    tr.append(el('td', {}, bar));
    t.append(tr);
  }
  box.append(t);
  if (!scaled) box.append(el('div', { class: 'muted' }, 'No SCALE= in the manual file: errors are in pixels only.'));
  return box;
}

function colourBar(max: number): HTMLElement {
  const c = document.createElement('canvas');
  c.width = 160;
  c.height = 10;
  const g = c.getContext('2d') as CanvasRenderingContext2D;
  for (let x = 0; x < 160; x++) {
    g.fillStyle = rgb(colourAt(x / 159));
    g.fillRect(x, 0, 1, 10);
  }
  return el('div', { class: 'colourbar muted' }, '0 px', c, `${fmt(max, 1)} px and more`);
}

/** Landmark x image matrix; returns the section and the number of cells drawn. */
function heatmap(m: ResultsModel, onPick: (imageIndex: number) => void): { node: HTMLElement; cells: number; labels: string[] } {
  const box = el('div', { id: 'section-heatmap' });
  box.append(el('h2', {}, 'Error heatmap: landmark x image'));
  box.append(el('p', { class: 'muted section-note' }, 'Rows are landmarks, columns images (worst first, named below). Hover for the value, click to show the image.'));
  const all = m.images.flatMap((i) => i.errors);
  const max = robustMax(all);
  box.append(colourBar(max));
  const g = heatmapGrid(m.landmarkCount, m.images.length, Math.max(400, (app.clientWidth || 900) - 20));
  const c = document.createElement('canvas');
  c.id = 'heatmap';
  const ctx = c.getContext('2d') as CanvasRenderingContext2D;
  ctx.font = '10px sans-serif';
  // Image names under the columns (turned a quarter when they are wider than a column).
  const cols = columnLabels(m.images.map((i) => i.name), g.cell, (s) => ctx.measureText(s).width);
  c.width = g.width;
  c.height = g.height + cols.height;
  ctx.font = '10px sans-serif'; // resizing the canvas reset it
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  const labelColour = cssVar('--vscode-descriptionForeground', '#888');
  let cells = 0;
  for (let r = 0; r < g.rows; r++) {
    if (g.cell >= 9 || r % 2 === 0) {
      ctx.fillStyle = labelColour;
      ctx.textAlign = 'right';
      ctx.fillText(String(r + 1), g.left - 4, g.top + r * g.cell + g.cell / 2);
    }
    for (let col = 0; col < g.cols; col++) {
      const e = m.images[col].errors[r];
      if (e === null || e === undefined || !Number.isFinite(e)) {
        ctx.fillStyle = cssVar('--vscode-editorWidget-border', '#8884');
        ctx.fillRect(g.left + col * g.cell + g.cell / 2 - 1, g.top + r * g.cell + g.cell / 2 - 1, 2, 2);
      } else {
        const colour = colourAt(e / max);
        ctx.fillStyle = rgb(colour);
        ctx.fillRect(g.left + col * g.cell, g.top + r * g.cell, g.cell - (g.cell > 6 ? 1 : 0), g.cell - (g.cell > 6 ? 1 : 0));
        if (g.cell >= 24) {
          ctx.fillStyle = textOn(colour);
          ctx.textAlign = 'center';
          ctx.fillText(e < 10 ? e.toFixed(1) : e.toFixed(0), g.left + col * g.cell + g.cell / 2, g.top + r * g.cell + g.cell / 2);
          ctx.textAlign = 'right';
        }
      }
      cells++;
    }
  }
  ctx.fillStyle = labelColour;
  for (const l of cols.labels) {
    const x = g.left + l.col * g.cell + g.cell / 2;
    const y = g.top + g.rows * g.cell + 4;
    if (cols.rotated) {
      ctx.save();
      ctx.translate(x, y);
      ctx.rotate(-Math.PI / 2);
      ctx.textAlign = 'right';
      ctx.textBaseline = 'middle';
      ctx.fillText(l.text, 0, 0);
      ctx.restore();
    } else {
      ctx.textAlign = 'center';
      ctx.textBaseline = 'top';
      ctx.fillText(l.text, x, y);
    }
  }
  c.addEventListener('mousemove', (ev) => {
    const rect = c.getBoundingClientRect();
    const hit = cellAt(g, ((ev.clientX - rect.left) * c.width) / rect.width, ((ev.clientY - rect.top) * c.height) / rect.height);
    if (!hit) return showTip(ev, undefined);
    const im = m.images[hit.col];
    const e = im.errors[hit.row];
    showTip(ev, `${im.name}, landmark ${hit.row + 1}: ${e === null || e === undefined ? 'missing' : `${fmt(e)} px`}`);
  });
  c.addEventListener('mouseleave', (ev) => showTip(ev, undefined));
  c.addEventListener('click', (ev) => {
    const rect = c.getBoundingClientRect();
    const hit = cellAt(g, ((ev.clientX - rect.left) * c.width) / rect.width, ((ev.clientY - rect.top) * c.height) / rect.height);
    if (hit) onPick(hit.col);
  });
  box.append(el('div', { class: 'heat-wrap' }, c));
  return { node: box, cells, labels: cols.labels.map((l) => l.text) };
}

function drawMarker(ctx: CanvasRenderingContext2D, x: number, y: number, r: number, fill: string, square: boolean): void {
  ctx.beginPath();
  if (square) ctx.rect(x - r, y - r, 2 * r, 2 * r);
  else ctx.arc(x, y, r, 0, Math.PI * 2);
  ctx.fillStyle = fill;
  ctx.fill();
  ctx.lineWidth = 1;
  ctx.strokeStyle = 'rgba(0,0,0,0.7)';
  ctx.stroke();
}

/** Spatial view on the reference photo; returns the section, a promise of the drawing, and the landmarks drawn. */
function spatial(m: ResultsModel): { node: HTMLElement; done: Promise<number> } {
  const box = el('div', { id: 'section-spatial' });
  const ref = m.images[m.referenceIndex];
  const select = el('select', { id: 'magnification', title: 'Lengthen the error vectors to see their direction' });
  box.append(el('div', { class: 'row' }, el('h2', {}, 'Where the errors lie'), el('label', { class: 'muted' }, 'error vectors ', select)));
  if (!ref) return { node: box, done: Promise.resolve(0) };
  const note = el('p', { class: 'muted section-note' });
  box.append(note);
  const c = document.createElement('canvas');
  c.id = 'spatial';
  box.append(c);
  const ext = pointsExtent(ref);
  const auto = autoMagnification(m.overall.mean, ref.width ?? ext.width);
  for (const k of MAGNIFICATIONS) {
    const o = el('option', { value: String(k) }, `x${k}${k === auto ? ' (auto)' : ''}`);
    if (k === auto) o.selected = true;
    select.append(o);
  }
  const lms = spatialLandmarks(m.images, ref, m.landmarkCount);
  const max = robustMax(lms.map((l) => l.mean));
  const photoP = ref.src ? loadPhoto(ref.src) : Promise.resolve(undefined);
  const draw = async (mag: number): Promise<number> => {
    note.textContent =
      `On ${ref.name} (reference): for each landmark, the error vectors (predicted minus manual) of all ${m.images.length} images drawn from its manual position` +
      `${mag > 1 ? `, lengthened x${mag}` : ''}, and a circle of its mean error (x${mag}), coloured like the heatmap.`;
    const photo = await photoP;
    const w = photo?.naturalWidth ?? ext.width;
    const h = photo?.naturalHeight ?? ext.height;
    const fit = fitInside(w, h, Math.min(900, Math.max(400, (app.clientWidth || 900) - 20)), 640, true);
    c.width = fit.width;
    c.height = fit.height;
    const ctx = c.getContext('2d') as CanvasRenderingContext2D;
    if (photo) {
      ctx.drawImage(photo, 0, 0, fit.width, fit.height);
      ctx.fillStyle = 'rgba(0,0,0,0.25)';
      ctx.fillRect(0, 0, fit.width, fit.height);
    } else {
      ctx.fillStyle = cssVar('--vscode-editorWidget-background', '#222');
      ctx.fillRect(0, 0, fit.width, fit.height);
    }
    const s = fit.scale;
    for (const l of lms) {
      const colour = rgb(colourAt(l.mean / max));
      const ax = l.at.x * s;
      const ay = l.at.y * s;
      ctx.strokeStyle = colour;
      ctx.globalAlpha = 0.7;
      ctx.lineWidth = 1.5;
      for (const v of l.vectors) {
        ctx.beginPath();
        ctx.moveTo(ax, ay);
        ctx.lineTo(ax + v.x * s * mag, ay + v.y * s * mag);
        ctx.stroke();
      }
      ctx.globalAlpha = 1;
      if (Number.isFinite(l.mean)) {
        ctx.beginPath();
        ctx.arc(ax, ay, Math.max(3, l.mean * s * mag), 0, Math.PI * 2);
        ctx.lineWidth = 2;
        ctx.strokeStyle = colour;
        ctx.stroke();
      }
      drawMarker(ctx, ax, ay, 3, colour, false);
      ctx.font = 'bold 12px sans-serif';
      ctx.fillStyle = '#fff';
      ctx.strokeStyle = '#000';
      ctx.lineWidth = 3;
      ctx.strokeText(String(l.index + 1), ax + 6, ay - 6);
      ctx.fillText(String(l.index + 1), ax + 6, ay - 6);
    }
    return lms.length;
  };
  select.addEventListener('change', () => void draw(Number(select.value)));
  return { node: box, done: draw(auto) };
}

/** One image card; resolves to whether the photo was drawn. */
function card(im: ResultsImage, rank: number, max: number, many: boolean): { node: HTMLElement; done: () => Promise<boolean> } {
  const node = el('div', { class: 'card', tabindex: '0', role: 'button', 'data-name': im.name, title: `Correct the predicted landmarks of ${im.name} in the Landmark Editor` });
  const worst = im.errors.reduce<{ k: number; e: number }>((b, e, k) => (e !== null && e > b.e ? { k, e } : b), { k: -1, e: -1 });
  const badge = el('span', {}, `${fmt(im.mean)} px`);
  const colour = colourAt(im.mean / max);
  badge.style.background = rgb(colour);
  badge.style.color = textOn(colour);
  badge.style.padding = '0 4px';
  node.append(
    el('div', { class: 'row' }, el('span', { class: 'muted' }, `#${rank + 1}`), el('span', { class: 'name' }, im.name), badge),
    el('div', { class: 'muted' }, worst.k >= 0 ? `worst: landmark ${worst.k + 1} (${fmt(worst.e)} px)${im.missing ? ` · ${im.missing}` : ''}` : im.missing ?? ''),
  );
  const c = document.createElement('canvas');
  node.append(c);
  const open = () => vscode.postMessage({ type: 'openSpecimen', name: im.name });
  node.addEventListener('click', open);
  node.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' || ev.key === ' ') {
      ev.preventDefault();
      open();
    }
  });
  const done = async (): Promise<boolean> => {
    const photo = im.src ? await loadPhoto(im.src) : undefined;
    const ext = pointsExtent(im);
    const w = photo?.naturalWidth ?? ext.width;
    const h = photo?.naturalHeight ?? ext.height;
    const fit = fitInside(w, h, 420, 320, true);
    // Many cards: 1 canvas pixel per CSS pixel keeps the memory of 150 cards small.
    const dpr = many ? 1 : Math.min(2, window.devicePixelRatio || 1);
    c.width = Math.round(fit.width * dpr);
    c.height = Math.round(fit.height * dpr);
    c.style.width = `${fit.width}px`;
    const ctx = c.getContext('2d') as CanvasRenderingContext2D;
    ctx.scale(dpr, dpr);
    if (photo) ctx.drawImage(photo, 0, 0, fit.width, fit.height);
    else {
      ctx.fillStyle = cssVar('--vscode-editor-background', '#1e1e1e');
      ctx.fillRect(0, 0, fit.width, fit.height);
    }
    const s = fit.scale;
    const manualC = cssVar('--manual', '#2ea043');
    const predC = cssVar('--predicted', '#f0883e');
    const errC = cssVar('--err', '#e5534b');
    const n = Math.max(im.manual.length, im.predicted.length);
    ctx.lineWidth = 2;
    for (let k = 0; k < n; k++) {
      const a = im.manual[k];
      const b = im.predicted[k];
      if (a && b) {
        ctx.strokeStyle = errC;
        ctx.beginPath();
        ctx.moveTo(a.x * s, a.y * s);
        ctx.lineTo(b.x * s, b.y * s);
        ctx.stroke();
      }
    }
    for (let k = 0; k < n; k++) {
      const a = im.manual[k];
      const b = im.predicted[k];
      if (b) drawMarker(ctx, b.x * s, b.y * s, 3.5, predC, true);
      if (a) {
        drawMarker(ctx, a.x * s, a.y * s, 3.5, manualC, false);
        ctx.font = '10px sans-serif';
        ctx.fillStyle = '#fff';
        ctx.strokeStyle = '#000';
        ctx.lineWidth = 2.5;
        ctx.strokeText(String(k + 1), a.x * s + 5, a.y * s - 5);
        ctx.fillText(String(k + 1), a.x * s + 5, a.y * s - 5);
        ctx.lineWidth = 2;
      }
    }
    if (photo) photo.src = ''; // let the browser drop the decoded photo
    return !!photo;
  };
  return { node, done };
}

async function show(m: ResultsModel): Promise<void> {
  const maxMean = robustMax(m.images.map((x) => x.mean));
  const cards = m.images.map((im, i) => card(im, i, maxMean, m.images.length > 40));
  const pick = (i: number) => {
    const n = cards[i]?.node;
    if (n) {
      n.scrollIntoView({ behavior: 'smooth', block: 'center' });
      n.focus();
    }
  };
  const heat = heatmap(m, pick);
  const sp = spatial(m);
  const grid = el('div', { class: 'cards', id: 'cards' }, ...cards.map((c) => c.node));
  app.replaceChildren(
    summary(m),
    table(m),
    heat.node,
    sp.node,
    el('h2', { id: 'section-images' }, 'Images, worst first'),
    el(
      'div',
      { class: 'legend muted' },
      el('span', {}, el('span', { class: 'dot manual' }), 'manual'),
      el('span', {}, el('span', { class: 'dot predicted' }), 'predicted'),
      el('span', {}, el('span', { class: 'dot err' }), 'error'),
      'Click an image to correct its predicted landmarks in the Landmark Editor.',
    ),
    grid,
  );
  let photos = 0;
  const [spatialCount] = await Promise.all([
    sp.done.catch(() => 0),
    inPool(cards, 4, async (c) => {
      if (await c.done().catch(() => false)) photos++;
    }),
  ]);
  vscode.postMessage({
    type: 'rendered',
    images: grid.querySelectorAll('.card').length,
    photos,
    heatmapCells: heat.cells,
    heatmapLabels: heat.labels,
    spatialLandmarks: spatialCount,
    tableRows: document.querySelectorAll('#landmark-table tr').length - 1,
  });
}

window.addEventListener('message', (ev: MessageEvent<ResultsToView>) => {
  const m = ev.data;
  if (m.type === 'show') void show(m.model);
  else if (m.type === 'reveal') {
    document.getElementById(`section-${m.section}`)?.scrollIntoView({ block: 'start' });
  }
});
app.append(el('div', { class: 'muted' }, 'Loading the results...'));
vscode.postMessage({ type: 'ready' });
