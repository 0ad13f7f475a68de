/**
 * The engine as it ships: dist/cli.js and dist/engine.js hold no tfjs of their own (one copy in
 * dist/tfjs.js and dist/tfjs-wasm.js), need no tfjs in node_modules, find the wasm binaries in
 * dist/wasm/, and hand a native tfjs package this engine's tfjs-core when it asks for its own.
 */
import * as assert from 'assert';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '../../src/engine/backend/tf';
import { wasmBinariesDir, withSharedTfjs } from '../../src/engine/backend/init';
import { repoRoot, requireData } from '../helpers/data';

const dist = path.join(repoRoot, 'dist');
const SHIPPED = ['cli.js', 'engine.js', 'tfjs.js', 'tfjs-wasm.js', 'image-convert.js'];

describe('the engine bundles (dist/)', function () {
  this.timeout(180000);
  let tmp = '';
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-engine-bundle-'));
    execFileSync(process.execPath, ['esbuild.js', 'engine', 'image-convert'], { cwd: repoRoot, stdio: 'pipe' });
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('require no tfjs package at run time but the optional native ones', () => {
    for (const f of SHIPPED) {
      const text = fs.readFileSync(path.join(dist, f), 'utf8');
      const required = [...text.matchAll(/require\(["'](@tensorflow\/[^"']+)["']\)/g)].map((m) => m[1]);
      assert.deepStrictEqual(required.filter((p) => !/^@tensorflow\/tfjs-node(-gpu)?$/.test(p)), [], f);
    }
    assert.ok(fs.readFileSync(path.join(dist, 'engine.js'), 'utf8').length < 1000, 'dist/engine.js should only start the engine of dist/cli.js');
  });

  it('start the wasm backend (threads too) from a folder with sharp as its only package', function () {
    const app = path.join(tmp, 'app');
    fs.mkdirSync(path.join(app, 'dist'), { recursive: true });
    for (const f of [...SHIPPED, 'wasm']) fs.cpSync(path.join(dist, f), path.join(app, 'dist', f), { recursive: true });
    fs.mkdirSync(path.join(app, 'node_modules', '@img'), { recursive: true });
    const img = fs.readdirSync(path.join(repoRoot, 'node_modules', '@img')).map((d) => `@img/${d}`);
    for (const p of ['sharp', 'detect-libc', 'semver', ...img]) fs.symlinkSync(path.join(repoRoot, 'node_modules', p), path.join(app, 'node_modules', p));
    for (const threads of ['1', '2']) {
      const r = spawnSync(process.execPath, [path.join(app, 'dist', 'cli.js'), 'backends', '--json'], {
        cwd: tmp,
        encoding: 'utf8',
        env: { ...process.env, LANDMARKS_WASM_THREADS: threads, NODE_PATH: '' },
        timeout: 120000,
      });
      assert.strictEqual(r.status, 0, r.stderr);
      const wasm = (JSON.parse(r.stdout) as { backends: { name: string; available: boolean; reason: string }[] }).backends.find((b) => b.name === 'wasm');
      assert.ok(wasm?.available, `wasm did not start: ${wasm?.reason}`);
      assert.match(wasm.reason, threads === '1' ? /SIMD on, one thread/ : /2 threads/);
    }
    // The photo converter the extension host forks runs there too.
    const png = path.join(tmp, 'x.png');
    const jpg = requireData(this, 'drosophila-wings', 'images', '63001.jpg');
    const c = spawnSync(process.execPath, [path.join(app, 'dist', 'image-convert.js'), jpg, png], { encoding: 'utf8', timeout: 60000 });
    assert.strictEqual(c.status, 0, c.stderr);
    assert.strictEqual(fs.readFileSync(png).subarray(1, 4).toString('latin1'), 'PNG');
  });

  it("register tfjs-core's chained ops and gradients in the one tfjs-core of dist/tfjs.js", () => {
    const script = [
      "const t = require('./tfjs.js');",
      "const tf = t.load('@tensorflow/tfjs-core');",
      "t.load('@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops');",
      "t.load('@tensorflow/tfjs-layers'); t.load('@tensorflow/tfjs-backend-cpu');",
      "tf.setBackend('cpu').then(() => {",
      '  const x = tf.tensor([1, 2, 3]);',
      '  const out = { sum: x.square().sum().asScalar().dataSync()[0], grad: Array.from(tf.grad((a) => a.square().sum())(x).dataSync()),',
      "    image: x.reshape([1, 3, 1, 1]).resizeBilinear([6, 2]).shape, conv: Array.from(tf.grad((k) => tf.conv2d(tf.ones([1, 3, 3, 1]), k, 1, 'valid').sum())(tf.ones([2, 2, 1, 1])).dataSync()) };",
      '  process.stdout.write(JSON.stringify(out));',
      '});',
    ].join('\n');
    const r = spawnSync(process.execPath, ['-e', script], { cwd: dist, encoding: 'utf8', timeout: 60000 });
    assert.strictEqual(r.status, 0, r.stderr);
    assert.deepStrictEqual(JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))), { sum: 14, grad: [2, 4, 6], image: [1, 6, 2, 1], conv: [4, 4, 4, 4] });
  });

  it('look for the wasm binaries in dist/wasm/ beside the bundle, else in the package', () => {
    assert.strictEqual(wasmBinariesDir(dist), path.join(dist, 'wasm') + path.sep);
    for (const f of ['tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) assert.ok(fs.existsSync(path.join(dist, 'wasm', f)), f);
    assert.strictEqual(wasmBinariesDir(tmp), path.join(repoRoot, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist') + path.sep);
  });

  it("answer a native package's require of @tensorflow/tfjs(-core) with the engine's tfjs", () => {
    const pkg = path.join(tmp, 'node_modules', 'fake-tfjs-native');
    fs.mkdirSync(pkg, { recursive: true });
    fs.writeFileSync(path.join(pkg, 'index.js'), "module.exports = { tfjs: require('@tensorflow/tfjs'), core: require('@tensorflow/tfjs-core'), path: require('path') };\n");
    const loaded = withSharedTfjs(() => require(pkg) as { tfjs: typeof tf; core: typeof tf; path: unknown });
    // The same tfjs-core (a namespace object may be wrapped per importer: compare its members).
    assert.strictEqual(loaded.tfjs.engine, tf.engine);
    assert.strictEqual(loaded.core.registerBackend, tf.registerBackend);
    assert.strictEqual(loaded.tfjs.sequential, tf.sequential);
    assert.strictEqual(loaded.tfjs.version.tfjs, tf.version_core);
    assert.strictEqual(loaded.path, require('path'));
    // Only while loading: afterwards the name resolves as usual (from that folder: not at all).
    fs.writeFileSync(path.join(pkg, 'late.js'), "module.exports = () => require('@tensorflow/tfjs-core');\n");
    const late = require(path.join(pkg, 'late.js')) as () => unknown;
    assert.throws(late, /Cannot find module '@tensorflow\/tfjs-core'/);
  });
});
