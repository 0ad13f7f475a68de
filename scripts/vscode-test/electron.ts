/**
 * The same integration suite under @vscode/test-electron, for machines that can download VS Code
 * (not this offline workplace: use run.ts there). Runs the repository as the extension under
 * development, in a temporary workspace with a link to ../shared/data.
 *
 *   npm run test:electron [-- --grep <re>]
 */
import { runTests } from '@vscode/test-electron';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ENV } from '../../test/integration/helpers/env';

async function main(): Promise<void> {
  const repoRoot = path.resolve(__dirname, '..', '..');
  const args = process.argv.slice(2);
  const grepAt = args.indexOf('--grep');
  const data = process.env.LANDMARKS_DATA ?? path.resolve(repoRoot, '..', 'shared', 'data');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'landmarks-electron-'));
  const workspace = path.join(tmp, 'workspace');
  fs.mkdirSync(path.join(workspace, 'scratch'), { recursive: true });
  if (fs.existsSync(data)) fs.symlinkSync(data, path.join(workspace, 'data'), 'dir');
  const artifacts = path.join(repoRoot, '.test-artifacts');
  fs.mkdirSync(artifacts, { recursive: true });
  try {
    await runTests({
      version: process.env.LANDMARKS_VSCODE_VERSION ?? 'stable',
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: path.join(repoRoot, 'dist', 'test', 'integration', 'index.js'),
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--user-data-dir', path.join(tmp, 'user-data')],
      extensionTestsEnv: {
        [ENV.repoRoot]: repoRoot,
        [ENV.data]: data,
        [ENV.artifacts]: artifacts,
        [ENV.results]: path.join(artifacts, 'integration-results.json'),
        ...(grepAt >= 0 ? { [ENV.grep]: args[grepAt + 1] } : {}),
      },
    });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`test-electron: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
