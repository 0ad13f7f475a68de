/**
 * metadata.json beside the model files: written atomically, read with clear errors. The checks
 * are src/shared/model-metadata.ts's, the ones the extension's model lists use.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseModelMetadata, type ModelMetadata } from '../../shared/model-metadata';
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
  const { metadata: m, problem } = parseModelMetadata(fs.readFileSync(file, 'utf8'));
  if (!m) throw new ModelFileError(file, problem ?? 'unreadable metadata');
  if (expectLandmarks !== undefined && expectLandmarks !== m.landmarkCount) {
    throw new ModelFileError(
      file,
      `the model predicts ${m.landmarkCount} landmarks, but ${expectLandmarks} are expected`,
    );
  }
  return m;
}
