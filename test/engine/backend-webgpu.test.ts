/**
 * WebGPU selection without a GPU: the adapter probe is injected (hardware, software, none),
 * and so are the platform, the C library versions and the loading of Dawn, so every branch
 * of the auto rule runs here. The real Dawn probe runs once too and must answer, not crash.
 */
import * as assert from 'assert';
import { restoreBackendAfter } from '../helpers/backend';
import { BACKEND_ENV_VAR, initBackend } from '../../src/engine/backend/init';
import { listBackends } from '../../src/engine/backend/list';
import { withWasmFallback } from '../../src/engine/backend/fallback';
import * as tf from '../../src/engine/backend/tf';
import {
  adapterReport,
  compareVersions,
  dawnDriver,
  describeWebGpuLoadError,
  glibcProblem,
  installNavigatorGpu,
  isSoftwareAdapter,
  noAdapterReason,
  webGpuDecision,
  type WebGpuDriver,
  type WebGpuProbe,
} from '../../src/engine/backend/webgpu';
import { assertFitsWebGpu, largestBuffer, limitErrorMessage, WebGpuLimitError } from '../../src/engine/backend/webgpu-device';
import { buildPaperModel } from '../../src/engine/presets/paper/model';
import { CancelSource, type JobEnv } from '../../src/engine/env';
import type { WebGpuAdapterReport } from '../../src/shared/protocol/engine';

const MiB = 1 << 20;
const H200: WebGpuAdapterReport = adapterReport(
  { vendor: 'nvidia', architecture: 'hopper', device: '', description: 'NVIDIA H200' },
  { maxStorageBufferBindingSize: 2048 * MiB, maxBufferSize: 4096 * MiB },
);
const LAVAPIPE: WebGpuAdapterReport = adapterReport(
  { vendor: 'mesa', architecture: 'software', device: 'llvmpipe-llvm-15', description: 'llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)' },
  { maxStorageBufferBindingSize: 128 * MiB, maxBufferSize: 4096 * MiB },
);

/** A driver whose probe answers `probe`; start() hands tfjs the cpu backend (no GPU here). */
function fakeDriver(probe: WebGpuProbe): WebGpuDriver & { started: number } {
  const d = {
    started: 0,
    probe: async () => probe,
    async start() {
      d.started++;
      return 'cpu';
    },
  };
  return d;
}

function notFound(pkg: string): Error {
  return Object.assign(new Error(`Cannot find package '${pkg}' imported from /x/dist/engine.js`), { code: 'ERR_MODULE_NOT_FOUND' });
}

