/** Opening files in the Landmark Editor and waiting for what it drew. */
import * as path from 'path';
import * as vscode from 'vscode';
import type { RenderReport } from '../../../src/shared/protocol/editor-test';
import type { getApi } from './extension';
import { waitFor } from './wait';

export type EditorApi = Awaited<ReturnType<typeof getApi>>['editor'];

/** Opens `file` with VS Code's default editor for .tps (ours) and waits for a render matching `predicate`. */
export async function openInEditor(api: EditorApi, file: string, predicate: (r: RenderReport) => boolean): Promise<{ uri: vscode.Uri; report: RenderReport }> {
  const uri = vscode.Uri.file(file);
  await vscode.commands.executeCommand('vscode.open', uri);
  await waitFor(`the Landmark Editor for ${path.basename(file)} to be ready`, () => api.state(uri)?.ready, { timeoutMs: 60_000 });
  const report = await api.waitForRender(uri, predicate, 60_000);
  return { uri, report };
}
