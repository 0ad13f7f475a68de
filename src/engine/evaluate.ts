/**
 * `evaluate`: manual landmarks against predicted ones, each a TPS file or a folder of TPS files.
 * Specimens are paired by name (IMAGE=, else ID=, else the file name of a one-specimen TPS
 * file; folder, extension, case and leading zeros ignored, see src/shared/names.ts); the rest is
 * listed as unmatched. Errors are in the pixels of the TPS coordinates (both sides must use the
 * same photo pixels), and in SCALE units where the manual (else the predicted) specimen has SCALE.
 */
import { promises as fsp } from 'fs';
import * as path from 'path';
import type { EvaluateOptions } from '../shared/protocol/engine';
import { listTpsFiles, loadTpsFile } from '../shared/dataset/load';
import { type TpsSpecimen, getField, getScale } from '../shared/tps/model';
import { type Named, matchSpecimens } from '../shared/metrics/match';
import { type Evaluation, buildEvaluation } from '../shared/metrics/evaluation';
import type { SpecimenPair } from '../shared/metrics/errors';
import { baseName } from '../shared/names';

export interface LoadedSpecimen {
  specimen: TpsSpecimen;
  file: string;
  /** 0-based index within its file. */
  index: number;
  image?: string;
}

/** Every specimen of a TPS file or of the TPS files in a folder, named for matching. */
export async function loadSpecimens(
  p: string,
  role: 'manual' | 'predicted',
  warnings: string[],
): Promise<Named<LoadedSpecimen>[]> {
  const abs = path.resolve(p);
  let stat;
  try {
    stat = await fsp.stat(abs);
  } catch {
    throw new Error(`${role}: no such file or folder: ${abs}`);
  }
  const files = stat.isDirectory() ? await listTpsFiles(abs) : [abs];
  if (files.length === 0) throw new Error(`${role}: no .tps file in ${abs}`);
  const out: Named<LoadedSpecimen>[] = [];
  for (const file of files) {
    let doc;
    try {
      doc = await loadTpsFile(file);
    } catch (e) {
      throw new Error(`${role}: cannot read ${file}: ${(e as Error).message}`);
    }
    for (const d of doc.diagnostics) {
      if (d.severity === 'error') warnings.push(`${role}: ${file}:${d.line}: ${d.message}`);
    }
    const single = doc.specimens.length === 1;
    doc.specimens.forEach((specimen, index) => {
      const image = getField(specimen, 'IMAGE');
      const id = getField(specimen, 'ID');
      const fileName = path.basename(file);
      const names = [image ?? '', id ?? '', single ? fileName : ''];
      // A specimen named only by its position in a multi-specimen file cannot be matched.
      const label = image ? baseName(image) : id ? `ID=${id} (${fileName})` : single ? fileName : `${fileName} specimen ${index + 1}`;
      out.push({ names, label, value: { specimen, file, index, ...(image ? { image } : {}) } });
    });
  }
  return out;
}

/** Compares manual and predicted landmarks; see the module comment. */
export async function evaluateFiles(options: EvaluateOptions): Promise<Evaluation> {
  const warnings: string[] = [];
  const manual = await loadSpecimens(options.manual, 'manual', warnings);
  const predicted = await loadSpecimens(options.predicted, 'predicted', warnings);
  const match = matchSpecimens(manual, predicted);
  warnings.push(...match.warnings);
  const pairs: SpecimenPair[] = match.pairs.map(({ manual: m, predicted: p }) => {
    const scale = getScale(m.value.specimen) ?? getScale(p.value.specimen);
    const pair: SpecimenPair = {
      name: m.label,
      manual: m.value.specimen.landmarks,
      predicted: p.value.specimen.landmarks,
    };
    if (m.value.image) pair.manualImage = m.value.image;
    if (p.value.image) pair.predictedImage = p.value.image;
    if (scale !== undefined) pair.scale = scale;
    return pair;
  });
  return buildEvaluation({
    pairs,
    manualPath: path.resolve(options.manual),
    predictedPath: path.resolve(options.predicted),
    unmatchedManual: match.unmatchedManual.map((s) => s.label),
    unmatchedPredicted: match.unmatchedPredicted.map((s) => s.label),
    warnings,
  });
}
