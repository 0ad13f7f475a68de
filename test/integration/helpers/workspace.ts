/**
 * Files for tests. Read-only tests open real files in place (test/helpers/data.ts `dataPath`);
 * tests that write copy a few real files into a scratch folder inside the workspace first, so
 * ../shared/data is never modified.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { dataPath } from '../../helpers/data';

/** The first workspace folder (the driver opens a temporary one). */
export function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('no workspace folder is open (the driver opens one; under test-electron pass a folder in launchArgs)');
  return folder.uri.fsPath;
}

/** A new empty folder inside the workspace: <workspace>/scratch/<label>-<random>. */
export async function scratchDir(label: string): Promise<string> {
  const base = path.join(workspaceRoot(), 'scratch');
  await fs.promises.mkdir(base, { recursive: true });
  return fs.promises.mkdtemp(path.join(base, `${label.replace(/[^A-Za-z0-9_-]+/g, '-')}-`));
}

/**
 * Copies real data files (paths relative to ../shared/data, e.g. 'beetles/pronotum/landmarks.tps')
 * into `destDir`, keeping their relative layout so IMAGE= references still resolve.
 * Returns the absolute paths of the copies, in the order given.
 */
export async function copyData(destDir: string, relativePaths: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const rel of relativePaths) {
    const src = dataPath(rel);
    if (!fs.existsSync(src)) throw new Error(`copyData: ${src} does not exist`);
    const dest = path.join(destDir, rel);
    await fs.promises.mkdir(path.dirname(dest), { recursive: true });
    await fs.promises.cp(src, dest, { recursive: true });
    out.push(dest);
  }
  return out;
}

/**
 * Closes every editor (between tests). Dirty editors are reverted first, so no "save changes?"
 * dialog can block the run: what a test did not save is discarded.
 */
export async function closeAllEditors(): Promise<void> {
  const count = () => vscode.window.tabGroups.all.reduce((n, g) => n + g.tabs.length, 0);
  for (let i = 0; i < 100 && count() > 0; i++) {
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs);
    const clean = tabs.filter((t) => !t.isDirty);
    if (clean.length > 0) {
      await vscode.window.tabGroups.close(clean, true);
      continue;
    }
    // Only dirty tabs are left: revert and close the active one, or move to the next group.
    const before = count();
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    if (count() === before) await vscode.commands.executeCommand('workbench.action.focusNextGroup');
  }
  if (count() > 0) throw new Error(`closeAllEditors: ${count()} editor(s) still open after 100 attempts`);
}
