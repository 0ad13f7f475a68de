/** The outline of a .tps file: one symbol per specimen (name from IMAGE=/ID=, landmark count). */
import * as vscode from 'vscode';
import { parseTps } from '../../shared/tps/parse';
import { specimenName } from '../../shared/editing/views';
import { LineMap } from './lines';

export class TpsSymbolProvider implements vscode.DocumentSymbolProvider {
  provideDocumentSymbols(doc: vscode.TextDocument): vscode.DocumentSymbol[] {
    const tps = parseTps(doc.getText(), doc.uri.fsPath);
    const map = new LineMap(doc);
    const starts = tps.specimens.map((s) => map.line(s.line));
    return tps.specimens.map((s, i) => {
      const first = starts[i];
      const last = i + 1 < starts.length ? Math.max(first, starts[i + 1] - 1) : doc.lineCount - 1;
      const range = new vscode.Range(first, 0, last, doc.lineAt(last).text.length);
      const select = new vscode.Range(first, 0, first, doc.lineAt(first).text.length);
      const missing = s.landmarks.filter((p) => p === null).length;
      const detail = `${s.landmarks.length} landmark${s.landmarks.length === 1 ? '' : 's'}${missing ? `, ${missing} missing` : ''}`;
      return new vscode.DocumentSymbol(`${i + 1}. ${specimenName(s, i)}`, detail, vscode.SymbolKind.Object, range, select);
    });
  }
}
