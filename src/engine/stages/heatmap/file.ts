/** The heatmap stage's saved form: JSON (settings, weight shapes) plus one Float32 weight blob. */
import { promises as fs } from 'fs';
import * as path from 'path';
import type { HeatmapConfig } from './config';
import type { HeatmapModel } from './model';
import { buildHeatmapNet } from './net';
import { flattenWeights, loadWeights } from '../../model-io/flat-weights';

export const HEATMAP_FORMAT = 'landmarks-heatmap';
export const HEATMAP_VERSION = 1;

export interface HeatmapJson {
  format: typeof HEATMAP_FORMAT;
  version: number;
  config: HeatmapConfig;
  landmarkCount: number;
  shapes: number[][];
}

export async function serialiseHeatmap(model: HeatmapModel): Promise<{ json: HeatmapJson; weights: Float32Array }> {
  const { shapes, weights } = await flattenWeights(model.net);
  return { json: { format: HEATMAP_FORMAT, version: HEATMAP_VERSION, config: model.config, landmarkCount: model.landmarkCount, shapes }, weights };
}

export function deserialiseHeatmap(json: HeatmapJson, weights: Float32Array): HeatmapModel {
  if (json.format !== HEATMAP_FORMAT || json.version !== HEATMAP_VERSION) throw new Error(`heatmap: not a saved heatmap stage (format ${String(json.format)} v${json.version})`);
  const cfg = json.config;
  const net = buildHeatmapNet({ inputWidth: cfg.inputWidth, inputHeight: cfg.inputHeight, channels: cfg.channels, landmarkCount: json.landmarkCount }, cfg.seed);
  try {
    loadWeights(net, json.shapes, weights, 'heatmap');
  } catch (e) {
    net.dispose();
    throw e;
  }
  return { config: cfg, landmarkCount: json.landmarkCount, net };
}

export function disposeHeatmap(model: HeatmapModel): void {
  model.net.dispose();
}

export async function saveHeatmap(dir: string, model: HeatmapModel): Promise<void> {
  const { json, weights } = await serialiseHeatmap(model);
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, 'heatmap.json'), JSON.stringify(json));
  await fs.writeFile(path.join(dir, 'heatmap.bin'), Buffer.from(weights.buffer, weights.byteOffset, weights.byteLength));
}

export async function loadHeatmap(dir: string): Promise<HeatmapModel> {
  const json = JSON.parse(await fs.readFile(path.join(dir, 'heatmap.json'), 'utf8')) as HeatmapJson;
  const buf = await fs.readFile(path.join(dir, 'heatmap.bin'));
  // copy: the Buffer may not be 4-byte aligned
  const weights = new Float32Array(new Uint8Array(buf).buffer.slice(0, buf.byteLength));
  return deserialiseHeatmap(json, weights);
}
