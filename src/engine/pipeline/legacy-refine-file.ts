/**
 * Default-preset models written before the pipeline file (./pipeline.ts): `cascade.json` +
 * `cascade.bin`, and the refinement stages after it in `refine.json` (which stages, their
 * settings, array layout) + `refine.bin` (little-endian Float32 weights back to back). A folder
 * without refine.json is a cascade-only model. Read (into a PipelineModel) with clear errors;
 * saveRefine remains so tests can write such an older folder.
 */
import * as fs from 'fs';
import * as path from 'path';
import { concatFloat32, readFloats, readHeader, writeFloatPair } from '../model-io/float-files';
import { ModelFileError } from '../model-io/errors';
import { contourFromJson, contourToJson, type ContourModel } from '../stages/contour/model';
import { deserialisePatchNet, serialisePatchNet, type PatchNetMeta, type PatchNetModel } from '../stages/patchnet';
import { checkCalibration, type DoubtCalibration } from './calibration';
import type { PipelineModel } from './pipeline';
import { resolveOptions } from '../../shared/protocol/options';
import type { AnyStage } from './stage';
import { loadCascade } from '../stages/cascade/model-file';
import { cascadeStage } from '../stages/cascade/stage';
import { contourStage } from '../stages/contour/stage';
import { patchnetStage } from '../stages/patchnet/stage';
import { sdmStage } from '../stages/sdm/stage';
import { sdmFromFile, sdmToFile, type SdmFileMeta, type SdmModel } from '../stages/sdm';

export const REFINE_JSON = 'refine.json';
export const REFINE_BIN = 'refine.bin';

/** The stages after the cascade, in the order they run. */
export interface RefineModels {
  /** Silhouette-contour rules and regression (stages/contour): runs first. */
  contour?: ContourModel;
  /** Cascaded ridge regression on gradient histograms (stages/sdm): runs after it. */
  sdm?: SdmModel;
  /** Heatmap CNN on patches around each landmark (stages/patchnet), after SDM: needs tfjs. */
  patchnet?: PatchNetModel;
  /** Maps the raw doubt signal to a 90% error bound (./calibration.ts); absent in older models. */
  calibration?: DoubtCalibration;
}

type StageEntry =
  | { kind: 'sdm'; meta: SdmFileMeta; offset: number; length: number }
  | { kind: 'contour'; meta: unknown; offset: number; length: 0 }
  | { kind: 'patchnet'; meta: PatchNetMeta; offset: number; length: number };

interface RefineHeader {
  format: 'landmarks-refine';
  version: 1;
  stages: StageEntry[];
  /** Optional (older models have none, older readers ignore it). */
  calibration?: DoubtCalibration;
}

export async function saveRefine(dir: string, models: RefineModels): Promise<void> {
  const parts: Float32Array[] = [];
  const stages: StageEntry[] = [];
  let offset = 0;
  if (models.contour) stages.push({ kind: 'contour', meta: contourToJson(models.contour), offset, length: 0 });
  if (models.sdm) {
    const f = sdmToFile(models.sdm);
    stages.push({ kind: 'sdm', meta: f.meta, offset, length: f.weights.length });
    parts.push(f.weights);
    offset += f.weights.length;
  }
  if (models.patchnet) {
    const f = await serialisePatchNet(models.patchnet);
    stages.push({ kind: 'patchnet', meta: f.meta, offset, length: f.weights.length });
    parts.push(f.weights);
    offset += f.weights.length;
  }
  const header: RefineHeader = { format: 'landmarks-refine', version: 1, stages, ...(models.calibration ? { calibration: models.calibration } : {}) };
  writeFloatPair(path.join(dir, REFINE_JSON), header, path.join(dir, REFINE_BIN), concatFloat32(parts), 0);
}

/** The stages saved in `dir`, or none when the folder holds a cascade-only model. */
export function loadRefine(dir: string, landmarkCount: number): RefineModels {
  const jf = path.join(dir, REFINE_JSON);
  const bf = path.join(dir, REFINE_BIN);
  if (!fs.existsSync(jf)) return {};
  const h = readHeader<RefineHeader>(jf, bf);
  if (h.format !== 'landmarks-refine' || h.version !== 1 || !Array.isArray(h.stages)) throw new ModelFileError(jf, 'not a version-1 refinement file');
  const all = readFloats(bf, h.stages.reduce((a, s) => Math.max(a, s.offset + s.length), 0), REFINE_JSON);
  const out: RefineModels = {};
  for (const s of h.stages) {
    const weights = all.subarray(s.offset, s.offset + s.length);
    try {
      if (s.kind === 'sdm') out.sdm = sdmFromFile(s.meta, weights);
      else if (s.kind === 'contour') out.contour = contourFromJson(s.meta);
      else if (s.kind === 'patchnet') out.patchnet = deserialisePatchNet(s.meta, weights);
      else throw new Error(`unknown stage "${(s as { kind: string }).kind}"`);
    } catch (e) {
      throw new ModelFileError(jf, `stage ${s.kind}: ${(e as Error).message}`);
    }
  }
  for (const [kind, m] of [['sdm', out.sdm], ['contour', out.contour], ['patchnet', out.patchnet]] as const) {
    if (m && m.landmarkCount !== landmarkCount) throw new ModelFileError(jf, `stage ${kind} has ${m.landmarkCount} landmarks, the cascade ${landmarkCount}`);
  }
  if (h.calibration !== undefined) {
    try {
      out.calibration = checkCalibration(h.calibration, landmarkCount);
    } catch (e) {
      throw new ModelFileError(jf, (e as Error).message);
    }
  }
  return out;
}

/** An older default-preset model folder as a pipeline model (cascade, then the refinement stages it holds). */
export function loadLegacyDefault(dir: string): PipelineModel {
  const cascade = loadCascade(dir);
  const refine = loadRefine(dir, cascade.landmarkCount);
  const stages: PipelineModel['stages'] = [{ stage: cascadeStage as AnyStage, model: cascade }];
  if (refine.contour) stages.push({ stage: contourStage as AnyStage, model: refine.contour });
  if (refine.sdm) stages.push({ stage: sdmStage as AnyStage, model: refine.sdm });
  if (refine.patchnet) stages.push({ stage: patchnetStage as AnyStage, model: refine.patchnet });
  // what these folders ran: the stages they hold, with the options of the time (the defaults)
  const profile = { name: 'default', description: 'a default-preset model written before the stage pipeline', folds: 4, stages: stages.map((s) => ({ stage: s.stage.name, options: resolveOptions(s.stage.options, {}, dir) })) };
  return {
    profile,
    landmarkCount: cascade.landmarkCount,
    levels: cascade.config.levels,
    stages,
    // these models calibrated only with SDM
    ...(refine.sdm && refine.calibration ? { calibration: refine.calibration } : {}),
  };
}
