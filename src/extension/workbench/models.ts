/**
 * Trained models in the workspace's models folder: each a folder with metadata.json (written by
 * the engine). Read with the engine's own parser (src/shared/model-metadata.ts), keeping the
 * fields the pickers show; no engine import. Node fs only.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseModelMetadata, type ModelMetadataSummary } from '../../shared/model-metadata';

export interface ModelInfo extends ModelMetadataSummary {
  dir: string;
  name: string;
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
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    // Unreadable now (removed meanwhile, no permission): listed bare, like a corrupt one.
  }
  // A corrupt or partly readable metadata.json: listed with what it says; the engine explains
  // the problem when the model is used.
  return { ...parseModelMetadata(text).summary, dir, name: path.basename(dir), mtime: st.mtimeMs };
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
