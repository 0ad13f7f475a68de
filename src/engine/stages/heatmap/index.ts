/**
 * Deep heatmap stage: every landmark from the whole photo, downsampled to a small input frame,
 * by a small U-Net trained with geometric and photometric augmentation. Meant to rule out gross
 * errors (a landmark taken for its neighbour) and give later refinement stages a good start.
 */
export { DEFAULT_HEATMAP, type HeatmapAugment, type HeatmapConfig } from './config';
export { heatmapInput, normalise, toInput, toOriginal, type HeatmapInput } from './input';
export { buildHeatmapNet, HEATMAP_STRIDE } from './net';
export { decodePeak, cellToInput, inputToCell, type Peak } from './decode';
export type { HeatmapModel } from './model';
export { heatmapErrorPx, makeHeatmapBatch, trainHeatmap, type HeatmapBatch, type HeatmapHooks, type HeatmapItem } from './train';
export { applyHeatmap, applyHeatmapMany, type HeatmapPrediction } from './apply';
export { deserialiseHeatmap, disposeHeatmap, loadHeatmap, saveHeatmap, serialiseHeatmap, type HeatmapJson } from './file';
