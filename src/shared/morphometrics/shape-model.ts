/** What the shape view shows of a TPS document: its GPA, sorted for reading. Pure. */
import type { TpsDocument } from '../tps/model';
import type { ShapeViewModel } from '../protocol/shape';
import { specimenName } from '../editing/views';
import { landmarkNamesOf } from '../interop/table';
import { generalizedProcrustes } from './procrustes';

export function shapeViewModel(doc: TpsDocument, fileName: string): ShapeViewModel {
  const gpa = generalizedProcrustes(doc.specimens.map((s, i) => ({ name: specimenName(s, i), landmarks: s.landmarks })));
  const names = landmarkNamesOf(doc);
  return {
    title: `Shape: ${fileName}`,
    fileName,
    landmarkCount: gpa.landmarkCount,
    ...(names ? { landmarkNames: names } : {}),
    consensus: gpa.consensus,
    specimens: gpa.specimens
      .map((s) => ({
        index: s.index,
        name: s.name,
        centroidSize: s.centroidSize,
        procrustesDistance: s.procrustesDistance,
        outlier: s.outlier,
        aligned: s.aligned,
        pc: [s.scores[0] ?? 0, s.scores[1] ?? 0] as [number, number],
      }))
      .sort((a, b) => b.procrustesDistance - a.procrustesDistance),
    leftOut: gpa.leftOut,
    proportion: gpa.pca.proportion,
    outlierThreshold: Number.isFinite(gpa.outlierThreshold) ? gpa.outlierThreshold : null,
  };
}
