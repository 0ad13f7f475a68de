/** Writes model files the way engines before the pipeline did, so tests can check that such folders still load. */
import * as path from 'path';
import { writeFloatPair } from '../../src/engine/model-io/float-files';
import type { CascadeModel } from '../../src/engine/stages/cascade/cascade';
import { CASCADE_BIN, CASCADE_JSON, cascadeToPart } from '../../src/engine/stages/cascade/model-file';

/** cascade.json + cascade.bin, as the default preset wrote them. */
export function saveCascade(dir: string, model: CascadeModel): void {
  const p = cascadeToPart(model);
  writeFloatPair(path.join(dir, CASCADE_JSON), p.meta, path.join(dir, CASCADE_BIN), p.weights);
}
