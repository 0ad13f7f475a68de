/**
 * TPS language features: diagnostics from the parser (and missing images), and an outline with
 * one symbol per specimen. Highlighting comes from media/tps.tmLanguage.json (package.json).
 */
import * as vscode from 'vscode';
import { computeDiagnostics, isTpsDocument } from './diagnostics';
import { TpsSymbolProvider } from './symbols';

const DEBOUNCE_MS = 300;

export interface TpsLanguageApi {
  /** Recomputes a document's diagnostics now and resolves when they are published. */
  refresh(doc: vscode.TextDocument): Promise<readonly vscode.Diagnostic[]>;
}

export function registerTpsLanguage(context: vscode.ExtensionContext): TpsLanguageApi {
  const collection = vscode.languages.createDiagnosticCollection('tps');
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  const versions = new Map<string, number>();

  const refresh = async (doc: vscode.TextDocument): Promise<readonly vscode.Diagnostic[]> => {
    const key = doc.uri.toString();
    const version = doc.version;
    versions.set(key, version);
    let diags: vscode.Diagnostic[];
    try {
      diags = await computeDiagnostics(doc);
    } catch (e) {
      const d = new vscode.Diagnostic(new vscode.Range(0, 0, 0, 0), `TPS check failed: ${e instanceof Error ? e.message : String(e)}`, vscode.DiagnosticSeverity.Error);
      diags = [d];
    }
    if (versions.get(key) === version && !doc.isClosed) collection.set(doc.uri, diags);
    return diags;
  };

  const schedule = (doc: vscode.TextDocument) => {
    if (!isTpsDocument(doc)) return;
    const key = doc.uri.toString();
    clearTimeout(timers.get(key));
    timers.set(key, setTimeout(() => (timers.delete(key), void refresh(doc)), DEBOUNCE_MS));
  };

  context.subscriptions.push(
    collection,
    vscode.languages.registerDocumentSymbolProvider({ language: 'tps' }, new TpsSymbolProvider(), { label: 'Specimens' }),
    vscode.workspace.onDidOpenTextDocument((d) => isTpsDocument(d) && void refresh(d)),
    vscode.workspace.onDidChangeTextDocument((e) => schedule(e.document)),
    vscode.workspace.onDidSaveTextDocument((d) => schedule(d)),
    vscode.workspace.onDidCloseTextDocument((d) => {
      clearTimeout(timers.get(d.uri.toString()));
      collection.delete(d.uri);
    }),
    { dispose: () => timers.forEach((t) => clearTimeout(t)) },
  );
  for (const d of vscode.workspace.textDocuments) if (isTpsDocument(d)) void refresh(d);
  return { refresh };
}
