/**
 * Drives the web workbench in Debian's Chromium through playwright-core: opens the test URL,
 * receives VS Code's automation log and the test run's exit code, and takes the screenshots the
 * suite asks for (request files, see test/integration/helpers/screenshot.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { ScreenshotRequest } from '../../test/integration/helpers/screenshot';
import { writeFileAtomic } from '../../src/shared/node/atomic-write';

export interface Workbench {
  browser: Browser;
  page: Page;
  /** Resolves with the code VS Code reports when the extension tests finish. */
  exitCode: Promise<number>;
  /** Saves the page as a PNG (atomic). */
  screenshot(file: string): Promise<void>;
  close(): Promise<void>;
}

export interface WorkbenchOptions {
  chromium: string;
  url: string;
  /** Every automation log line and page console message goes here. */
  log: fs.WriteStream;
  /** Where VS Code's own log files are written when the run ends. */
  logsDir: string;
}

const CHROMIUM_ARGS = [
  '--no-sandbox', // root cannot use the sandbox
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

function stamp(): string {
  return new Date().toISOString().slice(11, 23);
}

function formatArgs(args: unknown): string {
  if (!Array.isArray(args)) return String(args);
  return args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
}

export async function openWorkbench(opts: WorkbenchOptions): Promise<Workbench> {
  const browser = await chromium.launch({ executablePath: opts.chromium, headless: true, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  const page = await context.newPage();
  let exit: (code: number) => void = () => undefined;
  const exitCode = new Promise<number>((resolve) => (exit = resolve));
  // VS Code calls these when --enable-smoke-test-driver is on (expose before navigating).
  await page.exposeFunction('codeAutomationLog', (type: unknown, args: unknown) => {
    opts.log.write(`${stamp()} [${String(type)}] ${formatArgs(args)}\n`);
  });
  await page.exposeFunction('codeAutomationExit', async (code: unknown, logs: unknown) => {
    opts.log.write(`${stamp()} [driver] codeAutomationExit(${String(code)})\n`);
    if (Array.isArray(logs)) {
      for (const entry of logs as { relativePath?: string; contents?: string }[]) {
        if (!entry?.relativePath || typeof entry.contents !== 'string') continue;
        const target = path.join(opts.logsDir, entry.relativePath.replace(/\.\.(\/|\\)/g, ''));
        await writeFileAtomic(target, entry.contents).catch(() => undefined);
      }
    }
    exit(typeof code === 'number' ? code : Number(code) || 1);
  });
  // Log lines already reach codeAutomationLog; keep the browser's own errors and warnings.
  page.on('console', (msg) => {
    if ((msg.type() === 'error' || msg.type() === 'warning') && !msg.text().startsWith('%c')) {
      opts.log.write(`${stamp()} [console.${msg.type()}] ${msg.text()}\n`);
    }
  });
  page.on('pageerror', (err) => opts.log.write(`${stamp()} [pageerror] ${err.stack ?? err.message}\n`));
  page.on('crash', () => {
    opts.log.write(`${stamp()} [driver] page crashed\n`);
    exit(1);
  });
  await page.goto(opts.url, { waitUntil: 'domcontentloaded', timeout: 120_000 });
  return {
    browser,
    page,
    exitCode,
    async screenshot(file: string) {
      await writeFileAtomic(file, await page.screenshot({ timeout: 30_000 }));
    },
    async close() {
      await browser.close().catch(() => undefined);
    },
  };
}

/**
 * Serves screenshot requests dropped into `dir` until stop() is called. A request for a path
 * outside `allowedRoot` is refused (the request file is still removed so the test sees a timeout
 * with the reason in the driver log).
 */
export function serveScreenshots(
  dir: string,
  allowedRoot: string,
  take: (file: string) => Promise<void>,
  log: (line: string) => void,
): { stop(): void } {
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      const names = (await fs.promises.readdir(dir)).filter((n) => n.endsWith('.json')).sort();
      for (const name of names) {
        const requestFile = path.join(dir, name);
        try {
          const req = JSON.parse(await fs.promises.readFile(requestFile, 'utf8')) as ScreenshotRequest;
          const target = path.resolve(req.path);
          if (!target.startsWith(path.resolve(allowedRoot) + path.sep)) throw new Error(`path ${target} is outside ${allowedRoot}`);
          await take(target);
          log(`screenshot ${req.name} -> ${target}`);
        } catch (e) {
          log(`screenshot request ${name} failed: ${e instanceof Error ? e.message : String(e)}`);
        }
        await fs.promises.rm(requestFile, { force: true });
      }
    } catch {
      /* folder gone: the run is ending */
    } finally {
      busy = false;
    }
  }, 150);
  return { stop: () => clearInterval(timer) };
}
