/**
 * The Landmark Editor is the one default editor for TPS files. VS Code matches a custom editor's
 * `filenamePattern` case-insensitively and counts each matching selector as one candidate: two
 * selectors `*.tps` and `*.TPS` made the same editor two defaults for every TPS file, and VS Code
 * asked "There are multiple default editors available for the resource" on first open. The
 * association in `configurationDefaults` makes the choice explicit, whatever else claims `.tps`.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { repoRoot } from '../helpers/data';

interface Manifest {
  contributes: {
    customEditors: { viewType: string; selector: { filenamePattern: string }[]; priority?: string }[];
    configurationDefaults?: Record<string, unknown>;
  };
}

/** VS Code's match of a file-name glob (`*`, `?`), case-insensitive as its editor resolver does. */
function globMatches(glob: string, fileName: string): boolean {
  const re = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${re}$`, 'i').test(fileName);
}

describe('workbench manifest: the Landmark Editor as the one default for TPS files', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as Manifest;
  const editor = manifest.contributes.customEditors.find((e) => e.viewType === 'landmarks.tpsEditor');
  const names = ['wings.tps', 'Md_001.TPS', 'Mixed.Tps'];

  it('is a default editor with exactly one selector matching each TPS file name', () => {
    assert.ok(editor, 'landmarks.tpsEditor is contributed');
    assert.strictEqual(editor.priority, 'default');
    for (const name of names) {
      const matching: { filenamePattern: string }[] = editor.selector.filter((s) => globMatches(s.filenamePattern, name));
      assert.strictEqual(matching.length, 1, `${name}: ${matching.length} selectors match (${JSON.stringify(matching)}): each counts as a default`);
    }
  });

  it('is associated with TPS files in configurationDefaults, so VS Code never has to ask', () => {
    const assoc = manifest.contributes.configurationDefaults?.['workbench.editorAssociations'] as Record<string, string> | undefined;
    assert.ok(assoc, 'contributes.configurationDefaults["workbench.editorAssociations"]');
    for (const name of names) {
      const chosen: string[] = Object.entries(assoc).filter(([glob]) => globMatches(glob, name)).map(([, id]) => id);
      assert.ok(chosen.length > 0, `${name} is associated`);
      assert.deepStrictEqual([...new Set(chosen)], ['landmarks.tpsEditor'], `${name} opens in the Landmark Editor`);
    }
  });
});
