/**
 * What the test driver (scripts/vscode-test/run.ts) tells the suite through the environment of
 * the extension host. Every variable is optional: under @vscode/test-electron, or when a person
 * starts the suite by hand, the defaults below apply and the screenshot driver is absent.
 */
import * as path from 'path';

/** Names of the variables, shared by the driver and the suite. */
export const ENV = {
  /** Repository root (the test bundle lives in dist/test/integration, so __dirname is no guide). */
  repoRoot: 'LANDMARKS_REPO_ROOT',
  /** Real data, ../shared/data beside the checkout (read by test/helpers/data.ts). */
  data: 'LANDMARKS_DATA',
  /** Folder where screenshots and logs are kept (.test-artifacts/). */
  artifacts: 'LANDMARKS_TEST_ARTIFACTS',
  /** Folder the driver watches for screenshot requests; set only when a driver is attached. */
  screenshotRequests: 'LANDMARKS_TEST_SCREENSHOT_REQUESTS',
  /** File the suite appends its report lines to (the driver prints them as they come). */
  log: 'LANDMARKS_TEST_LOG',
  /** File the suite writes its final counts to, as JSON (see SuiteResult). */
  results: 'LANDMARKS_TEST_RESULTS',
  /** Mocha --grep for the integration suite. */
  grep: 'LANDMARKS_TEST_GREP',
} as const;

/** Final counts written to $LANDMARKS_TEST_RESULTS by test/integration/index.ts. */
export interface SuiteResult {
  passed: number;
  failed: number;
  pending: number;
  failures: { title: string; error: string }[];
  durationMs: number;
}

export function repoRoot(): string {
  return process.env[ENV.repoRoot] ?? path.resolve(__dirname, '..', '..', '..');
}

export function artifactsDir(): string {
  return process.env[ENV.artifacts] ?? path.join(repoRoot(), '.test-artifacts');
}
