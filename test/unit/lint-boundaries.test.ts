/**
 * `npm run lint` keeps the rooms (eslint.config.mjs): each forbidden import is an error naming
 * the rule of the house, each allowed one passes. Linted as text at a path in each room, the way
 * ESLint lints the real files.
 */
import * as assert from 'assert';
import { ESLint } from 'eslint';
import { repoRoot } from '../helpers/data';

async function problems(filePath: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: repoRoot });
  const [r] = await eslint.lintText(code, { filePath });
  return r.messages.map((m) => m.message);
}

describe('lint: import boundaries between the rooms', function () {
  this.timeout(60_000);

  for (const [file, code, why] of [
    ['src/extension/workbench/x.ts', "import { runPredict } from '../../engine/predict';", /never imports engine modules/],
    ['src/extension/workbench/x.ts', "import * as tf from '@tensorflow/tfjs';", /tfjs runs in the engine child/],
    ['src/webview/editor/x.ts', "import { TpsEditorDocument } from '../../extension/editor/document';", /by messages only/],
    ['src/webview/editor/x.ts', "import * as fs from 'fs';", /no Node modules/],
    ['src/webview/editor/x.ts', "import * as vscode from 'vscode';", /no vscode API/],
    ['src/shared/tps/x.ts', "import * as vscode from 'vscode';", /pure core/],
    ['src/shared/tps/x.ts', "import * as fs from 'fs';", /shared\/ is pure/],
    ['src/shared/metrics/x.ts', "import { decodeImage } from '../../engine/data/image';", /imports no room above it/],
    ['src/engine/x.ts', "import * as vscode from 'vscode';", /outside VS Code/],
    ['src/cli/x.ts', "import { registerTpsEditor } from '../extension/editor/register';", /shell over engine and shared/],
  ] as const) {
    it(`${file}: ${code}`, async () => {
      const found = await problems(file, code);
      assert.strictEqual(found.length, 1, JSON.stringify(found));
      assert.match(found[0], why);
    });
  }

  it('what each room may import passes', async () => {
    assert.deepStrictEqual(await problems('src/extension/workbench/x.ts', "import type { TrainOptions } from '../../shared/protocol/engine';\nimport * as vscode from 'vscode';"), []);
    assert.deepStrictEqual(await problems('src/shared/dataset/x.ts', "import * as fs from 'fs';"), []);
    assert.deepStrictEqual(await problems('src/shared/node/x.ts', "import * as fs from 'fs';"), []);
    assert.deepStrictEqual(await problems('src/extension/workbench/x.ts', "import { writeFileAtomic } from '../../shared/node/atomic-write';"), []);
    assert.deepStrictEqual(await problems('src/cli/x.ts', "import { runPredict } from '../engine/predict';"), []);
    assert.deepStrictEqual(await problems('src/webview/editor/x.ts', "import type { HostToWebview } from '../../shared/protocol/editor';"), []);
  });
});
