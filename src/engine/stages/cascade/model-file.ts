/**
 * The cascade model on disk: `cascade.json` (config, counts, array layout) + `cascade.bin`
 * (little-endian Float32 arrays back to back). Written atomically; read with clear errors.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ModelFileError } from '../../model-io/errors';
import type { CascadeConfig, CascadeModel } from './cascade';
import { concatFloat32, readFloats, readHeader, writeFloatPair } from '../../model-io/float-files';

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

export function saveCascade(dir: string, model: CascadeModel): void {
  const arrays: { name: string; data: Float32Array }[] = [
    ...model.templates.map((t, l) => ({ name: `templates${l}`, data: t })),
    { name: 'shapes', data: model.shapes },
    { name: 'thumbs', data: model.thumbs },
    { name: 'boxes', data: model.boxes },
  ];
  const bin = concatFloat32(arrays.map((a) => a.data));
  const header: CascadeHeader = {
    format: 'landmarks-cascade',
    version: 1,
    config: model.config,
    landmarkCount: model.landmarkCount,
    count: model.count,
    arrays: arrays.map((a) => ({ name: a.name, length: a.data.length })),
  };
  writeFloatPair(path.join(dir, CASCADE_JSON), header, path.join(dir, CASCADE_BIN), bin);
}

export function loadCascade(dir: string): CascadeModel {
  const jf = path.join(dir, CASCADE_JSON);
  const bf = path.join(dir, CASCADE_BIN);
  if (!fs.existsSync(jf)) throw new ModelFileError(jf, 'missing (not a default-preset model folder?)');
  const h = readHeader<CascadeHeader>(jf, bf);
  if (h.format !== 'landmarks-cascade' || h.version !== 1) throw new ModelFileError(jf, 'not a version-1 cascade model');
  const all = readFloats(bf, h.arrays.reduce((a, x) => a + x.length, 0), CASCADE_JSON);
  const get = new Map<string, Float32Array>();
  let o = 0;
  for (const a of h.arrays) {
    get.set(a.name, all.subarray(o, o + a.length));
    o += a.length;
  }
  const need = (name: string): Float32Array => {
    const a = get.get(name);
    if (!a) throw new ModelFileError(jf, `array "${name}" missing`);
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
