/** The tools the integration run needs, installed by setup.sh into a cache outside the clone. */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export interface Tools {
  /** The cache folder for these versions. */
  dir: string;
  /** Node 24 binary that code-server runs on. */
  node: string;
  /** code-server's entry script (run with `node`). */
  codeServerEntry: string;
  /** Debian's Chromium. */
  chromium: string;
  versions: Versions;
}

export interface Versions {
  node: string;
  codeServer: string;
  vscode: string;
  chromium: string;
}

export function readVersions(): Versions {
  return JSON.parse(fs.readFileSync(path.join(__dirname, 'versions.json'), 'utf8')) as Versions;
}

/** Paths of an installed cache folder; throws naming what is missing. */
export function toolsIn(dir: string, versions: Versions = readVersions()): Tools {
  const tools: Tools = {
    dir,
    node: path.join(dir, 'node', 'node_modules', 'node', 'bin', 'node'),
    codeServerEntry: path.join(dir, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
    chromium: versions.chromium,
    versions,
  };
  for (const p of [tools.node, tools.codeServerEntry, tools.chromium]) {
    if (!fs.existsSync(p)) throw new Error(`integration tools: ${p} is missing (run bash scripts/vscode-test/setup.sh)`);
  }
  return tools;
}

/** Runs setup.sh (idempotent: seconds when cached) and returns the installed tools. */
export function setup(): Promise<Tools> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [path.join(__dirname, 'setup.sh')], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    // A fresh install takes ~4 minutes on 2 cores; a hang fails instead of waiting forever.
    const timeoutMs = Number(process.env.LANDMARKS_SETUP_TIMEOUT_S ?? 1800) * 1000;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`scripts/vscode-test/setup.sh did not finish within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`scripts/vscode-test/setup.sh failed with exit code ${code}`));
      const dir = stdout.trim().split('\n').pop() ?? '';
      try {
        resolve(toolsIn(dir));
      } catch (e) {
        reject(e);
      }
    });
  });
}
