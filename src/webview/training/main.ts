/**
 * The live training view: run settings, a status line (epoch, losses, ETA), training and
 * validation loss curves drawn as SVG, and at the end the model folder and the validation
 * error per landmark. Talks to the host only through src/shared/protocol/views.ts.
 */
import type { LossPoint, StageCurve, TrainingFinal, TrainingFromView, TrainingRunInfo, TrainingToView } from '../../shared/protocol/views';
import { el, svg } from '../common/dom';
import { fmt } from '../common/format';
import { formatDuration, formatLoss } from '../../shared/format';
import { vscodeApi } from '../common/vscode-api';
import { addProgress, addStageMetric, chartScales, linearScale, logTicks, niceTicks, pathData, type ChartLayout } from './chart';

const vscode = vscodeApi<TrainingFromView>();


interface State {
  run?: TrainingRunInfo;
  backend?: { name: string; reason: string };
  epochs: number;
  train: LossPoint[];
  val: LossPoint[];
  /** Multi-stage presets: each stage's metric over the run. */
  stages: StageCurve[];
  last?: Extract<TrainingToView, { type: 'progress' }>;
  final?: TrainingFinal;
  failed?: { message: string; hint: string };
}

const state: State = { epochs: 0, train: [], val: [], stages: [] };
const app = document.getElementById('app') as HTMLElement;

function runState(): 'running' | 'done' | 'failed' | 'cancelled' {
  if (state.failed) return 'failed';
  if (state.final) return state.final.cancelled ? 'cancelled' : 'done';
  return 'running';
}

function header(): HTMLElement {
  const r = state.run;
  const box = el('div');
  box.append(el('h1', {}, r ? `Training on ${r.dataset.split(/[\\/]/).pop()}` : 'Training'));
  if (!r) return box;
  const dl = el('dl');
  const row = (k: string, v: string) => dl.append(el('dt', {}, k), el('dd', {}, v));
  row('Dataset', r.dataset);
  row('Model folder', r.modelDir);
  row('Preset', r.preset);
  // a preset of stages trains in passes over the photos at their own size: no epochs, no input size
  if (!state.last?.phase) {
    row('Epochs', r.epochs > 0 ? String(r.epochs) : 'preset default');
    row('Input size', r.inputSize || 'preset default');
  }
  row('Validation share', `${Math.round(r.validationSplit * 100)} %`);
  row('Backend', state.backend ? `${state.backend.name} (${state.backend.reason})` : 'starting...');
  box.append(dl);
  return box;
}

