/**
 * tfjs LayersModel files without tfjs-node's file:// handler (absent on wasm): a custom
 * IOHandler writing `<name>.json` (topology + weights manifest) and its weights file, each
 * atomically. The default name "model" gives model.json + weights.bin (tfjs' usual names).
 */
import * as fs from 'fs';
import * as path from 'path';
import type * as tfjs from '../backend/tf';
import type { Tf } from '../presets/preset';
import { writeFileAtomicSync } from '../../shared/node/atomic-write';
import { ModelFileError } from './errors';

type ModelArtifacts = tfjs.io.ModelArtifacts;
type WeightsManifestEntry = tfjs.io.WeightsManifestEntry;

export function modelFiles(dir: string, name = 'model'): { json: string; weights: string } {
  return {
    json: path.join(dir, `${name}.json`),
    weights: path.join(dir, name === 'model' ? 'weights.bin' : `${name}.weights.bin`),
  };
}

function joinWeightData(tf: Tf, data: tfjs.io.WeightData | undefined): Uint8Array {
  if (!data) return new Uint8Array(0);
  const buf = Array.isArray(data) ? tf.io.CompositeArrayBuffer.join(data) : data;
  return new Uint8Array(buf);
}

/** An IOHandler saving into `dir` (files named after `name`). */
export function fileSaveHandler(tf: Tf, dir: string, name = 'model'): tfjs.io.IOHandler {
  return {
    async save(artifacts: ModelArtifacts): Promise<tfjs.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new Error('saving a binary (graph) topology is not supported; save a LayersModel');
      }
      const files = modelFiles(dir, name);
      const weights = joinWeightData(tf, artifacts.weightData);
      const json = {
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        modelTopology: artifacts.modelTopology,
        trainingConfig: artifacts.trainingConfig,
        weightsManifest: [{ paths: [path.basename(files.weights)], weights: artifacts.weightSpecs ?? [] }],
      };
      fs.mkdirSync(dir, { recursive: true });
      // Weights first, then the JSON that points to them: a reader never sees new JSON with old weights.
      writeFileAtomicSync(files.weights, weights);
      writeFileAtomicSync(files.json, JSON.stringify(json));
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          weightDataBytes: weights.byteLength,
        },
      };
    },
  };
}

function specBytes(spec: WeightsManifestEntry): number {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  const bytesPer = spec.dtype === 'float32' || spec.dtype === 'int32' ? 4 : spec.dtype === 'bool' ? 1 : 4;
  if (spec.quantization) return n * (spec.quantization.dtype === 'uint8' ? 1 : spec.quantization.dtype === 'uint16' ? 2 : 2);
  return n * bytesPer;
}

/** Reads model artifacts, with clear errors for missing or corrupt files. */
export function readModelArtifacts(tf: Tf, dir: string, name = 'model'): ModelArtifacts {
  const files = modelFiles(dir, name);
  if (!fs.existsSync(files.json)) throw new ModelFileError(files.json, 'model file not found');
  let json: {
    modelTopology?: unknown;
    weightsManifest?: { paths: string[]; weights: WeightsManifestEntry[] }[];
    format?: string;
    generatedBy?: string;
    convertedBy?: string | null;
    trainingConfig?: tfjs.io.TrainingConfig;
  };
  try {
    json = JSON.parse(fs.readFileSync(files.json, 'utf8'));
  } catch (e) {
    throw new ModelFileError(files.json, `corrupt model file (not valid JSON: ${(e as Error).message})`);
  }
  if (!json || typeof json !== 'object' || !json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new ModelFileError(files.json, 'corrupt model file (no modelTopology / weightsManifest)');
  }
  const specs: WeightsManifestEntry[] = [];
  const buffers: Uint8Array[] = [];
  for (const group of json.weightsManifest) {
    specs.push(...group.weights);
    for (const p of group.paths) {
      const wf = path.join(dir, p);
      if (!fs.existsSync(wf)) throw new ModelFileError(wf, 'weights file not found');
      buffers.push(new Uint8Array(fs.readFileSync(wf)));
    }
  }
  const total = buffers.reduce((a, b) => a + b.byteLength, 0);
  const expected = specs.reduce((a, s) => a + specBytes(s), 0);
  if (total !== expected) {
    throw new ModelFileError(
      modelFiles(dir, name).weights,
      `corrupt weights: ${total} bytes, the manifest in ${path.basename(files.json)} needs ${expected}`,
    );
  }
  const joined = new Uint8Array(total);
  let off = 0;
  for (const b of buffers) {
    joined.set(b, off);
    off += b.byteLength;
  }
  return {
    modelTopology: json.modelTopology as ModelArtifacts['modelTopology'],
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy ?? undefined,
    trainingConfig: json.trainingConfig,
    weightSpecs: specs,
    weightData: joined.buffer,
  };
}

export async function saveLayersModel(tf: Tf, model: tfjs.LayersModel, dir: string, name = 'model'): Promise<void> {
  await model.save(fileSaveHandler(tf, dir, name));
}

export async function loadLayersModel(tf: Tf, dir: string, name = 'model'): Promise<tfjs.LayersModel> {
  const artifacts = readModelArtifacts(tf, dir, name);
  try {
    return await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (e) {
    throw new ModelFileError(modelFiles(dir, name).json, `cannot build the model: ${(e as Error).message}`);
  }
}

/** Saves named tensors (e.g. optimizer state) as `<name>.json` (specs) + `<name>.bin`. */
export async function saveTensors(tf: Tf, tensors: { name: string; tensor: tfjs.Tensor }[], dir: string, name: string): Promise<void> {
  const { data, specs } = await tf.io.encodeWeights(tensors);
  writeFileAtomicSync(path.join(dir, `${name}.bin`), new Uint8Array(data));
  writeFileAtomicSync(path.join(dir, `${name}.json`), JSON.stringify(specs));
}

export function loadTensors(tf: Tf, dir: string, name: string): { name: string; tensor: tfjs.Tensor }[] {
  const specFile = path.join(dir, `${name}.json`);
  const binFile = path.join(dir, `${name}.bin`);
  if (!fs.existsSync(specFile) || !fs.existsSync(binFile)) throw new ModelFileError(specFile, 'state file not found');
  let specs: WeightsManifestEntry[];
  try {
    specs = JSON.parse(fs.readFileSync(specFile, 'utf8'));
  } catch (e) {
    throw new ModelFileError(specFile, `corrupt (${(e as Error).message})`);
  }
  const buf = fs.readFileSync(binFile);
  const expected = specs.reduce((a, s) => a + specBytes(s), 0);
  if (buf.byteLength !== expected) throw new ModelFileError(binFile, `corrupt: ${buf.byteLength} bytes, expected ${expected}`);
  const map = tf.io.decodeWeights(new Uint8Array(buf).buffer, specs);
  return specs.map((s) => ({ name: s.name, tensor: map[s.name] }));
}
