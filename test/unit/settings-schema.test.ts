/** The setting for the presets' own options is generated from their declarations: package.json must match them. */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { PRESET_SETTING, presetOptionsSetting, presetSetting, SETTING } from '../../scripts/settings-schema';
import { repoRoot } from '../helpers/data';
import { getPreset } from '../../src/engine/presets';

describe('settings: landmarks.train.presetOptions', () => {
  it('package.json declares exactly the options the presets declare (regenerate with npx tsx scripts/settings-schema.ts)', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, unknown> } } };
    assert.deepStrictEqual(manifest.contributes.configuration.properties[SETTING], presetOptionsSetting());
    // each option of the preset's profile is there with its doc and default, nothing else
    const d = (presetOptionsSetting().properties as Record<string, { properties: Record<string, { description: string; default: unknown }> }>).default;
    const decls = getPreset('default').options?.() ?? [];
    assert.deepStrictEqual(Object.keys(d.properties), decls.map((o) => o.name));
    assert.ok(decls.every((o) => d.properties[o.name].description === o.doc && d.properties[o.name].default === o.default));
  });

  it('the preset setting offers every preset the engine ships, each with the description the wizard shows', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, { enum: string[]; enumDescriptions: string[] }> } } };
    assert.deepStrictEqual(manifest.contributes.configuration.properties[PRESET_SETTING], presetSetting());
    const s = manifest.contributes.configuration.properties[PRESET_SETTING];
    assert.ok(s.enum.includes('pose') && s.enum.includes('default') && s.enum.includes('paper'), s.enum.join());
    assert.strictEqual(s.enumDescriptions[s.enum.indexOf('pose')], getPreset('pose').description);
  });
});
