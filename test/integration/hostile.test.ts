/**
 * Pathological files in a real VS Code: the extension host must never die from a file's content.
 * The hand-made hostile files of issue 17 (a count of 999999999, 1e309 and NaN, absurd curve
 * counts), 20,000 specimens and 2 MB of garbage each open in the Landmark Editor (not dirty, the
 * problem on its banner) and in the text view with their diagnostics. The times are printed.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { closeAllEditors, getApi, repoRoot, scratchDir, screenshot, screenshotsAvailable, waitFor } from './helpers';

function bigFile(specimens: number): string {
  let s = '';
  for (let i = 0; i < specimens; i++) {
    s += 'LM=12\n';
    for (let j = 0; j < 12; j++) s += `${(i * 7 + j * 13) % 600} ${(i * 3 + j * 29) % 480}\n`;
    s += `IMAGE=w${i}.jpg\nID=${i}\n`;
  }
  return s;
}

function garbage(bytes: number): string {
  let g = '';
  let r = 1;
  while (g.length < bytes) {
    r = (r * 1103515245 + 12345) % 2147483648;
    g += String.fromCharCode(32 + (r % 95));
    if (r % 61 === 0) g += '\n';
  }
  return g;
}

describe('hostile files', function () {
  this.timeout(240_000);
  afterEach(async () => closeAllEditors());

  const cases: { name: string; text: () => string; specimens: number; error: RegExp }[] = [
    { name: 'huge-count.tps', text: () => fs.readFileSync(path.join(repoRoot(), 'test/fuzz/crashes/issue17-huge-count.tps'), 'utf8'), specimens: 1, error: /LM=999999999/ },
    { name: 'non-finite.tps', text: () => fs.readFileSync(path.join(repoRoot(), 'test/fuzz/crashes/issue17-non-finite.tps'), 'utf8'), specimens: 1, error: /too large/ },
    { name: 'curve-counts.tps', text: () => fs.readFileSync(path.join(repoRoot(), 'test/fuzz/crashes/issue17-absurd-curve-counts.tps'), 'utf8'), specimens: 1, error: /952 abc/ },
    { name: 'garbage-2mb.tps', text: () => garbage(2_000_000), specimens: 0, error: /no specimen found/ },
    { name: 'specimens-20000.tps', text: () => bigFile(20_000), specimens: 20_000, error: /^$/ },
  ];

  for (const c of cases) {
    it(`${c.name}: opens in the Landmark Editor and the text view with its diagnostics, never dirty`, async function () {
      const dir = await scratchDir('hostile');
      const file = path.join(dir, c.name);
      fs.writeFileSync(file, c.text());
      const uri = vscode.Uri.file(file);
      const api = (await getApi()).editor;
      let t0 = Date.now();
      await vscode.commands.executeCommand('vscode.openWith', uri, api.viewType);
      await waitFor(`the Landmark Editor on ${c.name}`, () => api.state(uri)?.ready, { timeoutMs: 120_000 });
      const report = await api.waitForRender(uri, () => true, 120_000);
      const editorMs = Date.now() - t0;
      const st = api.state(uri)!;
      assert.strictEqual(st.specimens, c.specimens);
      assert.strictEqual(st.dirty, false, 'opening made the document dirty');
      if (c.specimens > 0) assert.strictEqual(report.specimen, 0);
      else assert.match(report.problem ?? '', c.error, 'an empty file says why nothing is drawn');
      if (c.name === 'huge-count.tps' && screenshotsAvailable()) await screenshot('editor-hostile-huge-count');
      t0 = Date.now();
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc);
      const diags = await waitFor(`diagnostics of ${c.name}`, () => {
        const d = vscode.languages.getDiagnostics(uri);
        return d.length > 0 ? d : undefined;
      }, { timeoutMs: 120_000 });
      const textMs = Date.now() - t0;
      if (c.error.source !== '^$') assert.ok(diags.some((d) => d.severity === vscode.DiagnosticSeverity.Error && c.error.test(d.message)), diags.slice(0, 5).map((d) => d.message).join(' | '));
      console.log(`    ${c.name}: Landmark Editor ${editorMs} ms, text view diagnostics ${textMs} ms (${diags.length} diagnostics)`);
    });
  }
});
