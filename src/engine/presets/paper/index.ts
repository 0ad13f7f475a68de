/**
 * Preset `paper`: the network, loss, optimiser, schedules, normalisation and augmentation of
 * Le et al. "Towards landmarks prediction with Deep Network":
 * - input grey [0,1] at 256x192 on native and WebGPU backends; 128x96 on wasm (its heap is 4 GB
 *   and the first dense layer alone has 92 M weights at 256x192);
 * - targets: coordinates in [-1,1] of the (stretched) input frame;
 * - x7 augmentation of the training images (original, +constant on R/G/B, R/G/B alone);
 * - MSE loss, SGD with Nesterov momentum, lr 0.03 -> 1e-5 and momentum 0.9 -> 0.9999
 *   linearly over the epochs as the paper's Lasagne code (./schedule.ts), with an optimizer
 *   whose momentum really changes (./optimizer.ts);
 * - the output bias starts at the mean training shape (./model.ts);
 * - 60/40 train/validation split (the engine splits with validationSplit 0.4).
 */
import type * as tfjs from '../../backend/tf';
import type { BackendName } from '../../../shared/protocol/engine';
import { paperX7 } from '../../../shared/augment/channels';
import { normalisedToOriginal } from '../../../shared/augment/frame';
import { buildTrainingSet } from '../../data/training-set';
import { decodeResized } from '../../image-source';
import { assertFitsWebGpu, guardWebGpu } from '../../backend/webgpu-device';
import { loadLayersModel } from '../../model-io/layers-io';
import { ArrayBatches, type ArraySet } from '../../train/arrays';
import { runLoop } from '../../train/loop';
import type { LoadContext, Predictor, Preset, PresetDefaults, Sample, TrainContext, TrainOutcome, Tf } from '../preset';
import { buildPaperModel, startAtMeanShape } from './model';
import { nesterovMomentum } from './optimizer';
import { learningRateAt, momentumAt, PAPER_LR_START, PAPER_MOMENTUM_START } from './schedule';

export const PAPER_NATIVE_SIZE: [number, number] = [256, 192];
export const PAPER_WASM_SIZE: [number, number] = [128, 96];

async function toArraySet(
  samples: Sample[],
  landmarks: number,
  [width, height]: [number, number],
  augment: boolean,
  log: (m: string) => void,
): Promise<ArraySet> {
  const set = await buildTrainingSet(
    samples.map((s) => ({ name: s.name, imagePath: s.imagePath, landmarks: s.landmarks.map((p) => (p ? { x: p[0], y: p[1] } : null)) })),
    { width, height },
    { landmarkCount: landmarks, fit: 'stretch' },
  );
  for (const k of set.skipped) log(`skipped ${k.imagePath}: ${k.why}`);
  const versions = augment ? 7 : 1;
  const px = width * height;
  const n = set.samples.length * versions;
  const images = new Float32Array(n * px);
  const targets = new Float32Array(n * 2 * landmarks);
  let i = 0;
  for (const s of set.samples) {
    const greys = augment ? paperX7(s.image.rgb).map((v) => v.grey) : [s.image.grey];
    for (const g of greys) {
      images.set(g, i * px);
      targets.set(s.target, i * 2 * landmarks);
      i++;
    }
  }
  log(`${set.samples.length} image(s) at ${width}x${height}${augment ? ' with x7 augmentation' : ''}: ${n} examples (cache hits ${set.cache.hits})`);
  return { images, targets, count: n, height, width, channels: 1, outputs: 2 * landmarks };
}

/** Copies weights layer by layer (by name) where shapes match; returns the names skipped. */
function copyMatchingWeights(from: tfjs.LayersModel, to: tfjs.LayersModel): string[] {
  const skipped: string[] = [];
  for (const layer of to.layers) {
    let src: tfjs.layers.Layer | undefined;
    try {
      src = from.getLayer(layer.name);
    } catch {
      src = undefined;
    }
    const w = src?.getWeights() ?? [];
    const own = layer.getWeights();
    if (own.length === 0) continue;
    if (w.length === own.length && w.every((t, i) => t.shape.join() === own[i].shape.join())) layer.setWeights(w);
    else skipped.push(layer.name);
  }
  return skipped;
}

