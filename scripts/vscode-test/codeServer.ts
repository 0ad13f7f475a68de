/** Starting code-server (VS Code's server + web workbench) for one test run, and installing a .vsix. */
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as path from 'path';
import type { Tools } from './tools';

/** User settings for the test profile: nothing phones home, nothing pops up, nothing asks. */
export const TEST_SETTINGS: Record<string, unknown> = {
  'update.mode': 'none',
  'telemetry.telemetryLevel': 'off',
  'chat.disableAIFeatures': true,
  'chat.commandCenter.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'extensions.autoUpdate': 'off', // what VS Code 1.139 migrates `false` to (else it rewrites settings.json at startup)
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'files.hotExit': 'off',
  'search.followSymlinks': false,
  'window.commandCenter': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('freePort: no address'))));
    });
  });
}

function codeServerArgs(tools: Tools, dirs: { userData: string; extensions: string; config: string }): string[] {
  return [
    tools.codeServerEntry,
    '--config', dirs.config,
    '--user-data-dir', dirs.userData,
    '--extensions-dir', dirs.extensions,
  ];
}

/** Runs code-server's --install-extension for a .vsix into `extensionsDir`; returns the installed folder. */
export async function installVsix(
  tools: Tools,
  vsix: string,
  dirs: { userData: string; extensions: string; config: string },
  log: fs.WriteStream,
): Promise<string> {
  const args = [...codeServerArgs(tools, dirs), '--force', '--install-extension', vsix];
  await new Promise<void>((resolve, reject) => {
    const child = spawn(tools.node, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, EXTENSIONS_GALLERY: '{}' } });
    let text = '';
    const take = (d: Buffer) => {
      text += d.toString();
      log.write(d);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`code-server --install-extension ${vsix} failed (exit ${code}):\n${text.trim()}`)),
    );
  });
  const pkg = JSON.parse(await fs.promises.readFile(path.join(dirs.extensions, 'extensions.json'), 'utf8')) as {
    identifier: { id: string };
    relativeLocation?: string;
    location?: { path?: string; fsPath?: string };
  }[];
  const entry = pkg[pkg.length - 1];
  const folder = entry?.relativeLocation
    ? path.join(dirs.extensions, entry.relativeLocation)
    : (entry?.location?.fsPath ?? entry?.location?.path);
  if (!folder || !fs.existsSync(path.join(folder, 'package.json'))) {
    throw new Error(`installed ${vsix} but cannot find its folder in ${dirs.extensions}/extensions.json`);
  }
  return folder;
}

export interface CodeServer {
  port: number;
  origin: string;
  process: ChildProcess;
  /** Resolves with the exit code if the server dies on its own. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

function get(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.setTimeout(2000, () => req.destroy());
  });
}

/**
 * Starts code-server on 127.0.0.1:<free port> with no auth, the given profile folders and the
 * smoke-test driver enabled (without it VS Code ignores extensionDevelopmentPath/extensionTestsPath).
 * Resolves when /healthz answers.
 */
export async function startCodeServer(
  tools: Tools,
  opts: { userData: string; extensions: string; config: string; env: NodeJS.ProcessEnv; log: fs.WriteStream; timeoutMs?: number },
): Promise<CodeServer> {
  const settingsDir = path.join(opts.userData, 'User');
  await fs.promises.mkdir(settingsDir, { recursive: true });
  await fs.promises.writeFile(path.join(settingsDir, 'settings.json'), JSON.stringify(TEST_SETTINGS, null, 2));
  const port = await freePort();
  const args = [
    ...codeServerArgs(tools, opts),
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    '--vscode-option', 'enable-smoke-test-driver',
  ];
  const child = spawn(tools.node, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // own process group, so stop() ends the extension host and watchers too
    env: { ...process.env, ...opts.env, EXTENSIONS_GALLERY: '{}', PATH: `${path.dirname(tools.node)}:${process.env.PATH ?? ''}` },
  });
  child.stdout?.pipe(opts.log, { end: false });
  child.stderr?.pipe(opts.log, { end: false });
  let exited: number | null | undefined;
  const exitedPromise = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      exited = code;
      resolve(code);
    }),
  );
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.timeoutMs ?? 90_000);
  for (;;) {
    if (exited !== undefined) throw new Error(`code-server exited with code ${exited} before it was ready (see its log)`);
    if ((await get(`${origin}/healthz`)) === 200) break;
    if (Date.now() > deadline) {
      killGroup(child);
      throw new Error(`code-server did not answer ${origin}/healthz within ${opts.timeoutMs ?? 90_000} ms`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    port,
    origin,
    process: child,
    exited: exitedPromise,
    async stop() {
      if (exited !== undefined) return;
      const done = new Promise<void>((r) => child.once('exit', () => r()));
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
      await done;
      clearTimeout(timer);
    },
  };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    /* already gone */
  }
}
