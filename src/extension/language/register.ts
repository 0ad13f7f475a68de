import type * as vscode from 'vscode';

/** TPS language features (outline, diagnostics). Placeholder until the language module lands. */
export function registerTpsLanguage(_context: vscode.ExtensionContext): void {}
