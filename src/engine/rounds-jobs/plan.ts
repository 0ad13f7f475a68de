/**
 * A rounds plan: the data's samples cut into seeded test sets (every image tested once), with
 * the training options, written as plan.json in the work folder so that each round can run as
 * its own job (here, on a local worker, on a SLURM node) and find the same test set.
 *
 * The plan's id hashes everything that decides the results, the data's contents included, so a
 * rerun with the same data and options resumes (its round results carry the same id) and any
 * change makes a new plan whose rounds all run again. Not the backend: each job picks the best
 * one its machine has (a GPU node, a CPU login node) and its result file says which ran.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { PLAN_FORMAT, type PlanTraining, type RoundsPlan } from '../../shared/protocol/rounds';
import { Rng } from '../../shared/augment/rng';
import { ENGINE_VERSION } from '../model-io/metadata';
import type { Sample } from '../presets/preset';
import { loadSamples } from '../train/samples';
import type { StagedChanges } from './staged';
import { roundName, type WorkDir } from './workdir';

export interface PlanRequest {
  data: string;
  images?: string;
  landmarkSubset?: number[];
  testSize: number;
  seed?: number;
  train: PlanTraining;
}

export function roundTestSets<T>(items: T[], testSize: number, seed: number): T[][] {
  if (!(testSize >= 1)) throw new Error(`test size must be at least 1 (got ${testSize})`);
  const order = new Rng(seed ^ 0x2545f491).shuffle([...items]);
  const sets: T[][] = [];
  for (let i = 0; i < order.length; i += testSize) sets.push(order.slice(i, i + testSize));
  return sets;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The samples as results depend on them: names, images (path, size, modification time: a
 * replaced photo is other data) and landmarks. In the loader's order, which is the file's.
 */
export function samplesHash(samples: readonly Sample[]): string {
  const rows = samples.map((s) => {
    let stat: [number, number] | null = null;
    try {
      const st = fs.statSync(s.imagePath);
      stat = [st.size, Math.round(st.mtimeMs)];
    } catch {
      stat = null;
    }
    return [s.name, s.imagePath, stat, s.landmarks, s.scale ?? null];
  });
  return sha256(JSON.stringify(rows));
}

/** The training options in a fixed key order (the id must not depend on how they were spelled). */
function canonicalTraining(t: PlanTraining): PlanTraining {
  const out: PlanTraining = { preset: t.preset };
  if (t.epochs !== undefined) out.epochs = t.epochs;
  if (t.batchSize !== undefined) out.batchSize = t.batchSize;
  if (t.learningRate !== undefined) out.learningRate = t.learningRate;
  if (t.validationSplit !== undefined) out.validationSplit = t.validationSplit;
  if (t.inputSize !== undefined) out.inputSize = [t.inputSize[0], t.inputSize[1]];
  if (t.patience !== undefined) out.patience = t.patience;
  if (t.profile) out.profile = t.profile;
  if (t.presetOptions && Object.keys(t.presetOptions).length) out.presetOptions = Object.fromEntries(Object.keys(t.presetOptions).sort().map((k) => [k, t.presetOptions![k]]));
  return out;
}

export function planIdOf(p: Omit<RoundsPlan, 'planId' | 'created' | 'format' | 'version'>): string {
  const identity = [
    ENGINE_VERSION,
    p.data,
    p.images ?? null,
    p.landmarkSubset ?? null,
    p.testSize,
    p.seed,
    canonicalTraining(p.train),
    p.samplesHash,
    p.rounds.map((r) => [r.index, r.seed, r.test, r.samples]),
  ];
  return sha256(JSON.stringify(identity)).slice(0, 16);
}

/** Loads the samples and cuts the rounds; nothing is written. */
export async function makePlan(req: PlanRequest, log: (m: string) => void): Promise<{ plan: RoundsPlan; samples: Sample[] }> {
  const data = path.resolve(req.data);
  const images = req.images ? path.resolve(req.images) : undefined;
  const set = await loadSamples([{ data, images, landmarkSubset: req.landmarkSubset }]);
  for (const s of set.skipped.slice(0, 10)) log(`skipped ${s.name} (${s.file}): ${s.why}`);
  if (set.skipped.length > 10) log(`... and ${set.skipped.length - 10} more specimen(s) skipped`);
  if (set.samples.length < req.testSize + 2) {
    throw new Error(`${req.data}: ${set.samples.length} usable images, too few for test sets of ${req.testSize} (need at least ${req.testSize + 2})`);
  }
  const seed = req.seed ?? 1;
  const tests = roundTestSets(set.samples.map((sample, i) => ({ sample, i })), req.testSize, seed);
  const body = {
    data,
    ...(images ? { images } : {}),
    ...(req.landmarkSubset ? { landmarkSubset: req.landmarkSubset } : {}),
    testSize: req.testSize,
    seed,
    train: canonicalTraining(req.train),
    samples: set.samples.length,
    landmarkCount: set.landmarkCount,
    samplesHash: samplesHash(set.samples),
    rounds: tests.map((t, index) => ({
      index,
      name: roundName(index),
      seed: seed + index,
      test: t.map((s) => s.sample.name),
      samples: t.map((s) => s.i),
    })),
  };
  const plan: RoundsPlan = { format: PLAN_FORMAT, version: 1, planId: planIdOf(body), created: new Date().toISOString(), ...body };
  return { plan, samples: set.samples };
}

/** The files of an earlier plan that would describe this folder wrongly once a new plan is in. */
function staleFiles(work: WorkDir): string[] {
  const files = [work.merged, work.predictedTps, work.evaluation, work.submission];
  if (fs.existsSync(work.resultsDir)) {
    for (const f of fs.readdirSync(work.resultsDir)) if (f.endsWith('.json')) files.push(path.join(work.resultsDir, f));
  }
  return files.filter((f) => fs.existsSync(f));
}

/**
 * Puts `plan` in the work folder through `staged`: the same plan already there is kept (its
 * finished rounds count: resume); another one is replaced, and its results, merge and SLURM
 * submission go with it. Returns the plan in force and whether it was already there.
 */
export function adoptPlan(work: WorkDir, plan: RoundsPlan, staged: StagedChanges, log: (m: string) => void): { plan: RoundsPlan; resumed: boolean } {
  const existing = work.tryReadPlan();
  if (existing && existing.planId === plan.planId) return { plan: existing, resumed: true };
  if (existing) {
    const stale = staleFiles(work);
    log(`${work.plan}: replacing plan ${existing.planId} (other data or options) with ${plan.planId}; ${stale.length} file(s) of the old plan removed`);
    for (const f of stale) staged.remove(f);
  } else if (fs.existsSync(work.plan)) {
    log(`${work.plan}: not a readable plan; replacing it`);
  }
  staged.write(work.plan, JSON.stringify(plan, null, 2) + '\n');
  return { plan, resumed: false };
}
