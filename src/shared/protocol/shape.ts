/**
 * The protocol between the extension and the shape view (Procrustes consensus, aligned cloud,
 * PC1/PC2 scatter, specimens by Procrustes distance). Pure types.
 */
import type { GpaSpecimen, Point2 } from '../morphometrics/procrustes';

/** A specimen as GPA gives it (index = its place in the TPS file), with its PC1 and PC2 scores. */
export type ShapeViewSpecimen = Omit<GpaSpecimen, 'scores'> & { pc: [number, number] };

export interface ShapeViewModel {
  title: string;
  /** The TPS file, for the caption. */
  fileName: string;
  landmarkCount: number;
  landmarkNames?: string[];
  consensus: Point2[];
  /** Sorted by Procrustes distance, largest first. */
  specimens: ShapeViewSpecimen[];
  leftOut: { index: number; name: string; reason: string }[];
  /** Share of the shape variance of PC1, PC2, ... */
  proportion: number[];
  /** Procrustes distance above which a specimen is an outlier (Q3 + 1.5 IQR); null with < 4 specimens. */
  outlierThreshold: number | null;
}

export type ShapeToView = { type: 'show'; model: ShapeViewModel };

export interface ShapeRendered {
  specimens: number;
  outliers: number[];
  /** Dots drawn in the PC scatter and in the aligned cloud. */
  scatterDots: number;
  cloudDots: number;
}

export type ShapeFromView =
  | { type: 'ready' }
  | { type: 'openSpecimen'; index: number }
  | { type: 'rendered'; report: ShapeRendered };
