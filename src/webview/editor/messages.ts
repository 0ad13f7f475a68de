/**
 * Messages from the extension (src/shared/protocol/editor.ts), each applied to the state and the
 * page; test requests (editor-test.ts) go to test-hooks.ts.
 */
import type { HostToWebview } from '../../shared/protocol/editor';
import type { HostToWebviewTest } from '../../shared/protocol/editor-test';
import { selectLandmark, showSpecimen } from './actions';
import { ui } from './layout';
import { applyImage, prefetch } from './photo';
import { draw, renderLandmarkTable, renderProblems, renderSpecimenList } from './render';
import { report } from './report';
import { refreshFlags } from './review';
import { savedState, state } from './state';
import { answerTestRequest } from './test-hooks';

function onMessage(m: HostToWebview): void {
  switch (m.type) {
    case 'init': {
      state.fileName = m.fileName;
      state.specimens = m.specimens;
      state.settings = m.settings;
      state.problems = m.problems;
      const saved = savedState();
      state.viewTolerance = saved?.tolerance && Number.isFinite(saved.tolerance.value) ? saved.tolerance : undefined;
      refreshFlags();
      const { specimens } = state;
      const start = saved && saved.current >= 0 && saved.current < specimens.length ? saved.current : m.selected;
      state.current = Math.max(0, Math.min(specimens.length - 1, start));
      state.selected = saved && saved.current === state.current ? saved.selectedLandmark : null;
      renderProblems();
      if (specimens.length === 0) {
        ui.notice.hidden = false;
        ui.notice.textContent = `${state.fileName} has no specimens.`;
        renderSpecimenList();
        draw();
        report();
        return;
      }
      showSpecimen(state.current, { keepSelection: true });
      return;
    }
    case 'update': {
      state.updatesReceived++;
      state.specimens = m.specimens;
      state.problems = m.problems;
      refreshFlags();
      if (state.current >= state.specimens.length) state.current = Math.max(0, state.specimens.length - 1);
      if (state.selected !== null && state.selected >= (state.specimens[state.current]?.landmarks.length ?? 0)) state.selected = null;
      renderProblems();
      renderSpecimenList();
      renderLandmarkTable();
      applyImage();
      report();
      return;
    }
    case 'image': {
      state.images.set(m.image.specimen, m.image);
      if (m.image.specimen === state.current) {
        applyImage();
        renderSpecimenList();
        report();
      } else prefetch(m.image);
      return;
    }
    case 'settings':
      state.settings = m.settings;
      refreshFlags();
      renderSpecimenList();
      renderLandmarkTable();
      draw();
      report();
      return;
    case 'select':
      showSpecimen(m.specimen);
      if (m.landmark !== undefined) selectLandmark(m.landmark, true);
      report();
      return;
  }
}

export function listenToHost(): void {
  window.addEventListener('message', (event: MessageEvent<HostToWebview | HostToWebviewTest>) => {
    const m = event.data;
    if (m.type === 'request') answerTestRequest(m);
    else onMessage(m);
  });
}
