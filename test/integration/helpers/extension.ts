/** The extension under test, as VS Code sees it. */
import * as vscode from 'vscode';
import type { LandmarksApi } from '../../../src/extension/extension';

/** publisher.name from package.json. */
export const EXTENSION_ID = 'landmarks-dev.landmarks-vscode';

export function getExtension(): vscode.Extension<LandmarksApi> {
  const ext = vscode.extensions.getExtension<LandmarksApi>(EXTENSION_ID);
  if (!ext) {
    const known = vscode.extensions.all.map((e) => e.id).filter((id) => !id.startsWith('vscode.'));
    throw new Error(`extension ${EXTENSION_ID} is not loaded (non-builtin extensions: ${known.join(', ') || 'none'})`);
  }
  return ext;
}

/** Activates the extension if needed and returns what activate() returned (LandmarksApi). */
export async function getApi(): Promise<LandmarksApi> {
  const ext = getExtension();
  const api = ext.isActive ? ext.exports : await ext.activate();
  // activate() returns its API in ExtensionMode.Test only (a run with extensionTestsPath).
  if (!api) throw new Error(`extension ${EXTENSION_ID} activated but exported no API: is the suite running in ExtensionMode.Test (extensionDevelopmentPath + extensionTestsPath)?`);
  return api;
}

/** Command ids the manifest contributes. */
export function contributedCommands(): string[] {
  const pkg = getExtension().packageJSON as { contributes?: { commands?: { command: string }[] } };
  return (pkg.contributes?.commands ?? []).map((c) => c.command);
}
