import * as vscode from 'vscode';
import { registerTpsLanguage } from './language/register';
import { registerTpsEditor } from './editor/register';
import { registerWorkbench } from './workbench/register';
import { registerShapeView } from './shape/shape-view';
import { registerInterop } from './interop/commands';

/**
 * What activate() returns to the integration tests, to look inside and to drive the views.
 * Only in ExtensionMode.Test (a run with extensionTestsPath): other extensions get nothing, so
 * no test hook is part of what users run.
 */
export interface LandmarksApi {
  editor: ReturnType<typeof registerTpsEditor>;
  workbench: ReturnType<typeof registerWorkbench>;
  shape: ReturnType<typeof registerShapeView>;
  interop: ReturnType<typeof registerInterop>;
}

export function activate(context: vscode.ExtensionContext): LandmarksApi | undefined {
  registerTpsLanguage(context);
  const editor = registerTpsEditor(context);
  const api: LandmarksApi = {
    editor,
    workbench: registerWorkbench(context),
    // The Landmark Editor's unsaved edits count in a shape analysis of its file.
    shape: registerShapeView(context, (uri) => editor.state(uri)?.text),
    interop: registerInterop(context),
  };
  return context.extensionMode === vscode.ExtensionMode.Test ? api : undefined;
}

export function deactivate(): void {
  // Disposables registered on the context are released by VS Code.
}
