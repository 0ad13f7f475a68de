/**
 * Backend selection: auto here (no native tfjs packages) picks wasm and says why each native
 * package was rejected; forced backends work or fail with a reason; LANDMARKS_BACKEND overrides.
 */
import * as assert from 'assert';
import { restoreBackendAfter } from '../helpers/backend';
import { BACKEND_ENV_VAR, describeLoadError, initBackend, resolveBackendChoice } from '../../src/engine/backend/init';
import * as tf from '../../src/engine/backend/tf';
import { requestedWasmThreads } from '../../src/engine/backend/wasm-threads';

function installed(pkg: string): boolean {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

describe('backend selection (initBackend)', function () {
  restoreBackendAfter();

  it('auto picks wasm here and reports why webgpu, tfjs-node-gpu and tfjs-node were rejected', async function () {
    if (installed('@tensorflow/tfjs-node') || installed('@tensorflow/tfjs-node-gpu')) {
      console.warn('    skipped: a native tfjs package is installed on this machine, so auto may pick it');
      this.skip();
    }
    const lines: string[] = [];
    // WebGPU's probe is injected (no adapter), so a machine with a GPU gives the same answer.
    const webgpu = { probe: async () => ({ ok: false as const, why: 'no WebGPU adapter: none here' }), start: async () => 'cpu' };
    const report = await initBackend('auto', (l) => lines.push(l), { webgpu });
    assert.strictEqual(report.name, 'wasm');
    assert.strictEqual(tf.getBackend(), 'wasm');
    assert.match(report.reason, /^auto: WebAssembly/);
    assert.deepStrictEqual(
      report.rejected.map((r) => r.name),
      ['webgpu', 'tensorflow-gpu', 'tensorflow'],
    );
    assert.strictEqual(report.rejected[0].why, 'no WebGPU adapter: none here');
    assert.match(report.rejected[1].why, /@tensorflow\/tfjs-node-gpu is not installed/);
    assert.match(report.rejected[2].why, /@tensorflow\/tfjs-node is not installed/);
    assert.ok(lines.some((l) => /using wasm/.test(l)), lines.join('\n'));
    // The wasm backend runs our training kernels: a conv filter gradient works.
    const g = tf.grad((w: tf.Tensor) => tf.sum(tf.conv2d(tf.ones([1, 4, 4, 1]) as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid')))(
      tf.ones([3, 3, 1, 1]),
    );
    assert.deepStrictEqual(Array.from(await g.data()), [4, 4, 4, 4, 4, 4, 4, 4, 4]);
  });

  it('forcing cpu works', async function () {
    const report = await initBackend('cpu');
    assert.strictEqual(report.name, 'cpu');
    assert.strictEqual(tf.getBackend(), 'cpu');
    assert.match(report.reason, /forced by setting "cpu"/);
    assert.deepStrictEqual(report.rejected, []);
  });

  it('forcing native-gpu fails with a clear reason where tfjs-node-gpu is absent', async function () {
    if (installed('@tensorflow/tfjs-node-gpu')) this.skip();
    await assert.rejects(initBackend('native-gpu'), /Backend native-gpu .*not available: @tensorflow\/tfjs-node-gpu is not installed/);
  });

  it('LANDMARKS_BACKEND overrides the argument, and a bad value is an error naming the choices', async function () {
    process.env[BACKEND_ENV_VAR] = 'cpu';
    const report = await initBackend('wasm');
    assert.strictEqual(report.name, 'cpu');
    assert.match(report.reason, /LANDMARKS_BACKEND=cpu/);
    process.env[BACKEND_ENV_VAR] = 'gpu';
    await assert.rejects(initBackend('auto'), /LANDMARKS_BACKEND="gpu" is not a backend; use one of auto, webgpu, native-gpu/);
    assert.deepStrictEqual(resolveBackendChoice('wasm', {}), { choice: 'wasm', source: 'setting "wasm"' });
  });

  it('reads LANDMARKS_WASM_THREADS: unset = 1, a count, auto, and rejects nonsense', function () {
    assert.strictEqual(requestedWasmThreads({}), 1);
    assert.strictEqual(requestedWasmThreads({ LANDMARKS_WASM_THREADS: '3' }), 3);
    const auto = requestedWasmThreads({ LANDMARKS_WASM_THREADS: 'auto' });
    assert.ok(auto >= 1 && auto <= 8, String(auto));
    assert.throws(() => requestedWasmThreads({ LANDMARKS_WASM_THREADS: '0' }), /whole number from 1 to 8/);
    assert.throws(() => requestedWasmThreads({ LANDMARKS_WASM_THREADS: 'many' }), /LANDMARKS_WASM_THREADS="many"/);
  });

  it('describes native load failures: missing package, missing addon, missing CUDA', function () {
    const notFound = Object.assign(new Error("Cannot find module '@tensorflow/tfjs-node'\nRequire stack: x"), {
      code: 'MODULE_NOT_FOUND',
    });
    assert.match(describeLoadError('@tensorflow/tfjs-node', notFound), /is not installed \(optional dependency/);
    const noAddon = new Error(
      'The Node.js native addon module (tfjs_binding.node) can not be found at path: /x/napi-v8/tfjs_binding.node.',
    );
    assert.match(describeLoadError('@tensorflow/tfjs-node', noAddon), /native addon is missing/);
    const noCuda = new Error('libcudart.so.11.0: cannot open shared object file: No such file or directory');
    assert.match(describeLoadError('@tensorflow/tfjs-node-gpu', noCuda), /needs CUDA 11\.2 and cuDNN 8\.1/);
    // A dependency of the package missing is not "the package is not installed".
    const depMissing = Object.assign(new Error("Cannot find module 'node-fetch'"), { code: 'MODULE_NOT_FOUND' });
    assert.match(describeLoadError('@tensorflow/tfjs-node', depMissing), /failed to load: Cannot find module 'node-fetch'/);
  });
});
