/**
 * Fine-tuning (the paper's scenario 2): pretrain one model on several parts at once, each
 * part's landmarks mapped to a common count by a subset map, then fine-tune it on one part
 * (training continues from the pretrained weights). Files: `<out>/pretrained/` (the
 * pretrained model) and `<out>/` (the fine-tuned model).
 */
import * as fs from 'fs';
import * as path from 'path';
import type { FinetuneOptions, FinetunePart, FinetuneResult } from '../shared/protocol/engine';
import type { JobEnv } from './env';
import { runTrainJob } from './train/run';
import { metadataPath, readMetadata } from './model-io/metadata';

/** The paper's scenario 2 landmark maps (0-based indices kept, 8 per part). */
export const PAPER_SCENARIO2 = {
  /** Pronotum: its 8 landmarks. */
  pronotum: [0, 1, 2, 3, 4, 5, 6, 7],
  /** Body (elytre, 11 landmarks) drops its 1st, 6th and 9th. */
  body: [1, 2, 3, 4, 6, 7, 9, 10],
  /** Head (tete, 10 landmarks) drops its 5th and 6th. */
  head: [0, 1, 2, 3, 6, 7, 8, 9],
} as const;

/** Scenario 2 options from the three parts' data (pronotum is the target). */
export function paperScenario2(parts: { pronotum: string; head: string; body: string; images?: string }): Pick<FinetuneOptions, 'pretrain' | 'target'> {
  const part = (data: string, label: keyof typeof PAPER_SCENARIO2): FinetunePart => ({
    data,
    images: parts.images,
    landmarkSubset: [...PAPER_SCENARIO2[label]],
    label,
  });
  return {
    pretrain: [part(parts.pronotum, 'pronotum'), part(parts.head, 'head'), part(parts.body, 'body')],
    target: part(parts.pronotum, 'pronotum'),
  };
}

export async function runFinetune(options: FinetuneOptions, env: JobEnv): Promise<FinetuneResult> {
  const started = Date.now();
  if (options.pretrain.length === 0) throw new Error('fine-tuning needs at least one pretraining data set');
  const { pretrain, target, pretrainEpochs, reusePretrained, ...train } = options;
  const out = path.resolve(options.out);
  const pretrainedDir = path.join(out, 'pretrained');
  const label = (p: FinetunePart): string => p.label ?? path.basename(p.data);
  const sources = (parts: FinetunePart[]) => parts.map((p) => ({ data: p.data, images: p.images, landmarkSubset: p.landmarkSubset, label: p.label }));

  let pre;
  if (reusePretrained && fs.existsSync(metadataPath(pretrainedDir))) {
    env.log(`fine-tune: reusing the pretrained model in ${pretrainedDir}`);
    // Through the one metadata parser: a damaged file is an error naming it, not a TypeError.
    const meta = readMetadata(pretrainedDir);
    pre = { kind: 'train' as const, modelDir: pretrainedDir, epochs: meta.training.epochs, bestEpoch: meta.training.bestEpoch, bestValLoss: meta.training.bestValLoss, cancelled: false, seconds: 0 };
  } else {
    env.log(`fine-tune: pretraining on ${pretrain.map(label).join(' + ')}`);
    pre = await runTrainJob(
      { ...train, epochs: pretrainEpochs ?? train.epochs, out: pretrainedDir, sources: sources(pretrain) },
      {
        ...env,
        progress: (p) => env.progress(p.kind === 'train' ? { ...p, message: `pretraining${p.message ? `: ${p.message}` : ''}` } : p),
        log: (m) => env.log(`pretrain: ${m}`),
      },
    );
    if (pre.cancelled && pre.bestEpoch === 0) throw new Error('fine-tuning cancelled during pretraining: no model');
  }
  if (pre.cancelled) {
    return { kind: 'finetune', pretrainedDir, modelDir: out, pretrain: pre, finetune: { ...pre, modelDir: out, epochs: 0, bestEpoch: 0 }, seconds: (Date.now() - started) / 1000 };
  }
  env.log(`fine-tune: training on ${label(target)} from the pretrained model`);
  const fine = await runTrainJob(
    { ...train, out, sources: sources([target]), initFrom: pretrainedDir },
    {
      ...env,
      progress: (p) => env.progress(p.kind === 'train' ? { ...p, message: `fine-tuning${p.message ? `: ${p.message}` : ''}` } : p),
      log: (m) => env.log(`fine-tune: ${m}`),
    },
  );
  return { kind: 'finetune', pretrainedDir, modelDir: out, pretrain: pre, finetune: fine, seconds: (Date.now() - started) / 1000 };
}
