/**
 * "Export landmarks..." (a TPS file to MorphoJ, NTS, CSV, DeepLabCut, dlib XML or SLEAP) and
 * "Import landmarks..." (one of those to a new TPS file, opened in the Landmark Editor), through
 * the same pure formats as the CLI's `convert` (src/shared/interop). Photo heights, which the
 * pose formats' top-left y needs, come from the photos as the editor reads them. Nothing is ever
 * written over an existing file; problems go to the "Landmarks Editor" log and a notification.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { photoHeights } from '../../shared/dataset/images';
import { freeFileName } from '../../shared/dataset/save';
import { convertLandmarks, detectFormat, FORMAT_EXTENSION, type Format } from '../../shared/interop/formats';
import { ImageCache } from '../editor/images';
import { writeAtomic } from '../editor/document';

const LABELS: Record<Exclude<Format, 'tps'>, string> = {
  morphoj: 'MorphoJ text',
  nts: 'NTS (NTSYSpc, as tpsUtil writes it)',
  csv: 'CSV, one row per specimen',
  dlc: 'DeepLabCut CollectedData CSV',
  'dlib-xml': 'dlib / ml-morph XML',
  'sleap-csv': 'SLEAP analysis CSV',
};

export interface InteropResult {
  output: string;
  written: number;
  problems: string[];
}

export interface InteropApi {
  /** Exports `tps` to `format` at `out` (no dialogs); resolves with what was written. */
  exportTo(tps: vscode.Uri, format: Exclude<Format, 'tps'>, out: vscode.Uri): Promise<InteropResult>;
  /** Imports `file` to a new TPS beside it (no dialogs) and opens it in the Landmark Editor. */
  importFrom(file: vscode.Uri, format?: Format): Promise<InteropResult>;
}

async function readText(uri: vscode.Uri): Promise<string> {
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
}

export function registerInterop(context: vscode.ExtensionContext): InteropApi {
  const output = vscode.window.createOutputChannel('Landmarks Import/Export', { log: true });
  context.subscriptions.push(output);
  const log = (m: string) => output.warn(m);
  const images = new ImageCache(path.join(context.globalStorageUri.fsPath, 'image-cache'));

  /** Reads `file` as `from` and writes `to`, with the photo heights as the editor reads them. */
  async function convert(file: string, text: string, from: Format, to: Format): Promise<{ text: string; written: number; problems: string[] }> {
    const r = await convertLandmarks({ from, to, text, file }, (names) => photoHeights(names, file, undefined, async (p) => (await images.prepare(p)).height));
    const problems = [
      ...r.read.issues.map((i) => `${path.basename(i.file)}:${i.line}: ${i.field ? `${i.field}: ` : ''}${i.message}`),
      ...r.leftOut.map((l) => `specimen ${l.index + 1} (${l.name}) left out: ${l.reason}`),
    ];
    return { text: r.text, written: r.written, problems };
  }

  const api: InteropApi = {
    async exportTo(tps, format, out) {
      const r = await convert(tps.fsPath, await readText(tps), 'tps', format);
      if (r.written <= 0) throw new Error(`nothing to export from ${path.basename(tps.fsPath)}: ${r.problems[0] ?? 'no specimen'}`);
      try {
        await vscode.workspace.fs.stat(out);
        throw new Error(`${out.fsPath} already exists: not replacing it`);
      } catch (e) {
        if (e instanceof Error && /already exists/.test(e.message)) throw e;
      }
      await writeAtomic(out, new TextEncoder().encode(r.text));
      for (const p of r.problems) log(`export ${path.basename(tps.fsPath)}: ${p}`);
      return { output: out.fsPath, written: r.written, problems: r.problems };
    },
    async importFrom(file, format) {
      const text = await readText(file);
      const from = format ?? detectFormat(file.fsPath, text);
      if (!from) throw new Error(`cannot tell the format of ${path.basename(file.fsPath)}`);
      const r = await convert(file.fsPath, text, from, 'tps');
      for (const p of r.problems) log(`import ${path.basename(file.fsPath)}: ${p}`);
      if (r.written <= 0) throw new Error(`nothing could be imported from ${path.basename(file.fsPath)}: ${r.problems[0] ?? 'no specimen'}`);
      const out = freeFileName(path.dirname(file.fsPath), path.basename(file.fsPath, path.extname(file.fsPath)), '.tps');
      await writeAtomic(vscode.Uri.file(out), new TextEncoder().encode(r.text));
      await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(out), 'landmarks.tpsEditor');
      return { output: out, written: r.written, problems: r.problems };
    },
  };

  const report = (verb: string, r: InteropResult) => {
    const more = r.problems.length ? ` ${r.problems.length} problem(s): ${r.problems[0]}${r.problems.length > 1 ? ' (all in the Landmarks Import/Export log)' : ''}` : '';
    void vscode.window.showInformationMessage(`${verb} ${r.written} specimen(s) to ${vscode.workspace.asRelativePath(r.output)}.${more}`);
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('landmarks.exportLandmarks', async (arg?: unknown) => {
      const tps = arg instanceof vscode.Uri ? arg : (await vscode.window.showOpenDialog({ filters: { 'TPS landmarks': ['tps', 'TPS'] }, title: 'Export landmarks: the TPS file' }))?.[0];
      if (!tps) return undefined;
      const pick = await vscode.window.showQuickPick(
        (Object.keys(LABELS) as Exclude<Format, 'tps'>[]).map((f) => ({ label: LABELS[f], description: FORMAT_EXTENSION[f], format: f })),
        { title: `Export ${path.basename(tps.fsPath)} as`, placeHolder: 'The format (MorphoJ, NTS and CSV apply SCALE; the pose formats count y from the top)' },
      );
      if (!pick) return undefined;
      const base = path.basename(tps.fsPath, path.extname(tps.fsPath));
      const suggested = freeFileName(path.dirname(tps.fsPath), pick.format === 'dlc' ? `CollectedData_${base}` : `${base}-${pick.format}`, FORMAT_EXTENSION[pick.format]);
      const out = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(suggested), title: `Export ${path.basename(tps.fsPath)} as ${pick.label}` });
      if (!out) return undefined;
      const r = await api.exportTo(tps, pick.format, out);
      report('Exported', r);
      return r;
    }),
    vscode.commands.registerCommand('landmarks.importLandmarks', async (arg?: unknown) => {
      const file = arg instanceof vscode.Uri ? arg : (await vscode.window.showOpenDialog({ filters: { 'Landmark files': ['csv', 'xml', 'txt', 'nts'] }, title: 'Import landmarks: a DeepLabCut, SLEAP, dlib, MorphoJ, NTS or CSV file' }))?.[0];
      if (!file) return undefined;
      const r = await api.importFrom(file);
      report('Imported', r);
      return r;
    }),
  );
  return api;
}
