/**
 * Integration tests inside a real VS Code (code-server + Debian Chromium), offline.
 *
 *   npm run test:integration [-- --grep <re>] [--dev | --no-package] [--keep] [--timeout <s>]
 *
 * --dev: quick iteration: builds (no .vsix) and loads the extension from the checkout itself.
 * --no-package: builds only the test bundle and reuses the existing dist/landmarks.vsix.
 *
 * 1. setup.sh: Node 24, code-server, Chromium in a cache outside the clone (seconds when cached);
 * 2. `npm run package` -> dist/landmarks.vsix (unless --no-package), test bundle built too;
 * 3. installs the .vsix with code-server's --install-extension and runs the suite with
 *    extensionDevelopmentPath = the installed folder: what ships is what is tested;
 * 4. prints the suite's lines and a final `N passed, N failed` line; exit code = the result.
 * Artefacts (screenshots, workbench and server logs, VS Code's logs) go to .test-artifacts/.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ENV, type SuiteResult } from '../../test/integration/helpers/env';
import { installVsix, startCodeServer, type CodeServer } from './codeServer';
import { openWorkbench, serveScreenshots, type Workbench } from './browser';
import { setup } from './tools';

const repoRoot = path.resolve(__dirname, '..', '..');
const artifacts = path.join(repoRoot, '.test-artifacts');
const vsix = path.join(repoRoot, 'dist', 'landmarks.vsix');
const testsIndex = path.join(repoRoot, 'dist', 'test', 'integration', 'index.js');

interface Options {
  grep?: string;
  package: boolean;
  /** Load the extension from the checkout instead of an installed .vsix. */
  dev: boolean;
  keep: boolean;
  timeoutS: number;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { package: true, dev: false, keep: false, timeoutS: Number(process.env.LANDMARKS_IT_TIMEOUT_S ?? 1200) };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--grep') o.grep = argv[++i];
    else if (a === '--no-package') o.package = false;
    else if (a === '--dev') o.dev = true;
    else if (a === '--keep') o.keep = true;
    else if (a === '--timeout') o.timeoutS = Number(argv[++i]);
    else throw new Error(`run.ts: unknown argument ${a} (known: --grep <re>, --dev, --no-package, --keep, --timeout <s>)`);
  }
  if (!(o.timeoutS > 0)) throw new Error('run.ts: --timeout must be a positive number of seconds');
  return o;
}

function say(line: string): void {
  console.log(`[integration] ${line}`);
}

/** Every test/integration/*.test.ts must be listed in SUITES in test/integration/index.ts. */
function checkSuitesListed(): void {
  const dir = path.join(repoRoot, 'test', 'integration');
  const index = fs.readFileSync(path.join(dir, 'index.ts'), 'utf8');
  const listed = /SUITES[^=]*=\s*\[([^\]]*)\]/.exec(index)?.[1] ?? '';
  const names = new Set([...listed.matchAll(/'([^']+)'|"([^"]+)"/g)].map((m) => m[1] ?? m[2]));
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.test.ts')).map((f) => f.slice(0, -'.test.ts'.length));
  const missing = files.filter((f) => !names.has(f));
  if (missing.length) {
    throw new Error(`test/integration/index.ts: add ${missing.map((m) => `'${m}'`).join(', ')} to SUITES (else they never run)`);
  }
}