function statusLine(): HTMLElement {
  const s = el('div', { id: 'status' });
  const p = state.last;
  if (state.failed) {
    s.append(el('div', { class: 'banner error' }, el('strong', {}, state.failed.message), el('br'), state.failed.hint));
    return s;
  }
  if (state.final) {
    const f = state.final;
    s.append(
      el(
        'div',
        { class: 'banner' },
        state.last?.phase
          ? // a preset of stages: no epochs to speak of
            f.cancelled
            ? 'Cancelled: a preset of stages keeps no partial model, nothing was saved.'
            : `Done in ${formatDuration(f.seconds)}.` + (f.meanErrorPx !== undefined && Number.isFinite(f.meanErrorPx) ? ` Validation error ${fmt(f.meanErrorPx)} px.` : '')
          : f.cancelled
          ? f.bestEpoch > 0
            ? `Cancelled after epoch ${f.epochs}. The best model so far (epoch ${f.bestEpoch}) was kept.`
            : 'Cancelled before the first epoch ended: no model was saved.'
          : `Done: ${f.epochs} epoch${f.epochs === 1 ? '' : 's'} in ${formatDuration(f.seconds)}` +
            (f.bestEpoch > 0 && Number.isFinite(f.bestValLoss) ? `; best epoch ${f.bestEpoch} (validation loss ${formatLoss(f.bestValLoss)}).` : '.') +
            (f.meanErrorPx !== undefined && Number.isFinite(f.meanErrorPx) ? ` Validation error ${fmt(f.meanErrorPx)} px.` : ''),
      ),
    );
    return s;
  }
  if (!p) {
    s.append('Starting the engine and loading the images...');
    return s;
  }
  if (p.phase) {
    // a preset of stages (no epochs): which stage, how far it is, its metric, the ETA over the whole run
    const ph = p.phase;
    const parts = [`Stage ${ph.index}/${ph.count}: ${ph.name} ${ph.done}/${ph.total}`];
    if (p.fraction !== undefined) parts.push(`${Math.round(100 * p.fraction)} % of the training`);
    const lastMetric = [...state.stages].reverse().find((c) => c.name.startsWith(`${ph.name}: `));
    if (lastMetric?.points.length) parts.push(`${lastMetric.name.slice(ph.name.length + 2)} ${fmt(lastMetric.points[lastMetric.points.length - 1].y, 2)}`);
    if (p.etaSeconds !== undefined) parts.push(`about ${formatDuration(p.etaSeconds)} left`);
    s.append(parts.join(' · '));
    return s;
  }
  const parts = [`Epoch ${p.epoch}/${p.epochs}`];
  if (p.batches > 1) parts.push(`batch ${p.batch}/${p.batches}`);
  parts.push(`training loss ${formatLoss(p.trainLoss)}`);
  const lastVal = state.val[state.val.length - 1];
  if (lastVal) parts.push(`validation loss ${formatLoss(lastVal.y)}`);
  if (p.valErrorPx !== undefined) parts.push(`validation error ${fmt(p.valErrorPx, 1)} px`);
  if (p.etaSeconds !== undefined) parts.push(`about ${formatDuration(p.etaSeconds)} left`);
  s.append(parts.join(' · '));
  if (p.message) s.append(el('div', { class: 'muted' }, p.message));
  return s;
}

function chart(): SVGSVGElement {
  const width = Math.max(360, Math.min(900, (app.clientWidth || 700) - 8));
  const L: ChartLayout = { width, height: 300, left: 64, right: 16, top: 12, bottom: 36 };
  const { x, y } = chartScales([state.train, state.val], state.epochs, L);
  const root = svg('svg', { width: L.width, height: L.height, viewBox: `0 0 ${L.width} ${L.height}`, role: 'img', 'aria-label': 'Loss curves' });
  const axis = svg('g', { class: 'axis' });
  const yt = y.log ? logTicks(y.domain[0], y.domain[1]) : niceTicks(y.domain[0], y.domain[1], 5);
  for (const t of yt) {
    axis.append(svg('line', { class: 'grid', stroke: '#8884', x1: L.left, x2: L.width - L.right, y1: y(t), y2: y(t) }));
    const label = svg('text', { x: L.left - 6, y: y(t) + 4, 'text-anchor': 'end' });
    label.textContent = formatLoss(t);
    axis.append(label);
  }
  const xt = niceTicks(0, x.domain[1], Math.min(10, Math.max(2, Math.round(x.domain[1]))))
    .filter((t) => Number.isInteger(t));
  for (const t of xt) {
    axis.append(svg('line', { class: 'grid', stroke: '#8884', x1: x(t), x2: x(t), y1: L.top, y2: L.height - L.bottom }));
    const label = svg('text', { x: x(t), y: L.height - L.bottom + 14, 'text-anchor': 'middle' });
    label.textContent = String(t);
    axis.append(label);
  }
  const xl = svg('text', { x: (L.left + L.width - L.right) / 2, y: L.height - 4, 'text-anchor': 'middle' });
  xl.textContent = 'epoch';
  axis.append(xl);
  const yl = svg('text', { x: 12, y: L.height / 2, transform: `rotate(-90 12 ${L.height / 2})`, 'text-anchor': 'middle' });
  yl.textContent = y.log ? 'loss (log scale)' : 'loss';
  axis.append(yl);
  root.append(axis);
  if (state.final && state.final.bestEpoch > 0) {
    root.append(svg('line', { class: 'best', stroke: '#89d185', 'stroke-dasharray': '4 3', x1: x(state.final.bestEpoch), x2: x(state.final.bestEpoch), y1: L.top, y2: L.height - L.bottom }));
  }
  root.append(svg('path', { class: 'train', fill: 'none', 'stroke-width': 2, stroke: '#3794ff', d: pathData(state.train, x, y) }));
  root.append(svg('path', { class: 'val', fill: 'none', 'stroke-width': 2, stroke: '#d18616', d: pathData(state.val, x, y) }));
  for (const p of state.val) if (Number.isFinite(p.y) && p.y > 0) root.append(svg('circle', { class: 'valdot', fill: '#d18616', cx: x(p.x), cy: y(p.y), r: 3 }));
  return root;
}

