/**
 * Profile files checked by name (unknown stage, bad option), and the candidate profiles kept in
 * research/profiles/ still valid: pure, no training. The heatmap profile trained on the real fly
 * wings: test/engine/pipeline-heatmap.test.ts.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { checkProfileFile, resolveProfile } from '../../src/engine/pipeline/profile';
import { repoRoot } from '../helpers/data';

describe('pipeline: a profile that starts with the heatmap stage (real fly wings)', function () {
  it('a profile naming an unknown stage or a bad option is an error that names it', () => {
    assert.throws(() => checkProfileFile({ name: 'x', description: '', stages: [{ stage: 'hetamap' }] }, 'my.json'), /my\.json.*unknown stage "hetamap"/);
    assert.throws(() => checkProfileFile({ name: 'x', description: '', stages: [] }, 'my.json'), /non-empty "stages"/);
    const f = checkProfileFile({ name: 'x', description: '', stages: [{ stage: 'heatmap', options: { inputWidht: 64 } }] }, 'my.json');
    assert.throws(() => resolveProfile(f), /unknown option "inputWidht"/);
    // the candidate profiles kept in research/ stay valid as stages and options change
    const dir = path.join(repoRoot, 'research', 'profiles');
    const files = fs.readdirSync(dir).filter((n) => n.endsWith('.json'));
    assert.ok(files.length >= 1);
    for (const n of files) resolveProfile(checkProfileFile(JSON.parse(fs.readFileSync(path.join(dir, n), 'utf8')), n));
  });
});
