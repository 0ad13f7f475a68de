/** The setting for the presets' own options is generated from their declarations: package.json must match them. */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { presetOptionsSetting, SETTING } from '../../scripts/settings-schema';
import { repoRoot } from '../helpers/data';

describe('settings: landmarks.train.presetOptions', () => {
  it('package.json declares exactly the options the presets declare (regenerate with npx tsx scripts/settings-schema.ts)', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, unknown> } } };
    assert.deepStrictEqual(manifest.contributes.configuration.properties[SETTING], presetOptionsSetting());
    const d = (presetOptionsSetting().properties as Record<string, { properties: Record<string, { description: string; default: unknown }> }>).default;
    assert.ok(d.properties['sdm.ridge'].description.length > 10 && d.properties['patchnet.steps'].default === 1000);
  });
});
