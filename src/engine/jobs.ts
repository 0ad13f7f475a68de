/** Runs one protocol request's job (train, predict, evaluate, rounds, finetune). */
import type { EngineRequest, EngineResult } from '../shared/protocol/engine';
import type { JobEnv } from './env';
import { evaluateFiles } from './evaluate';
import { runFinetune } from './finetune';
import { predictImages } from './predict';
import { runRounds } from './rounds';
import { trainModel } from './train/run';

export type JobRequest = Exclude<EngineRequest, { type: 'cancel' } | { type: 'shutdown' }>;

export function isJobRequest(r: EngineRequest): r is JobRequest {
  return r.type !== 'cancel' && r.type !== 'shutdown';
}

export async function runJob(req: JobRequest, env: JobEnv): Promise<EngineResult> {
  switch (req.type) {
    case 'train':
      return trainModel(req.options, env);
    case 'predict':
      return predictImages(req.options, env);
    case 'rounds':
      return runRounds(req.options, env);
    case 'finetune':
      return runFinetune(req.options, env);
    case 'evaluate':
      return runEvaluate(req.options, env);
  }
}

async function runEvaluate(options: Extract<JobRequest, { type: 'evaluate' }>['options'], env: JobEnv): Promise<EngineResult> {
  const evaluation = await evaluateFiles(options);
  env.log(`evaluated ${evaluation.matched} matched specimen(s): mean ${evaluation.mean.toFixed(2)} px`);
  return { kind: 'evaluate', evaluation };
}