function npm(args: string[]): void {
  // A hang fails instead of waiting forever (packaging takes about a minute).
  const r = spawnSync('npm', args, { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'], timeout: 900_000, killSignal: 'SIGKILL' });
  if (r.error) throw new Error(`npm ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`npm ${args.join(' ')} failed with exit code ${r.status ?? r.signal}`);
}

/** Prints new lines of a growing file as they arrive. */
function tail(file: string, print: (line: string) => void): { stop(): void } {
  let offset = 0;
  let rest = '';
  const poll = () => {
    try {
      const size = fs.statSync(file).size;
      if (size <= offset) return;
      const fd = fs.openSync(file, 'r');
      const buf = Buffer.alloc(size - offset);
      fs.readSync(fd, buf, 0, buf.length, offset);
      fs.closeSync(fd);
      offset = size;
      const text = rest + buf.toString('utf8');
      const lines = text.split('\n');
      rest = lines.pop() ?? '';
      lines.forEach(print);
    } catch {
      /* not there yet */
    }
  };
  const timer = setInterval(poll, 200);
  return {
    stop() {
      clearInterval(timer);
      poll();
      if (rest) print(rest);
    },
  };
}

/** A workspace folder that copies nothing: a symlink to ../shared/data and room for scratch files. */
function makeWorkspace(root: string, data: string): string {
  const ws = path.join(root, 'workspace');
  fs.mkdirSync(path.join(ws, 'scratch'), { recursive: true });
  if (fs.existsSync(data)) fs.symlinkSync(data, path.join(ws, 'data'), 'dir');
  return ws;
}

function vscodeRemote(origin: string, file: string): string {
  return `vscode-remote://${new URL(origin).host}${file}`;
}

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  const started = Date.now();
  checkSuitesListed();
  const tools = await setup();
  say(`tools: code-server ${tools.versions.codeServer} (VS Code ${tools.versions.vscode}) on Node ${tools.versions.node}, ${tools.chromium}`);

  if (opts.dev) {
    say('--dev: building, and loading the extension from the checkout (not the .vsix)');
    npm(['run', '--silent', 'build']);
  } else if (opts.package) {
    say('building and packaging (npm run package)');
    npm(['run', '--silent', 'package']);
  } else {
    say('building the test bundle (--no-package: using the existing dist/landmarks.vsix)');
    const r = spawnSync(process.execPath, ['esbuild.js', 'integration-tests'], { cwd: repoRoot, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('node esbuild.js integration-tests failed');
  }
  if (!opts.dev && !fs.existsSync(vsix)) throw new Error(`${vsix} is missing (npm run package makes it)`);
  if (!fs.existsSync(testsIndex)) throw new Error(`${testsIndex} is missing (node esbuild.js integration-tests makes it)`);

  fs.mkdirSync(artifacts, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'landmarks-it-'));
  const dirs = {
    userData: path.join(tmp, 'user-data'),
    extensions: path.join(tmp, 'extensions'),
    config: path.join(tmp, 'code-server.yaml'),
  };
  const installed = { ...dirs, extensions: path.join(tmp, 'installed') };
  fs.mkdirSync(dirs.extensions, { recursive: true });
  fs.mkdirSync(installed.extensions, { recursive: true });
  fs.writeFileSync(dirs.config, 'auth: none\ndisable-telemetry: true\ndisable-update-check: true\n');
  const requests = path.join(tmp, 'screenshot-requests');
  fs.mkdirSync(requests);
  const data = process.env.LANDMARKS_DATA ?? path.resolve(repoRoot, '..', 'shared', 'data');
  const workspace = makeWorkspace(tmp, data);
  if (!fs.existsSync(data)) say(`note: no real data at ${data}: tests that need it will skip`);

  // Logs are written inside this run's temp folder (other runs may share the checkout) and
  // copied to .test-artifacts/ at the end; screenshots go to .test-artifacts/ directly.
  const runLogs = path.join(tmp, 'logs');
  fs.mkdirSync(runLogs);
  const serverLog = fs.createWriteStream(path.join(runLogs, 'code-server.log'));
  const workbenchLog = fs.createWriteStream(path.join(runLogs, 'workbench.log'));
  const suiteLog = path.join(runLogs, 'integration.log');
  const resultsFile = path.join(runLogs, 'integration-results.json');
  fs.writeFileSync(suiteLog, '');

  let extensionFolder = repoRoot;
  if (!opts.dev) {
    say(`installing ${path.relative(repoRoot, vsix)} (${(fs.statSync(vsix).size / 1e6).toFixed(1)} MB) with code-server --install-extension`);
    extensionFolder = await installVsix(tools, vsix, installed, serverLog);
  }

  let server: CodeServer | undefined;
  let workbench: Workbench | undefined;
  let screenshots: { stop(): void } | undefined;
  // The suite's own final count is replaced by ours below (which also counts run errors).
  const suiteTail = tail(suiteLog, (l) => (/^\d+ passed, \d+ failed/.test(l) ? undefined : console.log(l)));
  let timer: NodeJS.Timeout | undefined;
  let result: SuiteResult | undefined;
  let exitCode = 1;
  let reason = '';
  try {
    server = await startCodeServer(tools, {
      ...dirs,
      log: serverLog,
      env: {
        [ENV.repoRoot]: repoRoot,
        [ENV.data]: data,
        [ENV.artifacts]: artifacts,
        [ENV.screenshotRequests]: requests,
        [ENV.log]: suiteLog,
        [ENV.results]: resultsFile,
        ...(opts.grep ? { [ENV.grep]: opts.grep } : {}),
      },
    });
    say(`code-server at ${server.origin}; workspace ${workspace}`);
    const payload = [
      ['extensionDevelopmentPath', vscodeRemote(server.origin, extensionFolder)],
      ['extensionTestsPath', vscodeRemote(server.origin, testsIndex)],
    ];
    const url = `${server.origin}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    workbench = await openWorkbench({ chromium: tools.chromium, url, log: workbenchLog, logsDir: path.join(runLogs, 'vscode-logs') });
    const wb = workbench;
    screenshots = serveScreenshots(requests, artifacts, (file) => wb.screenshot(file), (l) => workbenchLog.write(`[driver] ${l}\n`));
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), opts.timeoutS * 1000)));
    const serverDied = server.exited.then((c) => `code-server exited (code ${c}) during the run` as const);
    const code = await Promise.race([wb.exitCode, timeout, serverDied]);
    if (typeof code === 'string' && code !== 'timeout') {
      reason = code;
    } else if (code === 'timeout') {
      reason = `timed out after ${opts.timeoutS} s (hard limit; --timeout or LANDMARKS_IT_TIMEOUT_S to change)`;
      await wb.screenshot(path.join(artifacts, 'timeout.png')).catch(() => undefined);
    } else {
      exitCode = code;
    }
  } catch (e) {
    reason = e instanceof Error ? e.message : String(e);
  } finally {
    if (timer) clearTimeout(timer);
    screenshots?.stop();
    await new Promise((r) => setTimeout(r, 300));
    suiteTail.stop();
    await workbench?.close();
    await server?.stop();
    await Promise.all([serverLog, workbenchLog].map((l) => new Promise((r) => l.end(r))));
    fs.rmSync(path.join(artifacts, 'vscode-logs'), { recursive: true, force: true });
    fs.cpSync(runLogs, artifacts, { recursive: true });
    if (fs.existsSync(resultsFile)) result = JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as SuiteResult;
    if (!opts.keep) fs.rmSync(tmp, { recursive: true, force: true });
    else say(`kept ${tmp}`);
  }

  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  say(`logs: ${path.relative(repoRoot, artifacts)}/ (workbench.log, code-server.log, integration.log, vscode-logs/, *.png); ${seconds} s`);
  if (reason) console.error(`[integration] error: ${reason}`);
  if (!result) {
    console.error('[integration] the suite reported no result (see .test-artifacts/workbench.log)');
    console.log(`0 passed, 1 failed`);
    return 1;
  }
  const ok = exitCode === 0 && result.failed === 0 && !reason;
  if (!ok && result.failed === 0) console.error(`[integration] VS Code reported exit code ${exitCode}`);
  const failed = result.failed + (!ok && result.failed === 0 ? 1 : 0);
  console.log(`${result.passed} passed, ${failed} failed${result.pending ? `, ${result.pending} skipped` : ''}`);
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`[integration] error: ${e instanceof Error ? e.message : String(e)}`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
