/**
 * Reads a TPS file, or a folder of TPS files (one specimen each, the beetle layout), into the
 * specimens the workbench needs, with each specimen's photo found by the shared dataset loader
 * (IMAGE= relative to the TPS file, case-insensitive, extension optional, Windows paths reduced).
 */
import { loadDataset } from '../../shared/dataset/load';
import { getField, getScale, type TpsDiagnostic } from '../../shared/tps/model';
import type { SpecimenLite } from './results-model';

export interface LoadedTps {
  specimens: SpecimenLite[];
  diagnostics: TpsDiagnostic[];
  /** TPS files read. */
  files: string[];
  landmarkCounts: number[];
}

export async function loadTps(p: string, options: { images?: string; resolveImages?: boolean } = {}): Promise<LoadedTps> {
  const ds = await loadDataset(p, { images: options.images, resolveImages: options.resolveImages });
  return {
    specimens: ds.entries.map((e) => ({
      index: e.index,
      name: e.name,
      image: getField(e.specimen, 'IMAGE'),
      id: getField(e.specimen, 'ID'),
      landmarks: e.specimen.landmarks,
      scale: getScale(e.specimen),
      file: e.tpsPath,
      imagePath: e.imagePath,
    })),
    diagnostics: ds.diagnostics,
    files: ds.tpsFiles,
    landmarkCounts: ds.landmarkCounts,
  };
}