describe('WebGPU backend selection (injected adapter probe)', function () {
  restoreBackendAfter();

  it('tells software adapters (lavapipe, SwiftShader, WARP, fallback flag) from hardware ones (Mesa RADV too)', function () {
    assert.strictEqual(LAVAPIPE.software, true);
    assert.strictEqual(H200.software, false);
    assert.ok(isSoftwareAdapter({ vendor: 'google', description: 'SwiftShader Device (Subzero)' }));
    assert.ok(isSoftwareAdapter({ description: 'Microsoft Basic Render Driver' }));
    assert.ok(isSoftwareAdapter({ vendor: 'microsoft', architecture: 'warp' }));
    assert.ok(isSoftwareAdapter({ vendor: 'intel', description: 'whatever', isFallbackAdapter: true }));
    assert.ok(!isSoftwareAdapter({ vendor: 'amd', architecture: 'rdna-3', description: 'AMD Radeon RX 7900 XTX (RADV NAVI31), radv Mesa 25.0.7' }));
    assert.ok(!isSoftwareAdapter({ vendor: 'apple', architecture: 'metal-3', description: 'Apple M2' }));
    // the older GPUAdapter.isFallbackAdapter flag counts as well
    assert.strictEqual(adapterReport({ description: 'x' }, {}, true).software, true);
  });

  it('checks glibc >= 2.34 and GLIBCXX_3.4.30 on Linux only, naming the version found', function () {
    assert.strictEqual(compareVersions('2.34', '2.34'), 0);
    assert.strictEqual(compareVersions('2.4', '2.34'), -1);
    assert.strictEqual(compareVersions('3.4.30', '3.4.9'), 1);
    const old = glibcProblem('linux', '2.28');
    assert.match(old ?? '', /glibc 2\.28 is too old: .*needs glibc >= 2\.34/);
    assert.strictEqual(glibcProblem('linux', '2.34'), undefined);
    assert.strictEqual(glibcProblem('linux', '2.36', ['3.4.29', '3.4.30', '3.4']), undefined);
    assert.strictEqual(glibcProblem('darwin', '2.17'), undefined);
    assert.strictEqual(glibcProblem('linux', undefined), undefined, 'musl: the loader says why');
    assert.match(glibcProblem('linux', '2.35', ['3.4', '3.4.25', '3.4.28']) ?? '', /GLIBCXX up to 3\.4\.28: .*GLIBCXX_3\.4\.30/);
  });

  it('the auto rule: hardware is used, software only when forced, a failed probe passes its reason on', function () {
    assert.deepStrictEqual(webGpuDecision({ ok: false, why: 'no adapter' }, true), { use: false, why: 'no adapter' });
    const hw = webGpuDecision({ ok: true, adapter: H200 }, true);
    assert.ok(hw.use && /NVIDIA H200 \(nvidia, hopper\), storage buffers up to 2048 MiB/.test(hw.reason), JSON.stringify(hw));
    const sw = webGpuDecision({ ok: true, adapter: LAVAPIPE }, true);
    assert.ok(!sw.use && /only a software adapter: llvmpipe.*auto never picks it/.test(sw.why), JSON.stringify(sw));
    const forced = webGpuDecision({ ok: true, adapter: LAVAPIPE }, false);
    assert.ok(forced.use && /software adapter, for checks only/.test(forced.reason));
  });

  it('auto picks webgpu first on a hardware adapter and says which one', async function () {
    const driver = fakeDriver({ ok: true, adapter: H200 });
    const lines: string[] = [];
    const report = await initBackend('auto', (l) => lines.push(l), { webgpu: driver });
    assert.strictEqual(report.name, 'webgpu');
    assert.strictEqual(driver.started, 1);
    assert.match(report.reason, /^auto: WebGPU \(Dawn\) on NVIDIA H200/);
    assert.deepStrictEqual(report.rejected, []);
    assert.deepStrictEqual(report.adapter, H200);
    assert.ok(lines.some((l) => /using webgpu .*NVIDIA H200/.test(l)), lines.join('\n'));
  });

  it('auto passes a software adapter by (wasm runs) and says why; forcing webgpu still uses it', async function () {
    const driver = fakeDriver({ ok: true, adapter: LAVAPIPE });
    const report = await initBackend('auto', () => undefined, { webgpu: driver });
    assert.notStrictEqual(report.name, 'webgpu');
    assert.strictEqual(driver.started, 0, 'a software adapter is not even started by auto');
    assert.strictEqual(report.rejected[0].name, 'webgpu');
    assert.match(report.rejected[0].why, /only a software adapter: llvmpipe/);
    assert.strictEqual(report.adapter?.software, true, 'ready still says which adapter was seen');
    const forced = await initBackend('webgpu', () => undefined, { webgpu: driver });
    assert.strictEqual(forced.name, 'webgpu');
    assert.match(forced.reason, /forced by setting "webgpu": WebGPU \(Dawn\) on llvmpipe/);
  });

  it('webgpu not installed: auto moves on, forcing it is an error saying so', async function () {
    const driver = dawnDriver({ platform: 'linux', glibc: () => ({ glibc: '2.36' }), loadDawn: async () => Promise.reject(notFound('webgpu')) });
    const report = await initBackend('auto', () => undefined, { webgpu: driver });
    assert.strictEqual(report.rejected[0].name, 'webgpu');
    assert.match(report.rejected[0].why, /^webgpu is not installed \(optional dependency/);
    await assert.rejects(initBackend('webgpu', () => undefined, { webgpu: driver }), /Backend webgpu \(forced by setting "webgpu"\) is not available: webgpu is not installed/);
  });

  it('glibc too old: Dawn is not even loaded, and the reason names both versions', async function () {
    let loaded = false;
    const driver = dawnDriver({
      platform: 'linux',
      glibc: () => ({ glibc: '2.28' }),
      loadDawn: async () => {
        loaded = true;
        throw new Error('must not be loaded');
      },
    });
    const report = await initBackend('auto', () => undefined, { webgpu: driver });
    assert.strictEqual(loaded, false);
    assert.match(report.rejected[0].why, /glibc 2\.28 is too old: .*glibc >= 2\.34/);
    await assert.rejects(initBackend('webgpu', () => undefined, { webgpu: driver }), /glibc 2\.28 is too old/);
  });

  it('explains dawn.node load failures and a missing adapter in terms of what to install', function () {
    const glibcxx = new Error("/usr/lib/x86_64-linux-gnu/libstdc++.so.6: version `GLIBCXX_3.4.30' not found (required by /x/dawn.node)");
    assert.match(describeWebGpuLoadError('webgpu', glibcxx), /GLIBCXX_3\.4\.30 is missing \(Dawn needs glibc >= 2\.34/);
    const glibc = new Error("/lib64/libc.so.6: version `GLIBC_2.34' not found (required by /x/dawn.node)");
    assert.match(describeWebGpuLoadError('webgpu', glibc), /GLIBC_2\.34 is missing/);
    const dep = Object.assign(new Error("Cannot find module 'debug'"), { code: 'MODULE_NOT_FOUND' });
    assert.match(describeWebGpuLoadError('webgpu', dep), /webgpu failed to load: Cannot find module 'debug'/);
    assert.match(noAdapterReason('linux', false), /no Vulkan loader \(libvulkan\.so\.1\)/);
    assert.match(noAdapterReason('linux', true), /found no GPU driver \(ICD\)/);
    assert.match(noAdapterReason('darwin'), /Metal/);
  });

  it('installs navigator.gpu on Node 20 (no navigator) and beside an existing navigator (Node 21+)', function () {
    const g = globalThis as Record<string, unknown>;
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    const gpu = { fake: true };
    try {
      delete g.navigator;
      installNavigatorGpu(gpu, { GPUFakeUsage: 1 });
      assert.strictEqual((g.navigator as { gpu?: unknown }).gpu, gpu);
      assert.strictEqual(g.GPUFakeUsage, 1);
      const existing = { userAgent: 'Node.js/24' };
      Object.defineProperty(globalThis, 'navigator', { get: () => existing, configurable: true });
      installNavigatorGpu(gpu, {});
      assert.strictEqual((g.navigator as { gpu?: unknown; userAgent?: string }).gpu, gpu);
      assert.strictEqual((g.navigator as { userAgent?: string }).userAgent, 'Node.js/24');
    } finally {
      delete g.GPUFakeUsage;
      delete g.navigator;
      if (saved) Object.defineProperty(globalThis, 'navigator', saved);
    }
  });

  it('the real Dawn probe answers (an adapter or a reason) without crashing', async function () {
    this.timeout(30000);
    const p = await dawnDriver().probe();
    if (p.ok) {
      assert.strictEqual(typeof p.adapter.description, 'string');
      assert.ok(p.adapter.maxStorageBufferBindingSize > 0, JSON.stringify(p.adapter));
    } else {
      assert.match(p.why, /not installed|no WebGPU adapter|too old|cannot load|failed to load|could not look/, p.why);
    }
  });

  it('lists every backend with availability, auto eligibility and the adapter (cli backends)', async function () {
    const listing = await listBackends({ webgpu: fakeDriver({ ok: true, adapter: LAVAPIPE }) });
    assert.deepStrictEqual(listing.backends.map((b) => b.name), ['webgpu', 'native-gpu', 'native-cpu', 'wasm', 'cpu']);
    const w = listing.backends[0];
    assert.strictEqual(w.available, true);
    assert.strictEqual(w.auto, false);
    assert.match(w.adapter ?? '', /^llvmpipe: Mesa 25\.0\.7 .*software/);
    assert.match(w.reason, /auto skips it/);
    assert.ok(listing.backends.find((b) => b.name === 'wasm')?.available);
    assert.notStrictEqual(listing.autoPick, 'webgpu');
    const hw = await listBackends({ webgpu: fakeDriver({ ok: true, adapter: H200 }) });
    assert.strictEqual(hw.autoPick, 'webgpu');
  });
});

describe('Remote-SSH: the engine runs where the workspace is', function () {
  it('the extension is a workspace extension (no "ui" kind, no browser entry), so its forked engine uses the remote GPU', function () {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pkg = require('../../package.json') as { main?: string; browser?: string; extensionKind?: string[] };
    assert.ok(pkg.main, 'a Node extension (main)');
    assert.strictEqual(pkg.browser, undefined, 'a browser entry would let VS Code run it on the local side');
    // VS Code runs an extension with `main` and no extensionKind on the remote host (workspace)
    assert.ok(pkg.extensionKind === undefined || pkg.extensionKind[0] === 'workspace', `extensionKind ${JSON.stringify(pkg.extensionKind)}`);
  });
});

describe('WebGPU limits: pre-flight sizes, errors, wasm fallback', function () {
  it('finds the largest buffer of the paper net: its first dense kernel at 256x192', function () {
    const model = buildPaperModel(tf, [256, 192], 8, 1);
    try {
      const big = largestBuffer(model, 4);
      assert.strictEqual(big.bytes, 4 * 91264 * 1000);
      assert.match(big.what, /weight hidden1\/kernel.*\[91264x1000\]/);
      // a layer output wins when the batch is large: conv1 at batch 64 is 64x190x254x32 floats
      assert.strictEqual(largestBuffer(model, 64).bytes, 4 * 64 * 190 * 254 * 32);
      // not on webgpu: no limit to check
      assertFitsWebGpu(model, 64, 'training');
    } finally {
      model.dispose();
    }
  });

  it('words Dawn errors with the adapter limits', function () {
    const limits = { maxStorageBufferBindingSize: 128 * MiB, maxBufferSize: 4096 * MiB };
    const v = limitErrorMessage('training step 1', 'Binding size (365056000) of [Buffer] is larger than the maximum storage buffer binding size (134217728).', limits);
    assert.match(v, /WebGPU cannot run training step 1: a buffer exceeds the adapter's limits \(this adapter: maxStorageBufferBindingSize 128 MiB, maxBufferSize 4096 MiB\): Binding size/);
    assert.match(limitErrorMessage('x', 'Out of memory allocating buffer', limits), /ran out of GPU memory during x/);
  });

  it('a job that hits a WebGPU limit runs again on wasm and says so; other errors pass through', async function () {
    const lines: string[] = [];
    const env: JobEnv = { tf, backend: 'webgpu', cancel: new CancelSource(), progress: () => undefined, log: (m) => lines.push(m) };
    const seen: string[] = [];
    const result = await withWasmFallback(env, 'training', async (e) => {
      seen.push(`${e.backend}/${tf.getBackend()}`);
      if (e.backend === 'webgpu') throw new WebGpuLimitError('WebGPU cannot run training: over maxStorageBufferBindingSize of 128 MiB');
      return 42;
    });
    assert.strictEqual(result, 42);
    assert.strictEqual(seen[1], 'wasm/wasm');
    assert.ok(lines.some((l) => /warning: WebGPU cannot run training: over maxStorageBufferBindingSize of 128 MiB/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => /training: running it again on wasm/.test(l)), lines.join('\n'));
    await assert.rejects(
      withWasmFallback(env, 'training', async () => {
        throw new Error('bad TPS file');
      }),
      /bad TPS file/,
    );
    // on wasm already, a limit error is not retried
    await assert.rejects(
      withWasmFallback({ ...env, backend: 'wasm' }, 'training', async () => {
        throw new WebGpuLimitError('x');
      }),
      WebGpuLimitError,
    );
  });
});
