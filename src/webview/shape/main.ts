/**
 * The shape view webview: the Procrustes consensus with every aligned landmark as a cloud, the
 * PC1/PC2 scatter, and the specimens by Procrustes distance with outliers flagged. Hovering a
 * specimen (row or dot) shows its shape over the consensus; a click asks the host to open it in
 * the Landmark Editor. Talks only through src/shared/protocol/shape.ts.
 */
import type { ShapeFromView, ShapeToView, ShapeViewModel, ShapeViewSpecimen } from '../../shared/protocol/shape';
import type { Point2 } from '../../shared/morphometrics/procrustes';
import { el, svg } from '../common/dom';
import { vscodeApi } from '../common/vscode-api';

const api = vscodeApi<ShapeFromView>();
const post = (m: ShapeFromView) => api.postMessage(m);
const app = document.getElementById('app') as HTMLElement;
const SIZE = 380;
const PAD = 28;

/**
 * Maps data points into a square plot, the same scale on both axes (a shape must not be
 * stretched), y drawn upwards: TPS y and PC2 both grow up.
 */
function fitter(points: readonly Point2[]): (p: Point2) => [number, number] {
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const span = Math.max(x1 - x0, y1 - y0) || 1;
  const s = (SIZE - 2 * PAD) / span;
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  return ([x, y]) => [SIZE / 2 + (x - cx) * s, SIZE / 2 - (y - cy) * s];
}

function hue(j: number, k: number): string {
  return `hsl(${Math.round((360 * j) / Math.max(1, k))} 70% 55%)`;
}

function open(s: ShapeViewSpecimen): void {
  post({ type: 'openSpecimen', index: s.index });
}

