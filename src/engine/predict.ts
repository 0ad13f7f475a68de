/**
 * Prediction: images (one file, or a folder, optionally recursive) -> landmarks in original
 * photo pixels -> a TPS file in tpsDig convention (y up, via src/shared/tps/coords.ts) with
 * IMAGE= relative to the TPS file's folder, ID=, and a COMMENT naming the model. Refuses to
 * replace an existing file unless `overwrite`; written atomically. Images that cannot be
 * decoded are reported and skipped. Coordinates are clamped into the photo (a negative value
 * would read back as tpsDig's missing-landmark code) and rounded to 0.01 px.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { PredictOptions, PredictResult } from '../shared/protocol/engine';
import { listImageFiles } from '../shared/dataset/images';
import { imageToTps } from '../shared/tps/coords';
import type { TpsDocument, TpsSpecimen } from '../shared/tps/model';
import { writeTps } from '../shared/tps/write';
import { formatPredictionComment } from '../shared/tps/review';
import { eta, type JobEnv } from './env';
import { withWasmFallback } from './backend/fallback';
import { WebGpuLimitError } from './backend/webgpu-device';
import { IMAGE_EXTENSIONS_TEXT, isImageFile } from '../shared/image-files';
import { writeFileAtomicExclusiveSync, writeFileAtomicSync } from '../shared/node/atomic-write';
import { readMetadata } from './model-io/metadata';
import { openModel } from './open-model';
import { predictEach } from './predict-each';
import type { Prediction } from './presets/preset';

export interface PredictedImage {
  imagePath: string;
  prediction: Prediction;
}

export async function listInputImages(images: string, recursive = false): Promise<string[]> {
  const p = path.resolve(images);
  if (!fs.existsSync(p)) throw new Error(`${p}: no such image file or folder`);
  if (fs.statSync(p).isFile()) {
    if (!isImageFile(p)) throw new Error(`${p}: not an image file ${IMAGE_EXTENSIONS_TEXT}`);
    return [p];
  }
  const files = await listImageFiles(p, { recursive });
  if (files.length === 0) throw new Error(`${p}: no image files${recursive ? '' : ' (use --recursive for subfolders)'}`);
  return files;
}

const round2 = (v: number): number => Math.round(v * 100) / 100;
const meanOf = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;

/** One specimen of the output TPS: pixel landmarks -> tpsDig coordinates. */
export function predictionSpecimen(
  imagePath: string,
  prediction: Prediction,
  tpsDir: string,
  id: number,
  comment: string,
): TpsSpecimen {
  const { width, height } = prediction;
  const landmarks = prediction.landmarks.map(([x, y]) => {
    const cx = Math.min(Math.max(x, 0), Math.max(0, width - 1));
    const cy = Math.min(Math.max(y, 0), Math.max(0, height - 1));
    const t = imageToTps({ x: cx, y: cy }, height);
    return { x: round2(t.x), y: round2(t.y) };
  });
  const rel = path.relative(tpsDir, imagePath).split(path.sep).join('/');
  const fields = [
    { key: 'IMAGE', value: rel, line: 0 },
    { key: 'ID', value: String(id), line: 0 },
    { key: 'COMMENT', value: formatPredictionComment(comment, { confidence: prediction.confidence, ...(prediction.expectedPx?.length ? { expectedPx: meanOf(prediction.expectedPx) } : {}), doubtPx: prediction.spreadPx }), line: 0 },
  ];
  return { landmarks, fields, curves: [], line: 0 };
}

/** Prediction; a model over the WebGPU adapter's limits predicts on wasm (backend/fallback.ts). */
export async function predictImages(options: PredictOptions, env: JobEnv): Promise<PredictResult> {
  return withWasmFallback(env, 'prediction', (e) => predictImagesOnce(options, e));
}

async function predictImagesOnce(options: PredictOptions, env: JobEnv): Promise<PredictResult> {
  const started = Date.now();
  const out = path.resolve(options.out);
  if (fs.existsSync(out) && !options.overwrite) {
    throw new Error(`${out} exists: not overwriting it (pass overwrite / --overwrite to replace it)`);
  }
  if (!out.toLowerCase().endsWith('.tps')) throw new Error(`${out}: the output must be a .tps file`);
  const modelDir = path.resolve(options.model);
  readMetadata(modelDir); // a bad model folder is reported before anything else
  const files = await listInputImages(options.images, options.recursive);
  const { predictor, metadata } = await openModel(env.tf, env.backend, modelDir, env.log);
  const comment = `predicted by ${path.basename(modelDir)} (preset ${metadata.preset}, ${metadata.landmarkCount} landmarks)`;
  const specimens: TpsSpecimen[] = [];
  const skipped: PredictResult['skipped'] = [];
  const tpsDir = path.dirname(out);
  try {
    const outcomes = await predictEach(predictor, files, {
      cancelled: () => env.cancel.cancelled,
      // A device limit is the model's, not this image's: every image would fail alike.
      fatal: (e) => e instanceof WebGpuLimitError,
      done: (i, done, outcome) => {
        if (outcome.error) env.log(`skipped ${files[i]}: ${outcome.error.message}`);
        env.progress({ kind: 'step', stage: 'predict', done, total: files.length, etaSeconds: eta(started, done, files.length) });
      },
    });
    if (env.cancel.cancelled) throw new Error('prediction cancelled: nothing written');
    // in the folder's order, whatever order the photos finished in
    for (const [i, o] of outcomes.entries()) {
      if (o?.prediction) specimens.push(predictionSpecimen(files[i], o.prediction, tpsDir, specimens.length, comment));
      else if (o?.error) skipped.push({ path: files[i], why: o.error.message });
    }
  } finally {
    predictor.dispose();
  }
  if (specimens.length === 0) {
    throw new Error(`no image could be predicted (${skipped.length} skipped${skipped[0] ? `: ${skipped[0].path}: ${skipped[0].why}` : ''})`);
  }
  const doc: TpsDocument = { specimens, diagnostics: [], eol: '\n', finalNewline: true };
  const text = writeTps(doc);
  if (options.overwrite) writeFileAtomicSync(out, text);
  else writeFileAtomicExclusiveSync(out, text);
  env.log(`wrote ${specimens.length} specimen(s) to ${out}${skipped.length ? `, ${skipped.length} image(s) skipped` : ''}`);
  return { kind: 'predict', out, predicted: specimens.length, skipped, seconds: (Date.now() - started) / 1000 };
}
