import type * as vscode from 'vscode';

/** The visual TPS custom editor. Placeholder until the editor module lands. */
export function registerTpsEditor(_context: vscode.ExtensionContext): Record<string, never> {
  return {};
}