function render(model: ShapeViewModel): void {
  app.textContent = '';
  const k = model.landmarkCount;
  const outliers = model.specimens.filter((s) => s.outlier);
  const pcs = model.proportion.slice(0, 2).map((p) => `${(100 * p).toFixed(1)}%`);
  app.append(
    el('h1', {}, model.title),
    el(
      'p',
      { class: 'muted', id: 'shape-caption' },
      `${model.specimens.length} specimens aligned by generalized Procrustes analysis (unit centroid size, rotation, never reflection)` +
        `${model.leftOut.length ? `; ${model.leftOut.length} left out` : ''}` +
        `${model.outlierThreshold !== null ? `; outlier: Procrustes distance above ${model.outlierThreshold.toFixed(4)} (Q3 + 1.5 IQR)` : ''}.`,
    ),
  );
  if (outliers.length) {
    app.append(el('div', { class: 'banner', id: 'outlier-banner' }, `${outliers.length} outlier${outliers.length > 1 ? 's' : ''}: ${outliers.map((s) => s.name).join(', ')}. Click one to check it in the Landmark Editor.`));
  }

  // ---- consensus and aligned cloud (TPS y runs up: drawn up, as on the photo)
  const all = [...model.consensus, ...model.specimens.flatMap((s) => s.aligned)];
  const place = fitter(all);
  const cloud = svg('svg', { id: 'cloud', width: SIZE, height: SIZE, viewBox: `0 0 ${SIZE} ${SIZE}`, role: 'img', 'aria-label': 'Consensus shape with the aligned landmarks of every specimen' });
  let cloudDots = 0;
  for (const s of model.specimens) {
    s.aligned.forEach((p, j) => {
      const [x, y] = place(p);
      cloud.append(svg('circle', { cx: x, cy: y, r: s.outlier ? 2.6 : 1.8, fill: s.outlier ? 'var(--err)' : hue(j, k), 'fill-opacity': s.outlier ? 0.9 : 0.45, class: 'cloud-dot' }));
      cloudDots++;
    });
  }
  const highlight = svg('g', { id: 'highlight' });
  cloud.append(highlight);
  model.consensus.forEach((p, j) => {
    const [x, y] = place(p);
    cloud.append(svg('circle', { cx: x, cy: y, r: 5, fill: 'none', stroke: 'var(--vscode-foreground)', 'stroke-width': 1.5 }));
    const label = svg('text', { x: x + 7, y: y - 7, 'font-size': 11, fill: 'var(--vscode-foreground)' });
    label.textContent = model.landmarkNames?.[j] ?? String(j + 1);
    cloud.append(label);
  });
  const showShape = (s: ShapeViewSpecimen | undefined) => {
    highlight.textContent = '';
    if (!s) return;
    const pts = s.aligned.map(place);
    pts.forEach(([x, y], j) => {
      const [cx, cy] = place(model.consensus[j]);
      highlight.append(svg('line', { x1: cx, y1: cy, x2: x, y2: y, stroke: 'var(--err)', 'stroke-width': 1.5 }));
      highlight.append(svg('circle', { cx: x, cy: y, r: 3.5, fill: 'var(--err)' }));
    });
  };

  // ---- PC1 / PC2 scatter
  const scatter = svg('svg', { id: 'scatter', width: SIZE, height: SIZE, viewBox: `0 0 ${SIZE} ${SIZE}`, role: 'img', 'aria-label': 'Specimens on the first two principal components' });
  const pcPlace = fitter(model.specimens.map((s) => s.pc));
  const [ox, oy] = pcPlace([0, 0]);
  scatter.append(
    svg('line', { x1: PAD / 2, y1: oy, x2: SIZE - PAD / 2, y2: oy, stroke: 'var(--vscode-editorWidget-border, #8886)' }),
    svg('line', { x1: ox, y1: PAD / 2, x2: ox, y2: SIZE - PAD / 2, stroke: 'var(--vscode-editorWidget-border, #8886)' }),
  );
  const axisX = svg('text', { x: SIZE - PAD / 2, y: Math.min(SIZE - 4, oy + 14), 'text-anchor': 'end', 'font-size': 11, fill: 'var(--vscode-descriptionForeground)' });
  axisX.textContent = `PC1 (${pcs[0] ?? '–'})`;
  const axisY = svg('text', { x: Math.min(SIZE - 4, ox + 6), y: PAD / 2 + 8, 'font-size': 11, fill: 'var(--vscode-descriptionForeground)' });
  axisY.textContent = `PC2 (${pcs[1] ?? '–'})`;
  scatter.append(axisX, axisY);
  let scatterDots = 0;
  const dots = new Map<number, SVGCircleElement>();
  for (const s of [...model.specimens].reverse()) {
    const [x, y] = pcPlace(s.pc);
    const dot = svg('circle', { cx: x, cy: y, r: s.outlier ? 5 : 3.5, fill: s.outlier ? 'var(--err)' : 'var(--predicted)', 'fill-opacity': 0.8, class: 'pc-dot', 'data-index': s.index, tabindex: 0 });
    const title = svg('title');
    title.textContent = `${s.name}: Procrustes distance ${s.procrustesDistance.toFixed(4)}${s.outlier ? ' (outlier)' : ''}`;
    dot.append(title);
    dot.addEventListener('mouseenter', () => showShape(s));
    dot.addEventListener('mouseleave', () => showShape(undefined));
    dot.addEventListener('click', () => open(s));
    scatter.append(dot);
    dots.set(s.index, dot);
    if (s.outlier) {
      // Labels near the right edge go to the left of their dot, so they are not cut off.
      const right = x > SIZE * 0.65;
      const label = svg('text', { x: right ? x - 7 : x + 7, y: y + 4, 'text-anchor': right ? 'end' : 'start', 'font-size': 11, fill: 'var(--err)' });
      label.textContent = s.name;
      scatter.append(label);
    }
    scatterDots++;
  }

  app.append(
    el(
      'div',
      { class: 'row shape-plots' },
      el('figure', {}, cloud, el('figcaption', { class: 'muted' }, 'Consensus (circles) and every aligned landmark; outliers in red. Hover a specimen to see its shape.')),
      el('figure', {}, scatter, el('figcaption', { class: 'muted' }, `PC1 ${pcs[0] ?? ''} and PC2 ${pcs[1] ?? ''} of the shape variance (tangent space).`)),
    ),
  );

  // ---- specimens by Procrustes distance
  const body = el('tbody', { id: 'shape-rows' });
  model.specimens.forEach((s, rank) => {
    const row = el(
      'tr',
      { class: s.outlier ? 'outlier' : '', tabindex: '0', 'data-index': String(s.index), title: `Open ${s.name} in the Landmark Editor` },
      el('td', {}, String(rank + 1)),
      el('td', {}, s.name),
      el('td', {}, s.procrustesDistance.toFixed(4)),
      el('td', {}, s.centroidSize.toFixed(1)),
      el('td', {}, s.outlier ? '⚠ outlier' : ''),
    );
    row.addEventListener('click', () => open(s));
    row.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        open(s);
      }
    });
    row.addEventListener('mouseenter', () => {
      showShape(s);
      dots.get(s.index)?.setAttribute('stroke', 'var(--vscode-foreground)');
    });
    row.addEventListener('mouseleave', () => {
      showShape(undefined);
      dots.get(s.index)?.removeAttribute('stroke');
    });
    body.append(row);
  });
  app.append(
    el('h2', {}, 'Specimens by Procrustes distance to the consensus'),
    el('table', { id: 'shape-table' }, el('thead', {}, el('tr', {}, el('th', {}, '#'), el('th', {}, 'specimen'), el('th', {}, 'distance'), el('th', {}, 'centroid size'), el('th', {}, ''))), body),
  );
  if (model.leftOut.length) {
    app.append(el('h2', {}, 'Left out'), el('ul', { id: 'left-out' }, ...model.leftOut.map((l) => el('li', {}, `${l.name} (specimen ${l.index + 1}): ${l.reason}`))));
  }
  post({ type: 'rendered', report: { specimens: model.specimens.length, outliers: outliers.map((s) => s.index), scatterDots, cloudDots } });
}

window.addEventListener('message', (e: MessageEvent<ShapeToView>) => {
  if (e.data?.type === 'show') render(e.data.model);
});
post({ type: 'ready' });
