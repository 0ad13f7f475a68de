import * as vscode from 'vscode';
import { registerTpsLanguage } from './language/register';
import { registerTpsEditor } from './editor/register';
import { registerWorkbench } from './workbench/register';

/** What activate() returns: used by the integration tests to look inside. */
export interface LandmarksApi {
  editor: ReturnType<typeof registerTpsEditor>;
  workbench: ReturnType<typeof registerWorkbench>;
}

export function activate(context: vscode.ExtensionContext): LandmarksApi {
  registerTpsLanguage(context);
  return {
    editor: registerTpsEditor(context),
    workbench: registerWorkbench(context),
  };
}

export function deactivate(): void {
  // Disposables registered on the context are released by VS Code.
}
