/**
 * The generic training loop presets can reuse: batches from a BatchSource, an optimizer step
 * per batch, validation each epoch, progress events with ETA, the best model kept in modelDir
 * (saved each time validation improves), a resumable "last" checkpoint (weights, optimizer
 * state, loop state) in checkpointDir each epoch, cooperative cancel (between batches; the best
 * model stays), and early stopping.
 */
import * as fs from 'fs';
import * as path from 'path';
import type * as tfjs from '../backend/tf';
import type { CancelToken, Tf, TrainOutcome } from '../presets/preset';
import type { TrainProgress } from '../../shared/protocol/engine';
import { loadLayersModel, loadTensors, saveLayersModel, saveTensors } from '../model-io/layers-io';
import { writeFileAtomicSync } from '../../shared/node/atomic-write';
import { assertFitsWebGpu, guardWebGpu } from '../backend/webgpu-device';

export interface Batch {
  xs: tfjs.Tensor;
  ys: tfjs.Tensor;
  /** 1 where a target coordinate is known, 0 where the landmark is missing (same shape as ys). */
  mask?: tfjs.Tensor;
}

export interface BatchSource {
  /** Batches in one epoch. */
  batchesPerEpoch(): number;
  /** Batch `index` of epoch `epoch` (1-based epoch). The loop disposes the tensors. */
  batch(epoch: number, index: number): Batch | Promise<Batch>;
}

export interface LoopConfig {
  tf: Tf;
  model: tfjs.LayersModel;
  optimizer: tfjs.Optimizer;
  train: BatchSource;
  /** Validation batches; when it has none, the training loss selects the best epoch. */
  validation: BatchSource;
  epochs: number;
  /** Epochs without validation improvement before stopping (0 = never). */
  patience: number;
  /** Called before each epoch (1-based), e.g. to set the learning rate and momentum. */
  onEpochStart?(epoch: number, epochs: number): void;
  /** Loss of a batch; default: masked mean squared error. */
  loss?(tf: Tf, predicted: tfjs.Tensor, batch: Batch): tfjs.Scalar;
  modelDir: string;
  /** File name (without .json) of the best model in modelDir; default "model". */
  modelName?: string;
  checkpointDir: string;
  resume: boolean;
  cancel: CancelToken;
  progress(p: TrainProgress): void;
  log(message: string): void;
}

interface LoopState {
  /** Last completed epoch. */
  epoch: number;
  bestEpoch: number;
  bestValLoss: number;
  stale: number;
  history: { epoch: number; trainLoss: number; valLoss: number }[];
}

const STATE_FILE = 'state.json';

export function maskedMse(tf: Tf, predicted: tfjs.Tensor, batch: Batch): tfjs.Scalar {
  return tf.tidy(() => {
    const diff = tf.squaredDifference(predicted, batch.ys);
    if (!batch.mask) return tf.mean(diff) as tfjs.Scalar;
    const masked = tf.mul(diff, batch.mask);
    return tf.div(tf.sum(masked), tf.maximum(tf.sum(batch.mask), 1)) as tfjs.Scalar;
  });
}

const yieldToEvents = (): Promise<void> => new Promise((r) => setImmediate(r));

function disposeBatch(b: Batch): void {
  b.xs.dispose();
  b.ys.dispose();
  b.mask?.dispose();
}

function readState(dir: string): LoopState | undefined {
  const f = path.join(dir, STATE_FILE);
  if (!fs.existsSync(f)) return undefined;
  try {
    return JSON.parse(fs.readFileSync(f, 'utf8')) as LoopState;
  } catch {
    return undefined;
  }
}

export function hasCheckpoint(dir: string): boolean {
  return readState(dir) !== undefined && fs.existsSync(path.join(dir, 'last.json'));
}

async function restore(cfg: LoopConfig): Promise<LoopState | undefined> {
  const state = readState(cfg.checkpointDir);
  if (!state) return undefined;
  const { tf, model } = cfg;
  const last = await loadLayersModel(tf, cfg.checkpointDir, 'last');
  try {
    const w = last.getWeights();
    const own = model.getWeights();
    if (w.length !== own.length || w.some((t, i) => t.shape.join() !== own[i].shape.join())) {
      throw new Error(`checkpoint in ${cfg.checkpointDir} does not fit this model (different shapes); train without resume`);
    }
    model.setWeights(w);
  } finally {
    last.dispose();
  }
  if (fs.existsSync(path.join(cfg.checkpointDir, 'optimizer.json'))) {
    const opt = loadTensors(tf, cfg.checkpointDir, 'optimizer');
    await cfg.optimizer.setWeights(opt);
  }
  return state;
}

async function meanLoss(cfg: LoopConfig, source: BatchSource, epoch: number, training: boolean): Promise<number> {
  const { tf, model } = cfg;
  const lossFn = cfg.loss ?? maskedMse;
  const n = source.batchesPerEpoch();
  let total = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    const b = await source.batch(epoch, i);
    const size = b.xs.shape[0] ?? 1;
    try {
      const v = await guardWebGpu('validation', async () => {
        const l = tf.tidy(() => lossFn(tf, model.apply(b.xs, { training }) as tfjs.Tensor, b));
        try {
          return (await l.data())[0];
        } finally {
          l.dispose();
        }
      });
      total += v * size;
      count += size;
    } finally {
      disposeBatch(b);
    }
    await yieldToEvents();
  }
  return count ? total / count : NaN;
}

