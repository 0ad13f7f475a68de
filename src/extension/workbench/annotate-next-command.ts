/**
 * "What to annotate next": for a folder of photos nobody has annotated yet, predicts them with a
 * model, ranks them by the model's own doubt (../../shared/review/annotate-next.ts) and writes the
 * N it is least sure of, with its predictions as a starting point, into a new TPS beside the
 * photos (never over a file), opened in the Landmark Editor. Annotating those first teaches the
 * next training the most; every moved landmark is marked checked, as in any predicted file.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { parseTps } from '../../shared/tps/parse';
import { setField } from '../../shared/tps/model';
import { writeTps } from '../../shared/tps/write';
import { annotationBatch } from '../../shared/review/annotate-next';
import { freeFileName } from '../../shared/dataset/save';
import { writeFileAtomic } from '../../shared/node/atomic-write';
import { fileStamp } from './format';
import { pickModel, predictCommand } from './predict-command';
import type { Workbench } from './workbench';

export interface AnnotateNextOptions {
  /** The folder of photos. */
  images: string;
  model: string;
  /** How many to pick (default 10). */
  count?: number;
  /** Open the new file in the Landmark Editor (default true). */
  open?: boolean;
}

export interface AnnotateNextResult {
  out: string;
  /** The picked photos' names, most doubtful first, and each one's largest doubt (px). */
  picked: { image: string; maxDoubtPx: number }[];
  predicted: number;
}

function isOptions(v: unknown): v is AnnotateNextOptions {
  return typeof v === 'object' && v !== null && typeof (v as { images?: unknown }).images === 'string' && typeof (v as { model?: unknown }).model === 'string';
}

export async function annotateNextCommand(wb: Workbench, arg?: unknown): Promise<AnnotateNextResult | undefined> {
  let o: AnnotateNextOptions | undefined = isOptions(arg) ? arg : undefined;
  if (!o) {
    const folder = arg instanceof vscode.Uri ? arg.fsPath : (await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, title: 'What to annotate next: a folder of photos' }))?.[0]?.fsPath;
    if (!folder) return undefined;
    const model = await pickModel(wb, folder, { title: 'What to annotate next: the model that ranks the photos', placeHolder: 'Its doubt on each photo decides which to annotate first' });
    if (!model) return undefined;
    const n = await vscode.window.showInputBox({
      title: 'What to annotate next: how many photos',
      prompt: 'The photos the model is least sure of, most doubtful first',
      value: '10',
      validateInput: (v) => (/^\d+$/.test(v.trim()) && Number(v) > 0 ? undefined : 'A whole number above 0'),
    });
    if (n === undefined) return undefined;
    o = { images: folder, model, count: Number(n) };
  }
  const folder = path.resolve(o.images);
  // The predictions of every photo stay with the model's files: the photo folder gets only the batch.
  const work = path.join(wb.modelsFolder(folder), 'annotate-next');
  fs.mkdirSync(work, { recursive: true });
  const all = path.join(work, `${path.basename(folder)}-${fileStamp(new Date())}-predicted.tps`);
  const predicted = await predictCommand(wb, { images: folder, model: o.model, out: all, open: false });
  if (!predicted || !fs.existsSync(all)) return undefined;

  const doc = parseTps(fs.readFileSync(all, 'utf8'), all);
  const out = freeFileName(folder, `annotate-next-${fileStamp(new Date())}`, '.tps');
  const { specimens, ranked } = annotationBatch(doc, o.count ?? 10);
  for (const s of specimens) {
    // IMAGE= was written relative to the predictions' folder: make it relative to the new file's.
    const image = s.fields.find((f) => f.key.toUpperCase() === 'IMAGE');
    if (image) image.value = path.relative(folder, path.resolve(work, image.value)).split(path.sep).join('/');
    setField(s, 'COMMENT', `${s.fields.find((f) => f.key.toUpperCase() === 'COMMENT')?.value ?? ''}`.replace(/^predicted by /, 'to annotate: predicted by '));
  }
  await writeFileAtomic(out, writeTps({ specimens, diagnostics: [], eol: '\n', finalNewline: true }));
  const picked = ranked.map((c, i) => ({ image: specimens[i].fields.find((f) => f.key.toUpperCase() === 'IMAGE')?.value ?? `specimen ${c.index + 1}`, maxDoubtPx: c.maxDoubtPx }));
  wb.host.log(`annotate next: ${picked.length} of ${doc.specimens.length} photos into ${out}: ${picked.map((p) => `${p.image} (${p.maxDoubtPx.toFixed(1)} px)`).join(', ')}`);
  if (o.open !== false) await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(out), 'landmarks.tpsEditor');
  void vscode.window.showInformationMessage(
    `The ${picked.length} of ${doc.specimens.length} photos the model is least sure of are in ${vscode.workspace.asRelativePath(out)}, most doubtful first, with its predictions as a start: correct every landmark, save, and train with them.`,
  );
  return { out, picked, predicted: doc.specimens.length };
}
