/** The TPS language in a real VS Code: outline of specimens, diagnostics from the parser and missing images. */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { requireData } from '../helpers/data';
import { closeAllEditors, copyData, getApi, scratchDir, waitFor } from './helpers';

async function openText(file: string): Promise<vscode.TextDocument> {
  const uri = vscode.Uri.file(file);
  await vscode.commands.executeCommand('vscode.openWith', uri, 'default');
  return waitFor(`a text editor on ${path.basename(file)}`, () => {
    const d = vscode.window.activeTextEditor?.document;
    return d && d.uri.fsPath === uri.fsPath ? d : undefined;
  });
}

describe('language', function () {
  this.timeout(60_000);
  afterEach(async () => closeAllEditors());

  it('outlines a real TPS file: one symbol per specimen with its image name and landmark count', async function () {
    requireData(this, 'beetles', 'pronotum', 'landmarks.tps');
    await getApi();
    const dir = await scratchDir('lang-outline');
    const [tps] = await copyData(dir, ['beetles/pronotum/landmarks.tps', 'beetles/pronotum/images']);
    const doc = await openText(tps);
    const symbols = await waitFor('document symbols', async () => {
      const s = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', doc.uri);
      return s && s.length > 0 ? s : undefined;
    });
    assert.deepStrictEqual(symbols.map((s) => s.name), ['1. Prono_001.JPG', '2. Prono_003.JPG', '3. Prono_007.JPG', '4. Prono_009.JPG']);
    assert.ok(symbols.every((s) => s.detail === '8 landmarks'), symbols.map((s) => s.detail).join(', '));
    assert.strictEqual(symbols[1].selectionRange.start.line, 12, 'specimen 2 starts at its LM= line (line 13)');
    // All images exist: no diagnostics at all.
    await new Promise((r) => setTimeout(r, 800));
    assert.deepStrictEqual(vscode.languages.getDiagnostics(doc.uri).map((d) => d.message), []);
  });

  it('reports parser errors at their lines and a missing image as a warning on the IMAGE= line', async function () {
    requireData(this, 'drosophila-wings', 'landmarks.tps');
    await getApi();
    const dir = await scratchDir('lang-diag');
    const [tps] = await copyData(dir, ['drosophila-wings/landmarks.tps', 'drosophila-wings/images/63001.jpg']);
    // Specimen 2 loses a landmark row (LM=12, 11 rows) and points at a photo that is not there.
    const lines = fs.readFileSync(tps, 'utf8').split('\n');
    const lm2 = lines.findIndex((l, i) => i > 0 && l.startsWith('LM='));
    lines.splice(lm2 + 1, 1);
    fs.writeFileSync(tps, lines.join('\n'));
    const imageLine = lines.findIndex((l, i) => i > lm2 && l.startsWith('IMAGE='));
    const doc = await openText(tps);
    const diags = await waitFor('diagnostics', () => {
      const d = vscode.languages.getDiagnostics(doc.uri);
      return d.length >= 2 ? d : undefined;
    });
    const errors = diags.filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
    assert.ok(errors.some((d) => /specimen 2/.test(d.message)), diags.map((d) => `${d.range.start.line}: ${d.message}`).join('\n'));
    const warnings = diags.filter((d) => d.severity === vscode.DiagnosticSeverity.Warning && /Image not found/.test(d.message));
    assert.ok(warnings.length >= 1, 'no image-not-found warning');
    const w = warnings.find((d) => /63002\.jpg/.test(d.message));
    assert.ok(w, `no warning names 63002.jpg: ${warnings.map((d) => d.message).join(' | ')}`);
    assert.strictEqual(w.range.start.line, imageLine);
    assert.ok(!warnings.some((d) => /63001\.jpg/.test(d.message)), 'the copied 63001.jpg is reported missing');

    // Fixing the text clears the error (debounced refresh on change).
    const editor = vscode.window.activeTextEditor!;
    await editor.edit((e) => e.insert(new vscode.Position(lm2 + 1, 0), '100. 179.\n'));
    await waitFor('the error to go', () => !vscode.languages.getDiagnostics(doc.uri).some((d) => d.severity === vscode.DiagnosticSeverity.Error));
  });
});
