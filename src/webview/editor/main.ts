/**
 * The visual TPS editor webview: draws a specimen's photo with numbered landmarks, zoom and pan,
 * drag/add/delete/mark-missing, a specimen list and a landmark table. Talks to the extension only
 * through src/shared/protocol/editor.ts; every change is posted as an edit and comes back as an
 * `update`, so the extension's document stays the single source of truth (undo/redo, save).
 *
 * The modules: state.ts (everything it knows), layout.ts (the page), render.ts (state into the
 * page), input.ts (events into actions.ts and edits.ts), messages.ts (the host's messages),
 * report.ts (what it drew, to the host), photo.ts, frames.ts, review.ts, slots.ts, and
 * test-hooks.ts (the test requests of editor-test.ts).
 */
import { post } from './host';
import { listenToInput } from './input';
import { listenToHost } from './messages';
import { listenToPhoto } from './photo';

listenToPhoto();
listenToInput();
listenToHost();
window.addEventListener('error', (e) => post({ type: 'log', level: 'error', message: `${e.message} (${e.filename}:${e.lineno})` }));
post({ type: 'ready' });
