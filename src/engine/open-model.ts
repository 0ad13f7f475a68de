/** Opens a model folder: checks metadata.json, then lets its preset load the predictor. */
import type { BackendName } from '../shared/protocol/engine';
import { readMetadata } from './model-io/metadata';
import { getPreset } from './presets';
import type { ModelMetadata, Predictor, Tf } from './presets/preset';

export async function openModel(
  tf: Tf,
  backend: BackendName,
  dir: string,
  log: (m: string) => void,
  expectLandmarks?: number,
): Promise<{ predictor: Predictor; metadata: ModelMetadata }> {
  const metadata = readMetadata(dir, expectLandmarks);
  const predictor = await getPreset(metadata.preset).load(dir, { tf, backend, metadata, log });
  return { predictor, metadata };
}
