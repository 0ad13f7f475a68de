/**
 * Platform-specific .vsix files, so that Windows and macOS users get sharp's native image decoder
 * for their machine (`npm run package` packs only the build installed here).
 *
 *   npm run package:targets [-- --target darwin-arm64,win32-x64]
 *
 * For each target: the built extension (dist/, media/, package.json, package-lock.json, README,
 * .vscodeignore) is staged in a temporary folder, its production dependencies are installed
 * from the npm registry for that platform at the locked versions (`npm install --omit=dev --os
 * --cpu`, install scripts off), without the optional native tfjs packages (they need an
 * install-time download that a .vsix cannot run; the wasm backend is used), then `vsce package --target` writes
 * dist/landmarks-<target>.vsix, and the file is checked to hold sharp's binary for that platform.
 * Needs the npm registry; `npm run build` first (the npm script does).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

interface Target {
  os: 'linux' | 'darwin' | 'win32';
  cpu: 'x64' | 'arm64';
}

export const TARGETS: Record<string, Target> = {
  'linux-x64': { os: 'linux', cpu: 'x64' },
  'linux-arm64': { os: 'linux', cpu: 'arm64' },
  'darwin-x64': { os: 'darwin', cpu: 'x64' },
  'darwin-arm64': { os: 'darwin', cpu: 'arm64' },
  'win32-x64': { os: 'win32', cpu: 'x64' },
};

const root = path.resolve(__dirname, '..');
const STAGED = ['dist', 'media', 'package.json', 'package-lock.json', 'README.md', '.vscodeignore'];
const NATIVE_TFJS = ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'];

/** The file names inside a zip (.vsix), read from its central directory. */
export function zipEntries(file: string): string[] {
  const b = fs.readFileSync(file);
  let end = -1;
  for (let i = b.length - 22; i >= Math.max(0, b.length - 22 - 65535); i--) {
    if (b.readUInt32LE(i) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new Error(`${file}: not a zip file (no end of central directory)`);
  const count = b.readUInt16LE(end + 10);
  let at = b.readUInt32LE(end + 16);
  const names: string[] = [];
  for (let k = 0; k < count; k++) {
    if (b.readUInt32LE(at) !== 0x02014b50) throw new Error(`${file}: damaged central directory at entry ${k + 1}`);
    const nameLen = b.readUInt16LE(at + 28);
    const extraLen = b.readUInt16LE(at + 30);
    const commentLen = b.readUInt16LE(at + 32);
    names.push(b.toString('utf8', at + 46, at + 46 + nameLen));
    at += 46 + nameLen + extraLen + commentLen;
  }
  return names;
}

async function packageTarget(name: string, t: Target): Promise<string> {
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), `landmarks-vsix-${name}-`));
  try {
    for (const f of STAGED) {
      const from = path.join(root, f);
      if (!fs.existsSync(from)) throw new Error(`${from} is missing (run npm run build first)`);
      fs.cpSync(from, path.join(stage, f), { recursive: true, filter: (src) => !src.includes(`${path.sep}dist${path.sep}test`) && !src.endsWith('.vsix') });
    }
    // the native tfjs packages need an install-time download a .vsix cannot run: leave them out
    const pkgFile = path.join(stage, 'package.json');
    const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as { optionalDependencies?: Record<string, string> };
    for (const p of NATIVE_TFJS) delete pkg.optionalDependencies?.[p];
    fs.writeFileSync(pkgFile, JSON.stringify(pkg, null, 2));
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const flags = ['install', '--omit=dev', `--os=${t.os}`, `--cpu=${t.cpu}`, ...(t.os === 'linux' ? ['--libc=glibc'] : []), '--ignore-scripts', '--no-audit', '--no-fund'];
    execFileSync(npm, flags, { cwd: stage, stdio: ['ignore', 'ignore', 'inherit'] });
    for (const p of NATIVE_TFJS) if (fs.existsSync(path.join(stage, 'node_modules', p))) throw new Error(`${name}: ${p} was installed`);
    const sharpPkg = path.join(stage, 'node_modules', '@img', `sharp-${name}`);
    if (!fs.existsSync(sharpPkg)) throw new Error(`${name}: npm did not install @img/sharp-${name} (is the registry reachable?)`);
    // npm's `webgpu` ships every platform's dawn.node (20-40 MiB each): keep this target's only.
    const dawnDist = path.join(stage, 'node_modules', 'webgpu', 'dist');
    const dawnKeep = t.os === 'darwin' ? 'darwin-universal' : `${t.os}-${t.cpu}`;
    if (fs.existsSync(dawnDist)) {
      for (const d of fs.readdirSync(dawnDist)) if (d !== dawnKeep) fs.rmSync(path.join(dawnDist, d), { recursive: true, force: true });
    }
    const out = path.join(root, 'dist', `landmarks-${name}.vsix`);
    fs.rmSync(out, { force: true });
    const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
    execFileSync(process.execPath, [vsce, 'package', '--target', name, '--no-yarn', '--allow-missing-repository', '--skip-license', '-o', out], { cwd: stage, stdio: ['ignore', 'ignore', 'inherit'] });
    const names = zipEntries(out);
    const binary = names.find((n) => n.startsWith(`extension/node_modules/@img/sharp-${name}/`) && n.endsWith('.node'));
    if (!binary) throw new Error(`${out}: no sharp binary for ${name} inside`);
    const foreign = names.filter((n) => /extension\/node_modules\/@img\/sharp-(?!libvips)/.test(n) && !n.includes(`@img/sharp-${name}/`) && !n.includes('@img/sharp-libvips-'));
    if (foreign.length) throw new Error(`${out}: carries another platform's sharp (${foreign[0]})`);
    if (!names.includes('extension/dist/extension.js') || !names.some((n) => n.endsWith('tfjs-backend-wasm-simd.wasm'))) throw new Error(`${out}: the extension bundle or the tfjs wasm binary is missing`);
    console.log(`${path.relative(root, out)}: ${(fs.statSync(out).size / 2 ** 20).toFixed(1)} MiB, ${names.length} files, sharp ${binary.split('/').slice(3).join('/')}`);
    return out;
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const at = process.argv.indexOf('--target');
  const wanted = at >= 0 ? process.argv[at + 1].split(',') : Object.keys(TARGETS);
  for (const w of wanted) if (!TARGETS[w]) throw new Error(`unknown target ${w} (known: ${Object.keys(TARGETS).join(', ')})`);
  for (const w of wanted) await packageTarget(w, TARGETS[w]);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  });
}