const STAGE_COLOURS = ['#3794ff', '#d18616', '#89d185', '#c586c0', '#f14c4c', '#4ec9b0'];

/** A multi-stage preset's curves: each stage's metric (px) against % of the training done. */
function stageChart(): SVGSVGElement {
  const width = Math.max(360, Math.min(900, (app.clientWidth || 700) - 8));
  const L: ChartLayout = { width, height: 300, left: 64, right: 16, top: 12, bottom: 36 };
  const { y } = chartScales(state.stages.map((c) => c.points), 100, L);
  const x = linearScale(0, 100, L.left, L.width - L.right);
  const root = svg('svg', { width: L.width, height: L.height, viewBox: `0 0 ${L.width} ${L.height}`, role: 'img', 'aria-label': 'Stage curves' });
  const axis = svg('g', { class: 'axis' });
  for (const t of y.log ? logTicks(y.domain[0], y.domain[1]) : niceTicks(y.domain[0], y.domain[1], 5)) {
    axis.append(svg('line', { class: 'grid', stroke: '#8884', x1: L.left, x2: L.width - L.right, y1: y(t), y2: y(t) }));
    const label = svg('text', { x: L.left - 6, y: y(t) + 4, 'text-anchor': 'end' });
    label.textContent = fmt(t, 2);
    axis.append(label);
  }
  for (const t of [0, 20, 40, 60, 80, 100]) {
    axis.append(svg('line', { class: 'grid', stroke: '#8884', x1: x(t), x2: x(t), y1: L.top, y2: L.height - L.bottom }));
    const label = svg('text', { x: x(t), y: L.height - L.bottom + 14, 'text-anchor': 'middle' });
    label.textContent = `${t}%`;
    axis.append(label);
  }
  const xl = svg('text', { x: (L.left + L.width - L.right) / 2, y: L.height - 4, 'text-anchor': 'middle' });
  xl.textContent = 'share of the training done';
  const yl = svg('text', { x: 12, y: L.height / 2, transform: `rotate(-90 12 ${L.height / 2})`, 'text-anchor': 'middle' });
  yl.textContent = y.log ? 'pixels (log scale)' : 'pixels';
  axis.append(xl, yl);
  root.append(axis);
  state.stages.forEach((c, k) => {
    const colour = STAGE_COLOURS[k % STAGE_COLOURS.length];
    root.append(svg('path', { class: 'stage', fill: 'none', 'stroke-width': 2, stroke: colour, d: pathData(c.points, x, y) }));
  });
  return root;
}

function stageLegend(): HTMLElement {
  return el(
    'div',
    { class: 'legend' },
    ...state.stages.map((c, k) => {
      const sw = el('span', { class: 'swatch' });
      sw.style.background = STAGE_COLOURS[k % STAGE_COLOURS.length];
      return el('span', {}, sw, `${c.name} (last ${fmt(c.points[c.points.length - 1]?.y, 2)})`);
    }),
  );
}

function legend(): HTMLElement {
  return el(
    'div',
    { class: 'legend' },
    el('span', {}, el('span', { class: 'swatch train-c' }), `training loss (${state.train.length} points)`),
    el('span', {}, el('span', { class: 'swatch val-c' }), `validation loss (${state.val.length} epoch${state.val.length === 1 ? '' : 's'})`),
  );
}

