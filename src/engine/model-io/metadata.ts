/** metadata.json beside the model files: written atomically, read with clear errors. */
import * as fs from 'fs';
import * as path from 'path';
import type { ModelMetadata } from '../presets/preset';
import { writeFileAtomicSync } from '../../shared/node/atomic-write';
import { ModelFileError } from './errors';

export const METADATA_FILE = 'metadata.json';
export const ENGINE_VERSION = '0.1.0';

export function metadataPath(dir: string): string {
  return path.join(dir, METADATA_FILE);
}

export function writeMetadata(dir: string, meta: ModelMetadata): void {
  writeFileAtomicSync(metadataPath(dir), JSON.stringify(meta, null, 2) + '\n');
}

function isPair(v: unknown): v is [number, number] {
  return Array.isArray(v) && v.length === 2 && v.every((n) => typeof n === 'number' && n > 0 && Number.isInteger(n));
}

/**
 * Reads and checks metadata.json. `expectLandmarks`: the landmark count the caller needs
 * (e.g. the TPS it will be compared to); a different count is a clear error.
 */
export function readMetadata(dir: string, expectLandmarks?: number): ModelMetadata {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new ModelFileError(dir, 'model folder not found');
  }
  const file = metadataPath(dir);
  if (!fs.existsSync(file)) throw new ModelFileError(file, 'not a landmark model folder (no metadata.json)');
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ModelFileError(file, `corrupt metadata (not valid JSON: ${(e as Error).message})`);
  }
  const m = raw as Partial<ModelMetadata>;
  if (!m || typeof m !== 'object' || m.format !== 'landmarks-model') {
    throw new ModelFileError(file, 'not a landmark model metadata file (format is not "landmarks-model")');
  }
  if (m.version !== 1) throw new ModelFileError(file, `unsupported metadata version ${String(m.version)} (this engine reads 1)`);
  if (m.preset !== 'paper' && m.preset !== 'default') throw new ModelFileError(file, `unknown preset "${String(m.preset)}"`);
  if (typeof m.landmarkCount !== 'number' || !Number.isInteger(m.landmarkCount) || m.landmarkCount < 1) {
    throw new ModelFileError(file, `bad landmarkCount ${String(m.landmarkCount)}`);
  }
  if (!isPair(m.inputSize)) throw new ModelFileError(file, `bad inputSize ${JSON.stringify(m.inputSize)}`);
  if (expectLandmarks !== undefined && expectLandmarks !== m.landmarkCount) {
    throw new ModelFileError(
      file,
      `the model predicts ${m.landmarkCount} landmarks, but ${expectLandmarks} are expected`,
    );
  }
  return m as ModelMetadata;
}
