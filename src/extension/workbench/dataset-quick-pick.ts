/**
 * The quick pick of the workspace's TPS files (Train, Cross-validation, Evaluate), with the
 * entries of dataset-picker.ts: sections, relative folders, counts, a stable order; and a last
 * item to browse for a file or folder elsewhere.
 */
import * as vscode from 'vscode';
import { datasetPickEntries, summariseTpsFiles, type DatasetSection } from './dataset-picker';
import type { Workbench } from './workbench';

/** Enough for the beetle folders (1,774 files in the sample data), bounded for huge workspaces. */
const MAX_FILES = 5000;

export interface DatasetQuickPickOptions {
  title: string;
  placeHolder?: string;
  order?: readonly DatasetSection[];
  /** A path not to offer (the other side of an evaluation). */
  exclude?: string;
  /** Models folders of the workspace (their TPS files are validation outputs). */
  modelsFolders?: readonly string[];
  /** The browse dialog's title. */
  browseTitle?: string;
}

/** The models folder of each workspace folder: what was written there is not a manual dataset. */
export function modelsFolders(wb: Workbench): string[] {
  return [...new Set((vscode.workspace.workspaceFolders ?? []).map((f) => wb.modelsFolder(f.uri.fsPath)))];
}

export async function pickTpsDataset(o: DatasetQuickPickOptions): Promise<string | undefined> {
  type Item = vscode.QuickPickItem & { fsPath?: string; browse?: boolean };
  const items = (async (): Promise<Item[]> => {
    const uris = await vscode.workspace.findFiles('**/*.{tps,TPS,Tps}', '**/{node_modules,.git}/**', MAX_FILES);
    const summaries = await summariseTpsFiles(uris.filter((u) => u.scheme === 'file').map((u) => u.fsPath));
    const roots = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => ({ name: f.name, path: f.uri.fsPath }));
    const entries = datasetPickEntries(summaries, { roots, modelsFolders: o.modelsFolders, order: o.order, exclude: o.exclude });
    const list: Item[] = entries.map((e) =>
      e.kind === 'separator'
        ? { label: e.label, kind: vscode.QuickPickItemKind.Separator }
        : { label: e.isFolder ? `$(folder) ${e.label}` : e.label, description: e.description, detail: e.detail, fsPath: e.fsPath },
    );
    list.push({ label: '', kind: vscode.QuickPickItemKind.Separator });
    list.push({ label: '$(folder-opened) Browse for a TPS file or a folder of TPS files...', browse: true });
    return list;
  })();
  const pick = await vscode.window.showQuickPick(items, { title: o.title, placeHolder: o.placeHolder, matchOnDescription: true, matchOnDetail: true });
  if (!pick) return undefined;
  if (!pick.browse) return pick.fsPath;
  const uris = await vscode.window.showOpenDialog({
    canSelectFiles: true,
    canSelectFolders: true,
    canSelectMany: false,
    filters: { 'TPS landmarks': ['tps', 'TPS'] },
    title: o.browseTitle ?? o.title,
  });
  return uris?.[0]?.fsPath;
}
