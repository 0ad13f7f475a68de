import type * as tfjs from '../../backend/tf';
import type { HeatmapConfig } from './config';

/** A trained heatmap stage: its settings and the net (dispose with disposeHeatmap). */
export interface HeatmapModel {
  config: HeatmapConfig;
  landmarkCount: number;
  net: tfjs.LayersModel;
}
