/**
 * The cascade model's file part: JSON metadata (config, counts, array layout) + Float32 arrays
 * back to back, held in the pipeline's model file; older models have it as `cascade.json` +
 * `cascade.bin`, which still load.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ModelFileError } from '../../model-io/errors';
import type { CascadeConfig, CascadeModel } from './cascade';
import { concatFloat32, readFloats, readHeader } from '../../model-io/float-files';

export const CASCADE_JSON = 'cascade.json';
export const CASCADE_BIN = 'cascade.bin';

interface CascadeHeader {
  format: 'landmarks-cascade';
  version: 1;
  config: CascadeConfig;
  landmarkCount: number;
  count: number;
  /** Names and lengths (in floats) of the arrays in cascade.bin, in order. */
  arrays: { name: string; length: number }[];
}

/** The model as JSON metadata + one Float32 array (the pipeline's model file holds it). */
export function cascadeToPart(model: CascadeModel): { meta: CascadeHeader; weights: Float32Array } {
  const arrays: { name: string; data: Float32Array }[] = [
    ...model.templates.map((t, l) => ({ name: `templates${l}`, data: t })),
    { name: 'shapes', data: model.shapes },
    { name: 'thumbs', data: model.thumbs },
    { name: 'boxes', data: model.boxes },
  ];
  const meta: CascadeHeader = {
    format: 'landmarks-cascade',
    version: 1,
    config: model.config,
    landmarkCount: model.landmarkCount,
    count: model.count,
    arrays: arrays.map((a) => ({ name: a.name, length: a.data.length })),
  };
  return { meta, weights: concatFloat32(arrays.map((a) => a.data)) };
}

/** The model back from cascadeToPart's output; `where` names the file in errors. */
export function cascadeFromPart(part: { meta: unknown; weights: Float32Array }, where: string): CascadeModel {
  const h = part.meta as CascadeHeader;
  if (!h || h.format !== 'landmarks-cascade' || h.version !== 1 || !Array.isArray(h.arrays)) throw new ModelFileError(where, 'not a version-1 cascade model');
  const total = h.arrays.reduce((a, x) => a + x.length, 0);
  if (total !== part.weights.length) throw new ModelFileError(where, `cascade holds ${part.weights.length} floats, ${total} expected`);
  const get = new Map<string, Float32Array>();
  let o = 0;
  for (const a of h.arrays) {
    get.set(a.name, part.weights.subarray(o, o + a.length));
    o += a.length;
  }
  const need = (name: string): Float32Array => {
    const a = get.get(name);
    if (!a) throw new ModelFileError(where, `array "${name}" missing`);
    return a;
  };
  const templates: Float32Array[] = [];
  for (let l = 0; l < h.config.levels; l++) templates.push(need(`templates${l}`));
  return {
    config: h.config,
    landmarkCount: h.landmarkCount,
    count: h.count,
    templates,
    shapes: need('shapes'),
    thumbs: need('thumbs'),
    boxes: need('boxes'),
  };
}

/** Models written before the pipeline file (cascade.json + cascade.bin in the model folder). */
export function loadCascade(dir: string): CascadeModel {
  const jf = path.join(dir, CASCADE_JSON);
  const bf = path.join(dir, CASCADE_BIN);
  if (!fs.existsSync(jf)) throw new ModelFileError(jf, 'missing (not a default-preset model folder?)');
  const h = readHeader<CascadeHeader>(jf, bf);
  if (h.format !== 'landmarks-cascade' || h.version !== 1) throw new ModelFileError(jf, 'not a version-1 cascade model');
  return cascadeFromPart({ meta: h, weights: readFloats(bf, h.arrays.reduce((a, x) => a + x.length, 0), CASCADE_JSON) }, jf);
}
