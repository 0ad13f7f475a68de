import * as fs from 'fs';
import * as path from 'path';

/** Repository root (this file lives in test/helpers; bundled copies pass it via LANDMARKS_REPO_ROOT). */
export const repoRoot: string = process.env.LANDMARKS_REPO_ROOT ?? path.resolve(__dirname, '..', '..');

/** ../shared/data beside the checkout (override with LANDMARKS_DATA). */
export const sharedDataRoot: string = process.env.LANDMARKS_DATA ?? path.resolve(repoRoot, '..', 'shared', 'data');

/** Path inside ../shared/data. */
export function dataPath(...parts: string[]): string {
  return path.join(sharedDataRoot, ...parts);
}

export function hasData(...parts: string[]): boolean {
  return fs.existsSync(dataPath(...parts));
}

/**
 * For use in mocha `before`/`it` with `function () {}`: skips with a clear message when the
 * shared data is absent (e.g. on a user's machine), returns the path otherwise.
 */
export function requireData(ctx: Mocha.Context, ...parts: string[]): string {
  const p = dataPath(...parts);
  if (!fs.existsSync(p)) {
    console.warn(`    skipped: real data not found at ${p} (tests read ../shared/data beside the checkout)`);
    ctx.skip();
  }
  return p;
}
