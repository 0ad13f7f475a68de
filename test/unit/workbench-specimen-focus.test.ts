/**
 * Showing the clicked specimen in a Landmark Editor that is reloading or still opening. A hidden
 * editor's webview is dropped (retainContextWhenHidden is off); revealed again, its page reloads
 * while its session still says `ready`, so one `select` sent at once is lost and the page comes
 * back on the specimen it showed last. The fake editor below behaves that way.
 */
import * as assert from 'assert';
import { focusSpecimen, type EditorFocusApi } from '../../src/extension/workbench/specimen-focus';

/** An editor whose page reloads for `reloadMs` (selects are lost meanwhile), or opens after `openMs`. */
class FakeEditor implements EditorFocusApi<string> {
  selected: number;
  selects = 0;
  private readonly created = Date.now();
  constructor(
    private readonly o: { openMs?: number; reloadMs?: number; showing?: number },
  ) {
    this.selected = o.showing ?? 0;
  }
  private get open(): boolean {
    return Date.now() - this.created >= (this.o.openMs ?? 0);
  }
  private get reloading(): boolean {
    return Date.now() - this.created < (this.o.reloadMs ?? 0);
  }
  state(uri: string) {
    if (uri !== 'predicted.tps' || !this.open) return undefined;
    // The session was ready before the reload and still says so.
    return { ready: true, selected: this.selected };
  }
  async select(specimen: number, uri: string): Promise<void> {
    this.selects++;
    if (uri !== 'predicted.tps') throw new Error('no Landmark Editor is open');
    if (this.reloading) return; // posted to a page that is not listening yet: lost
    this.selected = specimen;
  }
}

describe('workbench: showing a results card’s specimen in the editor', () => {
  it('an editor already open, hidden and reloading, ends on the clicked specimen', async () => {
    const ed = new FakeEditor({ reloadMs: 250, showing: 0 });
    await focusSpecimen(ed, 'predicted.tps', 3, { resendMs: 100, pollMs: 10 });
    assert.strictEqual(ed.selected, 3);
    assert.ok(ed.selects >= 2, `sent again after the reload (${ed.selects} requests)`);
  });

  it('an editor that is not open yet ends on the clicked specimen once it is', async () => {
    const ed = new FakeEditor({ openMs: 150 });
    await focusSpecimen(ed, 'predicted.tps', 2, { resendMs: 100, pollMs: 10 });
    assert.strictEqual(ed.selected, 2);
  });

  it('an editor already showing another specimen moves at the first request; one that never opens is an error naming why', async () => {
    const ed = new FakeEditor({ showing: 5 });
    await focusSpecimen(ed, 'predicted.tps', 1, { resendMs: 100, pollMs: 10 });
    assert.strictEqual(ed.selected, 1);
    assert.strictEqual(ed.selects, 1);
    await assert.rejects(focusSpecimen(ed, 'manual.tps', 1, { timeoutMs: 150, pollMs: 10 }), /could not show specimen 2: the editor did not open/);
  });
});
