/**
 * Trained models in the workspace's models folder: each a folder with metadata.json (written by
 * the engine). Reads only the few fields the pickers show; no engine import. Node fs only.
 */
import * as fs from 'fs';
import * as path from 'path';

export interface ModelInfo {
  dir: string;
  name: string;
  preset?: string;
  landmarkCount?: number;
  inputSize?: [number, number];
  data?: string;
  createdAt?: string;
  meanPx?: number;
  cancelled?: boolean;
  /** Modification time of metadata.json, ms. */
  mtime: number;
}

export function readModelInfo(dir: string): ModelInfo | undefined {
  const file = path.join(dir, 'metadata.json');
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    return undefined;
  }
  const info: ModelInfo = { dir, name: path.basename(dir), mtime: st.mtimeMs };
  try {
    const m = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    if (typeof m.preset === 'string') info.preset = m.preset;
    if (typeof m.landmarkCount === 'number') info.landmarkCount = m.landmarkCount;
    if (Array.isArray(m.inputSize) && m.inputSize.length === 2) info.inputSize = [Number(m.inputSize[0]), Number(m.inputSize[1])];
    if (typeof m.createdAt === 'string') info.createdAt = m.createdAt;
    const t = m.training as Record<string, unknown> | undefined;
    if (t && typeof t.data === 'string') info.data = t.data;
    if (t && typeof t.cancelled === 'boolean') info.cancelled = t.cancelled;
    const metrics = m.metrics as Record<string, unknown> | undefined;
    if (metrics && typeof metrics.meanPx === 'number') info.meanPx = metrics.meanPx;
  } catch {
    // A corrupt metadata.json: listed, the engine explains the problem when it is used.
  }
  return info;
}

/** Models directly inside `folder` (and `folder` itself if it is one), newest first. */
export function listModels(folder: string): ModelInfo[] {
  const out: ModelInfo[] = [];
  const self = readModelInfo(folder);
  if (self) out.push(self);
  let entries: fs.Dirent[] = [];
  try {
    entries = fs.readdirSync(folder, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const info = readModelInfo(path.join(folder, e.name));
    if (info) out.push(info);
  }
  return out.sort((a, b) => b.mtime - a.mtime);
}

/** "default · 12 landmarks · 128x96 · val 3.1 px" */
export function describeModel(m: ModelInfo): string {
  const parts: string[] = [];
  if (m.preset) parts.push(m.preset);
  if (m.landmarkCount) parts.push(`${m.landmarkCount} landmarks`);
  if (m.inputSize) parts.push(`${m.inputSize[0]}x${m.inputSize[1]}`);
  if (m.meanPx !== undefined) parts.push(`val ${m.meanPx.toFixed(1)} px`);
  if (m.cancelled) parts.push('cancelled run');
  return parts.join(' · ');
}
