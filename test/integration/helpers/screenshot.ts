/**
 * Screenshots of the whole workbench page (webviews included, as a user sees them), taken by the
 * driver (scripts/vscode-test/run.ts) that holds the browser. The suite asks by dropping a small
 * JSON request file into $LANDMARKS_TEST_SCREENSHOT_REQUESTS; the driver takes the picture into
 * .test-artifacts/<name>.png and removes the request.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ENV, artifactsDir } from './env';
import { waitFor } from './wait';
import { writeFileAtomic } from '../../../src/shared/node/atomic-write';

/** The request file's content (the driver reads it). */
export interface ScreenshotRequest {
  name: string;
  /** Absolute path of the PNG to write. */
  path: string;
}

/** True when a driver that can take screenshots is attached (code-server run, not test-electron). */
export function screenshotsAvailable(): boolean {
  const dir = process.env[ENV.screenshotRequests];
  return !!dir && fs.existsSync(dir);
}

/** Letters, digits, '-', '_' and '.' only, so a name is a safe file name. */
export function screenshotFileName(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
  if (!safe) throw new Error(`screenshot: name "${name}" has no usable characters`);
  return `${safe}.png`;
}

/**
 * Takes a screenshot of the workbench into .test-artifacts/<name>.png and resolves with its path
 * once the file is complete. Rejects when no driver is attached (check screenshotsAvailable()
 * first in tests that also run under @vscode/test-electron) or after `timeoutMs`.
 */
export async function screenshot(name: string, timeoutMs = 30_000): Promise<string> {
  const requests = process.env[ENV.screenshotRequests];
  if (!requests || !fs.existsSync(requests)) {
    throw new Error(`screenshot("${name}"): no screenshot driver attached (${ENV.screenshotRequests} is not set)`);
  }
  const file = screenshotFileName(name);
  const target = path.join(artifactsDir(), file);
  await fs.promises.mkdir(path.dirname(target), { recursive: true });
  await fs.promises.rm(target, { force: true });
  const request: ScreenshotRequest = { name, path: target };
  const id = `${Date.now()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const requestFile = path.join(requests, `${id}.json`);
  // Atomic: the driver only ever sees complete requests (it reads *.json, the temp file ends in .tmp).
  await writeFileAtomic(requestFile, JSON.stringify(request));
  await waitFor(`the driver to save screenshot ${target}`, () => !fs.existsSync(requestFile) && fs.existsSync(target), {
    timeoutMs,
  });
  return target;
}
