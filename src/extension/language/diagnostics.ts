/**
 * Diagnostics for .tps text documents: the parser's errors and warnings at their lines, and
 * "image not found" warnings on IMAGE= lines whose photo cannot be resolved.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { parseTps } from '../../shared/tps/parse';
import type { TpsDocument } from '../../shared/tps/model';
import { createListingCache, imageSearchDirs, resolveImagePath, unresolvedImageReason } from '../../shared/dataset/images';
import { LineMap } from './lines';

export const DIAGNOSTIC_SOURCE = 'tps';

export function isTpsDocument(doc: vscode.TextDocument): boolean {
  return doc.languageId === 'tps' || /\.tps$/i.test(doc.uri.path);
}

function lineRange(doc: vscode.TextDocument, line: number): vscode.Range {
  const l = doc.lineAt(line);
  const start = l.firstNonWhitespaceCharacterIndex;
  return new vscode.Range(line, start < l.text.length ? start : 0, line, l.text.length);
}

/** Parser diagnostics as VS Code diagnostics. */
export function parserDiagnostics(doc: vscode.TextDocument, tps: TpsDocument, map: LineMap): vscode.Diagnostic[] {
  return tps.diagnostics.map((d) => {
    const where = d.specimen !== undefined ? ` (specimen ${d.specimen + 1})` : '';
    const diag = new vscode.Diagnostic(
      lineRange(doc, map.line(d.line)),
      `${d.message}${where}`,
      d.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning,
    );
    diag.source = DIAGNOSTIC_SOURCE;
    return diag;
  });
}

/** Warnings on IMAGE= lines whose photo is not found beside the file. */
export async function imageDiagnostics(doc: vscode.TextDocument, tps: TpsDocument, map: LineMap): Promise<vscode.Diagnostic[]> {
  if (doc.uri.scheme !== 'file') return [];
  const file = doc.uri.fsPath;
  const cache = createListingCache();
  const out: vscode.Diagnostic[] = [];
  const looked = imageSearchDirs(file).map((d) => path.relative(path.dirname(file), d) || '.').join(', ');
  for (const [i, s] of tps.specimens.entries()) {
    for (const f of s.fields) {
      if (f.key.toUpperCase() !== 'IMAGE' || f.line <= 0) continue;
      if (f.value.trim() === '') continue;
      if (await resolveImagePath(file, f.value, undefined, cache)) continue;
      const reason = await unresolvedImageReason(file, f.value);
      const notImage = !reason.startsWith('image not found');
      const d = new vscode.Diagnostic(
        lineRange(doc, map.line(f.line)),
        notImage ? `${reason} (specimen ${i + 1})` : `Image not found: ${f.value.trim()} (specimen ${i + 1}; looked in ${looked})`,
        vscode.DiagnosticSeverity.Warning,
      );
      d.source = DIAGNOSTIC_SOURCE;
      d.code = notImage ? 'image-not-an-image' : 'image-not-found';
      out.push(d);
    }
  }
  return out;
}

export async function computeDiagnostics(doc: vscode.TextDocument): Promise<vscode.Diagnostic[]> {
  const tps = parseTps(doc.getText(), doc.uri.fsPath);
  const map = new LineMap(doc);
  return [...parserDiagnostics(doc, tps, map), ...(await imageDiagnostics(doc, tps, map))];
}
