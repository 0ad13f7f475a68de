/**
 * Profiles: a preset as data (src/engine/profiles/*.json, as SLEAP's training profiles are): the
 * stages in order, each with its options; resolved against the stages' declared options and the
 * user's overrides (`stage.option` = value), and saved resolved with the model.
 */
import type { ProfileSpec } from '../../shared/protocol/engine';
import { OptionError, resolveOptions, type OptionDecl, type OptionValues } from '../../shared/protocol/options';
import { stageNamed } from '../stages/registry';
import defaultProfile from '../profiles/default.json';
import poseProfile from '../profiles/pose.json';

export interface ProfileStage {
  stage: string;
  options: OptionValues;
}

export interface Profile {
  name: string;
  description: string;
  /** Folds of the out-of-fold answers each stage learns from. */
  folds: number;
  stages: ProfileStage[];
}

/** As written in a profile file: options may be partial. */
export type ProfileFile = ProfileSpec;

/** A profile given as data (a user's file): its shape checked, its stages known; `where` names it in errors. */
export function checkProfileFile(v: unknown, where: string): ProfileFile {
  const p = v as ProfileFile;
  if (!p || typeof p !== 'object' || typeof p.name !== 'string' || !p.name.trim()) throw new OptionError(`${where}: a profile needs a "name"`);
  if (!Array.isArray(p.stages) || p.stages.length === 0) throw new OptionError(`${where}: profile ${p.name} needs a non-empty "stages" list`);
  for (const [k, s] of p.stages.entries()) {
    if (!s || typeof s.stage !== 'string') throw new OptionError(`${where}: stage ${k + 1} of profile ${p.name} has no "stage" name`);
    stageNamed(s.stage, `${where}: profile ${p.name}`);
    if (s.options !== undefined && (typeof s.options !== 'object' || Array.isArray(s.options))) throw new OptionError(`${where}: options of stage ${s.stage} must be an object`);
  }
  if (p.folds !== undefined && !(Number.isInteger(p.folds) && p.folds >= 2)) throw new OptionError(`${where}: "folds" must be a whole number >= 2`);
  return { name: p.name, description: typeof p.description === 'string' ? p.description : '', ...(p.folds !== undefined ? { folds: p.folds } : {}), stages: p.stages };
}

const PROFILES: Record<string, ProfileFile> = { default: defaultProfile as ProfileFile, pose: poseProfile as ProfileFile };

export function profileFile(name: string): ProfileFile {
  const p = PROFILES[name];
  if (!p) throw new OptionError(`unknown profile "${name}" (known: ${Object.keys(PROFILES).join(', ')})`);
  return p;
}

/** The options a profile reads, as `stage.option` with the profile's value as the default: what the CLI help and the wizard show. */
export function profileOptions(file: ProfileFile): OptionDecl[] {
  const out: OptionDecl[] = [{ name: 'folds', type: 'integer', default: file.folds ?? 4, min: 2, max: 20, doc: 'Folds of the out-of-fold answers each stage learns from.' }];
  for (const s of file.stages) {
    const stage = stageNamed(s.stage, `profile ${file.name}`);
    for (const d of stage.options) out.push({ ...d, name: `${s.stage}.${d.name}`, default: (s.options?.[d.name] as OptionDecl['default'] | undefined) ?? d.default });
  }
  return out;
}

/**
 * The profile with every option set: the stages' defaults, then the profile's values, then
 * `overrides` (`stage.option` or `folds`); an unknown stage or option is an error naming it.
 */
export function resolveProfile(file: ProfileFile, overrides: Record<string, unknown> = {}, where = 'options'): Profile {
  const flat = resolveOptions(profileOptions(file), overrides, where);
  return {
    name: file.name,
    description: file.description,
    folds: flat.folds as number,
    stages: file.stages.map((s) => {
      const stage = stageNamed(s.stage, `profile ${file.name}`);
      resolveOptions(stage.options, s.options ?? {}, `profile ${file.name}, stage ${s.stage}`);
      const options: OptionValues = {};
      for (const d of stage.options) options[d.name] = flat[`${s.stage}.${d.name}`];
      return { stage: s.stage, options };
    }),
  };
}

/** A profile read back from a model file (checked: the stages must exist, options are re-resolved). */
export function checkProfile(v: unknown, where: string): Profile {
  const p = v as Profile;
  if (!p || typeof p.name !== 'string' || !Array.isArray(p.stages) || typeof p.folds !== 'number') throw new OptionError(`${where}: not a pipeline profile`);
  return {
    name: p.name,
    description: String(p.description ?? ''),
    folds: p.folds,
    stages: p.stages.map((s) => ({ stage: s.stage, options: resolveOptions(stageNamed(s.stage, where).options, s.options ?? {}, `${where}, stage ${s.stage}`) })),
  };
}