function finalBlock(): HTMLElement | undefined {
  const f = state.final;
  if (!f) return undefined;
  const box = el('div');
  box.append(el('h2', {}, 'Model'), el('div', {}, `Saved to ${f.modelDir}`));
  if (f.perLandmark?.length) {
    box.append(el('h2', {}, `Validation error per landmark (pixels; mean ${fmt(f.meanErrorPx)})`));
    const max = Math.max(...f.perLandmark.map((l) => l.mean), 1e-9);
    const t = el('table');
    t.append(el('tr', {}, el('th', {}, 'Landmark'), el('th', {}, 'Mean'), el('th', {}, 'Median'), el('th', {}, 'p90'), el('th', {}, '')));
    for (const l of f.perLandmark) {
      const bar = el('span', { class: 'bar' });
      bar.style.width = `${Math.round((l.mean / max) * 160)}px`;
      t.append(el('tr', {}, el('td', {}, String(l.index)), el('td', {}, fmt(l.mean)), el('td', {}, fmt(l.median)), el('td', {}, fmt(l.p90)), el('td', {}, bar)));
    }
    box.append(t);
  }
  return box;
}

function buttons(): HTMLElement {
  const row = el('div', { class: 'row' });
  const st = runState();
  if (st === 'running') {
    const c = el('button', { id: 'cancel' }, 'Cancel training');
    c.addEventListener('click', () => {
      c.setAttribute('disabled', '');
      c.textContent = 'Cancelling...';
      vscode.postMessage({ type: 'cancel' });
    });
    row.append(c);
  }
  if (state.final?.hasResults) {
    const b = el('button', { id: 'open-results' }, 'Open results');
    b.addEventListener('click', () => vscode.postMessage({ type: 'openResults' }));
    row.append(b);
  }
  if (state.final) {
    const b = el('button', { class: 'secondary' }, 'Reveal model folder');
    b.addEventListener('click', () => vscode.postMessage({ type: 'revealModel' }));
    row.append(b);
  }
  const log = el('button', { class: 'secondary' }, 'Show engine log');
  log.addEventListener('click', () => vscode.postMessage({ type: 'showLog' }));
  row.append(log);
  return row;
}

let scheduled = false;
function render(): void {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    const staged = state.stages.length > 0;
    const curves: Node[] =
      staged
        ? [stageLegend(), stageChart()]
        : state.train.length + state.val.length > 0
        ? [legend(), chart()]
        : [
            el(
              'div',
              { class: 'muted' },
              state.final || state.failed
                ? 'This run reported no loss values (the preset does not train by epochs of a loss): see the validation error below.'
                : 'The curves appear with the first loss values.',
            ),
          ];
    app.replaceChildren(header(), statusLine(), buttons(), el('h2', {}, staged ? 'Stages (error or loss in pixels as each stage trains)' : 'Loss'), ...curves);
    const f = finalBlock();
    if (f) app.append(f);
    vscode.postMessage({ type: 'rendered', trainPoints: state.train.length, valPoints: state.val.length, state: runState(), stageCurves: state.stages.map((c) => ({ name: c.name, points: c.points.length })) });
  });
}

window.addEventListener('message', (ev: MessageEvent<TrainingToView>) => {
  const m = ev.data;
  switch (m.type) {
    case 'init':
      state.run = m.run;
      state.epochs = m.run.epochs;
      break;
    case 'backend':
      state.backend = { name: m.name, reason: m.reason };
      break;
    case 'progress':
      state.last = m;
      state.epochs = m.epochs;
      addProgress(state.train, state.val, m);
      addStageMetric(state.stages, m);
      break;
    case 'done':
      state.final = m.final;
      break;
    case 'failed':
      state.failed = { message: m.message, hint: m.hint };
      break;
  }
  render();
});
window.addEventListener('resize', render);
vscode.postMessage({ type: 'ready' });
render();
