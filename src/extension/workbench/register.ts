import type * as vscode from 'vscode';

/** Train / predict / evaluate commands and views. Placeholder until the workbench module lands. */
export function registerWorkbench(_context: vscode.ExtensionContext): Record<string, never> {
  return {};
}
