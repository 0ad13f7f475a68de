/**
 * Answers the test requests of src/shared/protocol/editor-test.ts (only the test API of an
 * extension in ExtensionMode.Test sends any). An action runs through the same handlers real
 * input runs; the reply is the render report once the action settled, so a test awaits it
 * instead of polling reports.
 */
import type { EditorTestMethods, HostToWebviewTest, RenderReport, TestAction } from '../../shared/protocol/editor-test';
import { answerRequest } from '../../shared/protocol/requests';
import { showSpecimen } from './actions';
import { commitMove, requestAdd } from './edits';
import { frameOf } from './frames';
import { postTest } from './host';
import { photoClick, stillClick } from './input';
import { nextReport, report, watchRenders } from './report';
import { state } from './state';

export function answerTestRequest(request: HostToWebviewTest): void {
  void answerRequest<EditorTestMethods>(request, { action: runAction, report: reportNow, watch }, postTest);
}

function watch(): null {
  watchRenders();
  return null;
}

/** The next report, asked for now (it waits for the current photo to load). */
function reportNow(): Promise<RenderReport> {
  const next = nextReport();
  report();
  return next;
}

async function runAction(action: TestAction): Promise<RenderReport> {
  const edits = state.editsPosted;
  const updates = state.updatesReceived;
  await run(action);
  if (state.editsPosted === edits) return reportNow();
  // It edited: the first report drawn after the host's update has the edit in it.
  for (;;) {
    const r = await nextReport();
    if (state.updatesReceived > updates) return r;
  }
}

/** Runs `action`; resolves once it ran (an action on a specimen not shown yet waits for its frame). */
function run(action: TestAction): Promise<void> {
  switch (action.kind) {
    case 'move':
    case 'add':
    case 'click': {
      const specimen = action.kind === 'click' ? (action.specimen ?? state.current) : action.specimen;
      const point = { x: action.x, y: action.y };
      const act = (): void => {
        if (action.kind === 'move') commitMove(specimen, action.landmark, point);
        else if (action.kind === 'add') requestAdd(specimen, point);
        else if (!photoClick(point, !!action.ctrlKey)) stillClick();
      };
      // A click, or an add that may ask first, happens on the specimen shown: show it first.
      if (frameOf(specimen) && (action.kind === 'move' || specimen === state.current)) {
        act();
        return Promise.resolve();
      }
      return new Promise((resolve) => {
        state.pendingFrame.push({ specimen, run: () => (act(), resolve()) });
        showSpecimen(specimen);
      });
    }
    case 'key': {
      const target = document.activeElement ?? document.body;
      target.dispatchEvent(new KeyboardEvent('keydown', { key: action.key, shiftKey: !!action.shiftKey, ctrlKey: !!action.ctrlKey, bubbles: true, cancelable: true }));
      return Promise.resolve();
    }
  }
}
