/**
 * The `landmarks.train.presetOptions` setting's JSON schema, generated from the presets' declared
 * options (the same declarations the CLI help and the engine's `ready` message carry), so the
 * Settings editor offers exactly the options each preset reads, with their docs and defaults; and
 * the `landmarks.train.preset` choices with each preset's one description.
 *   npx tsx scripts/settings-schema.ts          rewrites package.json's setting
 *   npx tsx scripts/settings-schema.ts --check  exits 1 when package.json is out of date
 * (test/unit/settings-schema.test.ts runs the check.)
 */
import * as fs from 'fs';
import * as path from 'path';
import { getPreset, presetNames } from '../src/engine/presets';
import type { OptionDecl } from '../src/shared/protocol/options';

export const SETTING = 'landmarks.train.presetOptions';
export const PRESET_SETTING = 'landmarks.train.preset';

function schemaOf(d: OptionDecl): Record<string, unknown> {
  return {
    type: d.type,
    default: d.default,
    description: d.doc,
    ...(d.min !== undefined ? { minimum: d.min } : {}),
    ...(d.max !== undefined ? { maximum: d.max } : {}),
    ...(d.choices ? { enum: d.choices } : {}),
  };
}

/** The preset setting as package.json declares it: the shipped presets, each described as the engine describes it. */
export function presetSetting(): Record<string, unknown> {
  return {
    type: 'string',
    enum: presetNames(),
    default: 'default',
    enumDescriptions: presetNames().map((n) => getPreset(n).description),
    description: 'The preset the Train wizard and cross-validation rounds offer first.',
  };
}

/** The setting as package.json declares it. */
export function presetOptionsSetting(): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const name of presetNames()) {
    const decls = getPreset(name).options?.() ?? [];
    if (!decls.length) continue;
    properties[name] = { type: 'object', additionalProperties: false, properties: Object.fromEntries(decls.map((d) => [d.name, schemaOf(d)])) };
  }
  return {
    type: 'object',
    default: {},
    additionalProperties: false,
    properties,
    markdownDescription:
      'Options of a preset\'s own (its stages\' settings), by preset, e.g. `{"default": {"sdm.ridge": 3}}`. Unset options take the preset\'s defaults; `node dist/cli.js train --help` lists them. Generated from the presets\' declarations (scripts/settings-schema.ts).',
  };
}

interface Manifest {
  contributes: { configuration: { properties: Record<string, unknown> } | { properties: Record<string, unknown> }[] };
}

function main(): number {
  const file = path.join(__dirname, '..', 'package.json');
  const text = fs.readFileSync(file, 'utf8');
  const manifest = JSON.parse(text) as Manifest;
  const conf = Array.isArray(manifest.contributes.configuration) ? manifest.contributes.configuration[0] : manifest.contributes.configuration;
  const want = presetOptionsSetting();
  if (process.argv.includes('--check')) {
    const same = JSON.stringify(conf.properties[SETTING]) === JSON.stringify(want) && JSON.stringify(conf.properties[PRESET_SETTING]) === JSON.stringify(presetSetting());
    if (!same) console.error(`package.json: ${SETTING} or ${PRESET_SETTING} is out of date with the presets' declarations; run npx tsx scripts/settings-schema.ts`);
    return same ? 0 : 1;
  }
  conf.properties[PRESET_SETTING] = presetSetting();
  // insert after landmarks.train.validationSplit, keeping the other settings' order
  const entries = Object.entries(conf.properties).filter(([k]) => k !== SETTING);
  const at = entries.findIndex(([k]) => k === 'landmarks.train.validationSplit');
  entries.splice(at >= 0 ? at + 1 : entries.length, 0, [SETTING, want]);
  conf.properties = Object.fromEntries(entries);
  fs.writeFileSync(file, JSON.stringify(manifest, null, 2) + '\n');
  console.log(`package.json: ${PRESET_SETTING} and ${SETTING} written`);
  return 0;
}

if (require.main === module) process.exit(main());