async function train(ctx: TrainContext): Promise<TrainOutcome> {
  const { tf, options } = ctx;
  const K = ctx.landmarkCount;
  const trainSet = await toArraySet(ctx.train, K, options.inputSize, true, ctx.log);
  const valSet = await toArraySet(ctx.validation, K, options.inputSize, false, ctx.log);
  if (ctx.backend === 'wasm' && options.inputSize[0] * options.inputSize[1] > PAPER_WASM_SIZE[0] * PAPER_WASM_SIZE[1] * 2) {
    ctx.log(
      `warning: input ${options.inputSize.join('x')} on wasm: the paper network's first dense layer grows with the input ` +
        `and wasm's heap is 4 GB (256x192 with momentum does not fit); ${PAPER_WASM_SIZE.join('x')} is the wasm default`,
    );
  }
  const model = buildPaperModel(tf, options.inputSize, K, options.seed);
  let skipped = ['landmarks'];
  if (ctx.initFrom) {
    const init = await loadLayersModel(tf, ctx.initFrom);
    skipped = copyMatchingWeights(init, model);
    init.dispose();
    ctx.log(`initialised from ${ctx.initFrom}` + (skipped.length ? ` (new weights for ${skipped.join(', ')})` : ''));
  }
  if (skipped.includes('landmarks')) startAtMeanShape(tf, model, trainSet.targets, trainSet.outputs);
  const lr0 = options.learningRate;
  const optimizer = nesterovMomentum(tf, lr0, PAPER_MOMENTUM_START);
  try {
    const outcome = await runLoop({
      tf,
      model,
      optimizer,
      train: new ArrayBatches(tf, trainSet, options.batchSize, options.seed),
      validation: new ArrayBatches(tf, valSet, options.batchSize),
      epochs: options.epochs,
      patience: options.patience,
      onEpochStart(epoch, epochs) {
        optimizer.setLearningRate(learningRateAt(epoch, epochs, lr0));
        optimizer.setMomentum(momentumAt(epoch, epochs));
      },
      modelDir: ctx.modelDir,
      checkpointDir: ctx.checkpointDir,
      resume: ctx.resume,
      cancel: ctx.cancel,
      progress: ctx.progress,
      log: ctx.log,
    });
    return { ...outcome, presetData: { schedule: 'linear', lrStart: lr0, augmentation: 'x7', outputBias: 'mean shape' } };
  } finally {
    model.dispose();
    optimizer.dispose();
  }
}

async function load(dir: string, ctx: LoadContext): Promise<Predictor> {
  const { tf, metadata } = ctx;
  const model = await loadLayersModel(tf, dir);
  const out = model.outputs[0].shape[1];
  if (out !== 2 * metadata.landmarkCount) {
    model.dispose();
    throw new Error(`${dir}: model.json outputs ${String(out)} values but metadata.json says ${metadata.landmarkCount} landmarks`);
  }
  const [width, height] = metadata.inputSize;
  try {
    assertFitsWebGpu(model, 1, `the paper model of ${dir} (input ${width}x${height})`);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return {
    landmarkCount: metadata.landmarkCount,
    async predict(imagePath: string) {
      const img = await decodeResized(imagePath, width, height);
      const frame = img.frame;
      const v = await guardWebGpu(`prediction of ${imagePath}`, async () => {
        const y = tf.tidy(() => model.predict(tf.tensor4d(img.grey, [1, height, width, 1])) as tfjs.Tensor);
        try {
          return await y.data();
        } finally {
          y.dispose();
        }
      });
      const landmarks: [number, number][] = [];
      for (let k = 0; k < metadata.landmarkCount; k++) {
        const p = normalisedToOriginal(frame, { x: v[2 * k], y: v[2 * k + 1] });
        landmarks.push([p.x, p.y]);
      }
      return { landmarks, width: img.originalWidth, height: img.originalHeight };
    },
    dispose() {
      model.dispose();
    },
  };
}

function defaults(backend: BackendName): PresetDefaults {
  // A GPU (WebGPU or CUDA) or native CPU build trains the paper's full size; an adapter whose
  // buffers are too small for it is caught before the first step (backend/webgpu-device.ts).
  const native = backend === 'tensorflow' || backend === 'tensorflow-gpu' || backend === 'webgpu';
  return {
    inputSize: native ? PAPER_NATIVE_SIZE : PAPER_WASM_SIZE,
    epochs: native ? 300 : 60,
    batchSize: native ? 64 : 16,
    learningRate: PAPER_LR_START,
    validationSplit: 0.4,
    patience: 0,
  };
}

export const paperPreset: Preset = {
  name: 'paper',
  // No input size here: it depends on the backend (defaults()), and callers show that one.
  description: 'Le et al.: 3 conv blocks, dense 1000/1000, Nesterov SGD (0.03->1e-5), x7 augmentation, grey input',
  defaults,
  uses: ['epochs', 'batchSize', 'learningRate', 'inputSize', 'patience'],
  train,
  load,
};

export type { Tf };