export async function runLoop(cfg: LoopConfig): Promise<TrainOutcome> {
  const { tf, model, optimizer } = cfg;
  const lossFn = cfg.loss ?? maskedMse;
  const modelName = cfg.modelName ?? 'model';
  fs.mkdirSync(cfg.checkpointDir, { recursive: true });
  fs.mkdirSync(cfg.modelDir, { recursive: true });

  let state: LoopState = { epoch: 0, bestEpoch: 0, bestValLoss: Infinity, stale: 0, history: [] };
  if (cfg.resume) {
    const restored = await restore(cfg);
    if (restored) {
      state = restored;
      cfg.log(`resuming after epoch ${state.epoch} (best epoch ${state.bestEpoch}, val loss ${state.bestValLoss.toFixed(5)})`);
    } else cfg.log(`no checkpoint in ${cfg.checkpointDir}: starting from scratch`);
  }

  const vars = model.trainableWeights.map((w) => w.read() as tfjs.Variable);
  const batches = cfg.train.batchesPerEpoch();
  const hasVal = cfg.validation.batchesPerEpoch() > 0;
  const stepTimes: number[] = [];
  let cancelled = false;
  const started = Date.now();

  for (let epoch = state.epoch + 1; epoch <= cfg.epochs; epoch++) {
    cfg.onEpochStart?.(epoch, cfg.epochs);
    let sum = 0;
    let seen = 0;
    for (let i = 0; i < batches; i++) {
      if (cfg.cancel.cancelled) {
        cancelled = true;
        break;
      }
      const t0 = Date.now();
      const b = await cfg.train.batch(epoch, i);
      const size = b.xs.shape[0] ?? 1;
      let v: number;
      try {
        // Before the first GPU step: a model over the adapter's buffer limit fails here, clearly.
        if (epoch === state.epoch + 1 && i === 0) assertFitsWebGpu(model, size, `training ${model.name} at batch ${size}`);
        v = await guardWebGpu(`training step ${i + 1} of epoch ${epoch}`, async () => {
          const cost = optimizer.minimize(
            () => lossFn(tf, model.apply(b.xs, { training: true }) as tfjs.Tensor, b),
            true,
            vars,
          );
          try {
            return cost ? (await cost.data())[0] : NaN;
          } finally {
            cost?.dispose();
          }
        });
      } finally {
        disposeBatch(b);
      }
      if (!Number.isFinite(v)) throw new Error(`training diverged at epoch ${epoch}, batch ${i + 1} (loss ${v}); try a smaller learning rate`);
      sum += v * size;
      seen += size;
      stepTimes.push(Date.now() - t0);
      const recent = stepTimes.slice(-20);
      const perStep = recent.reduce((a, c) => a + c, 0) / recent.length / 1000;
      const remainingSteps = (cfg.epochs - epoch) * batches + (batches - i - 1);
      cfg.progress({
        kind: 'train',
        epoch,
        epochs: cfg.epochs,
        batch: i + 1,
        batches,
        trainLoss: sum / seen,
        etaSeconds: Math.round(remainingSteps * perStep * (hasVal ? 1.15 : 1)),
      });
      await yieldToEvents();
    }
    if (cancelled) break;
    const trainLoss = seen ? sum / seen : NaN;
    const valLoss = hasVal ? await meanLoss(cfg, cfg.validation, epoch, false) : trainLoss;
    state.history.push({ epoch, trainLoss, valLoss });
    state.epoch = epoch;
    const improved = valLoss < state.bestValLoss;
    if (improved) {
      state.bestValLoss = valLoss;
      state.bestEpoch = epoch;
      state.stale = 0;
      await saveLayersModel(tf, model, cfg.modelDir, modelName);
    } else state.stale++;
    // Resumable checkpoint: weights, optimizer state, then the loop state that points at them.
    await saveLayersModel(tf, model, cfg.checkpointDir, 'last');
    const optWeights = await optimizer.getWeights();
    await saveTensors(tf, optWeights, cfg.checkpointDir, 'optimizer');
    writeFileAtomicSync(path.join(cfg.checkpointDir, STATE_FILE), JSON.stringify(state));
    cfg.progress({
      kind: 'train',
      epoch,
      epochs: cfg.epochs,
      batch: batches,
      batches,
      trainLoss,
      valLoss,
      message: improved ? 'best so far: saved' : `no improvement for ${state.stale} epoch(s)`,
    });
    cfg.log(
      `epoch ${epoch}/${cfg.epochs}: train loss ${trainLoss.toFixed(5)}, val loss ${valLoss.toFixed(5)}` +
        (improved ? ' (best, saved)' : ''),
    );
    if (cfg.patience > 0 && state.stale >= cfg.patience) {
      cfg.log(`early stop: no validation improvement for ${cfg.patience} epochs (best epoch ${state.bestEpoch})`);
      break;
    }
  }
  if (cancelled) cfg.log(`cancelled after ${state.epoch} complete epoch(s); best model (epoch ${state.bestEpoch}) kept`);
  cfg.log(`training took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return {
    epochs: state.epoch,
    bestEpoch: state.bestEpoch,
    bestValLoss: state.bestValLoss,
    cancelled,
    history: state.history,
  };
}
