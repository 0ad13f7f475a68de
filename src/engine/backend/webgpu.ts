/**
 * The WebGPU backend in Node: Dawn's Node binding (npm `webgpu`, a prebuilt `dawn.node`) under
 * `@tensorflow/tfjs-backend-webgpu`. It needs only the normal GPU driver (Vulkan on Linux,
 * Metal on macOS, D3D12 on Windows): no CUDA.
 *
 * What Node needs that a browser gives for free (../../../../shared/notes/engine-backends.md):
 * - `navigator.gpu` must exist before the tfjs backend module loads: it registers its factory
 *   only when it sees one. Node 20 has no `navigator`; Node 21+ has one without `gpu`.
 * - The Linux `dawn.node` needs glibc >= 2.34 (and GLIBCXX 3.4.30): an older system fails
 *   inside dlopen with a cryptic line, so the versions are checked first and named.
 * - A software adapter (lavapipe/llvmpipe, SwiftShader, WARP) works but is ~12x slower than
 *   wasm: auto never picks it; it can still be forced (tests use it for correctness).
 *
 * The adapter probe sits behind `WebGpuDriver` so the selection logic is tested without a GPU.
 */
import * as fs from 'fs';
import * as tf from './tf';
import type { WebGpuAdapterReport } from '../../shared/protocol/engine';

/** Dawn's Linux build is linked against these (the npm package's prebuilt dawn.node). */
export const DAWN_MIN_GLIBC = '2.34';
export const DAWN_MIN_GLIBCXX = '3.4.30';
const DAWN_PACKAGE = 'webgpu';
const TFJS_WEBGPU_PACKAGE = '@tensorflow/tfjs-backend-webgpu';

/** What the probe found: an adapter it could use, or why there is none. */
export type WebGpuProbe = { ok: true; adapter: WebGpuAdapterReport } | { ok: false; why: string };

/** Finds the adapter and starts the tfjs backend on it; injected in tests. */
export interface WebGpuDriver {
  probe(): Promise<WebGpuProbe>;
  /** Registers a tfjs backend on the probed adapter and returns its tfjs name. */
  start(): Promise<string>;
}

// ---- the pure part: adapter classification, versions, the auto decision ----

/** The fields of GPUAdapterInfo we read (Dawn fills them; browsers may blank some). */
export interface AdapterInfoFields {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

/** CPU implementations of Vulkan / D3D12 / WebGPU, by the names their drivers report. */
const SOFTWARE_ADAPTER = /llvmpipe|lavapipe|softpipe|swiftshader|microsoft basic render|\bwarp\b|\bsoftware\b/i;

export function isSoftwareAdapter(info: AdapterInfoFields): boolean {
  if (info.isFallbackAdapter) return true;
  return [info.vendor, info.architecture, info.device, info.description].some((s) => !!s && SOFTWARE_ADAPTER.test(s));
}

export function adapterReport(
  info: AdapterInfoFields,
  limits: { maxStorageBufferBindingSize?: number; maxBufferSize?: number },
  fallbackFlag?: boolean,
): WebGpuAdapterReport {
  const fields: AdapterInfoFields = { ...info, isFallbackAdapter: info.isFallbackAdapter ?? fallbackFlag };
  return {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
    software: isSoftwareAdapter(fields),
    maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize ?? 0,
    maxBufferSize: limits.maxBufferSize ?? 0,
  };
}

/** "NVIDIA H200 (nvidia, hopper)": what a person reads in the log. */
export function describeAdapter(a: WebGpuAdapterReport): string {
  const name = a.description || a.device || 'unnamed adapter';
  const extra = [a.vendor, a.architecture].filter(Boolean).join(', ');
  const saysSo = /software/i.test(extra);
  return `${name}${extra ? ` (${extra})` : ''}${a.software && !saysSo ? ', software' : ''}`;
}

export function mib(bytes: number): string {
  return `${Math.round(bytes / (1 << 20))} MiB`;
}

/** -1, 0, 1 for dotted version strings ("2.34" vs "2.31"). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((x) => parseInt(x, 10) || 0);
  const pb = b.split('.').map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/**
 * Why Dawn cannot load on this C library, or undefined when it can (or the platform has no
 * glibc requirement: macOS, Windows, or a Linux whose glibc version is unknown, e.g. musl,
 * where dlopen's own error is reported instead).
 */
export function glibcProblem(platform: NodeJS.Platform, glibc: string | undefined, glibcxx?: string[]): string | undefined {
  if (platform !== 'linux' || !glibc) return undefined;
  if (compareVersions(glibc, DAWN_MIN_GLIBC) < 0) {
    return (
      `glibc ${glibc} is too old: Dawn's prebuilt dawn.node needs glibc >= ${DAWN_MIN_GLIBC} ` +
      `(Debian 12, Ubuntu 22.04, RHEL 9 or newer)`
    );
  }
  if (glibcxx && glibcxx.length > 0 && !glibcxx.some((v) => compareVersions(v, DAWN_MIN_GLIBCXX) >= 0)) {
    const newest = [...glibcxx].sort(compareVersions).pop();
    return `libstdc++ provides GLIBCXX up to ${newest}: Dawn's dawn.node needs GLIBCXX_${DAWN_MIN_GLIBCXX} (GCC 12's libstdc++ or newer)`;
  }
  return undefined;
}

/** The auto rule: a hardware adapter is used; a software one only when forced. */
export function webGpuDecision(probe: WebGpuProbe, auto: boolean): { use: true; reason: string } | { use: false; why: string } {
  if (!probe.ok) return { use: false, why: probe.why };
  const a = probe.adapter;
  if (a.software && auto) {
    return {
      use: false,
      why:
        `only a software adapter: ${describeAdapter(a)}; auto never picks it (it trains ~12x slower than wasm). ` +
        `Force it with backend "webgpu" (for checks, not speed)`,
    };
  }
  return { use: true, reason: `${adapterSummary(a)}${a.software ? ': a software adapter, for checks only (slow)' : ''}` };
}

/** "WebGPU (Dawn) on <adapter>, storage buffers up to N MiB". */
export function adapterSummary(a: WebGpuAdapterReport): string {
  const limit = a.maxStorageBufferBindingSize ? `, storage buffers up to ${mib(a.maxStorageBufferBindingSize)}` : '';
  return `WebGPU (Dawn) on ${describeAdapter(a)}${limit}`;
}

/** Why Dawn found no adapter, in terms of what to install. `loader`: libvulkan.so.1 was found (Linux). */
export function noAdapterReason(platform: NodeJS.Platform, loader?: boolean): string {
  if (platform === 'darwin') return 'no WebGPU adapter: Dawn found no Metal device';
  if (platform === 'win32') return 'no WebGPU adapter: Dawn found no D3D12 or Vulkan device (update the GPU driver)';
  if (loader === false) {
    return (
      'no WebGPU adapter: no Vulkan loader (libvulkan.so.1) on this machine; a GPU needs its driver ' +
      'with Vulkan support (Debian/Ubuntu: libvulkan1 and the vendor ICD, e.g. the NVIDIA driver or mesa-vulkan-drivers)'
    );
  }
  return 'no WebGPU adapter: the Vulkan loader found no GPU driver (ICD) that Dawn accepts (check `vulkaninfo --summary`)';
}

/** Whether the dynamic linker can find libvulkan.so.1 (LD_LIBRARY_PATH, then ld.so.cache). */
function hasVulkanLoader(): boolean {
  const name = 'libvulkan.so.1';
  for (const dir of (process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean)) {
    if (fs.existsSync(`${dir}/${name}`)) return true;
  }
  try {
    return fs.readFileSync('/etc/ld.so.cache').includes(name);
  } catch {
    return ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib'].some((d) => fs.existsSync(`${d}/${name}`));
  }
}

/** A one-line reason for a failed load of Dawn or the tfjs WebGPU backend. */
export function describeWebGpuLoadError(pkg: string, e: unknown): string {
  const err = e as { code?: unknown; message?: unknown };
  const message = typeof err?.message === 'string' ? err.message : String(e);
  const first = message.split('\n')[0].trim();
  const notFound = err?.code === 'MODULE_NOT_FOUND' || err?.code === 'ERR_MODULE_NOT_FOUND';
  if (notFound && (message.includes(`'${pkg}'`) || message.includes(`'${pkg}/`))) {
    return `${pkg} is not installed (optional dependency; npm install without --omit=optional installs it)`;
  }
  const lib = /(GLIBC(?:XX)?_[0-9.]+)' not found/.exec(message);
  if (lib) {
    return `${pkg}'s dawn.node cannot load: ${lib[1]} is missing (Dawn needs glibc >= ${DAWN_MIN_GLIBC} and GLIBCXX_${DAWN_MIN_GLIBCXX}): ${first}`;
  }
  if (/dawn\.node/.test(message) && notFound) return `${pkg} has no dawn.node for ${process.platform}-${process.arch}: ${first}`;
  return `${pkg} failed to load: ${first}`;
}

// ---- the Node part: Dawn, navigator.gpu, the tfjs backend ----

interface GpuAdapterLike {
  info?: AdapterInfoFields;
  isFallbackAdapter?: boolean;
  limits: { maxStorageBufferBindingSize: number; maxBufferSize: number };
}
interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<GpuAdapterLike | null>;
}
interface DawnModule {
  create(options: string[]): GpuLike;
  globals: Record<string, unknown>;
}

/** What the C library reports: Node's own report has glibc; libstdc++'s symbols are read from its file. */
function runtimeGlibc(): { glibc?: string; glibcxx?: string[] } {
  if (process.platform !== 'linux') return {};
  let glibc: string | undefined;
  const r = process.report as (NodeJS.ProcessReport & { excludeNetwork?: boolean }) | undefined;
  const network = r?.excludeNetwork;
  try {
    // Network details make a report slow (reverse lookups) and are not needed here.
    if (r) r.excludeNetwork = true;
    const report = r?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
    glibc = report?.header?.glibcVersionRuntime;
  } catch {
    glibc = undefined;
  } finally {
    if (r) r.excludeNetwork = network;
  }
  let glibcxx: string[] | undefined;
  try {
    // The libstdc++ this process already mapped is the one dawn.node will get.
    const maps = fs.readFileSync('/proc/self/maps', 'utf8');
    const lib = /\s(\/\S*libstdc\+\+\.so\S*)/.exec(maps)?.[1];
    if (lib) {
      const text = fs.readFileSync(lib).toString('latin1');
      glibcxx = [...new Set([...text.matchAll(/GLIBCXX_(3\.4(?:\.\d+)?)\0/g)].map((m) => m[1]))];
    }
  } catch {
    glibcxx = undefined;
  }
  return { glibc, glibcxx };
}

/**
 * `navigator.gpu` for the tfjs backend, and Dawn's GPU* classes (GPUBufferUsage, ...) that it
 * reads as globals. Node 21+ defines `navigator` as a getter on globalThis (assigning to it
 * does nothing), so `gpu` goes onto that object; Node 20 gets a small navigator.
 */
export function installNavigatorGpu(gpu: unknown, globals: Record<string, unknown>): void {
  const g = globalThis as Record<string, unknown>;
  for (const [k, v] of Object.entries(globals)) if (!(k in g)) g[k] = v;
  const nav = g.navigator as Record<string, unknown> | undefined;
  if (nav && typeof nav === 'object') {
    Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true, enumerable: true, writable: true });
  } else {
    Object.defineProperty(g, 'navigator', { value: { gpu }, configurable: true, enumerable: true, writable: true });
  }
}

/** Options for the Dawn-backed driver (tests override the platform and the versions). */
export interface DawnDriverOptions {
  platform?: NodeJS.Platform;
  glibc?: () => { glibc?: string; glibcxx?: string[] };
  /** Loads the `webgpu` package (ESM: import()). */
  loadDawn?: () => Promise<DawnModule>;
}

/** One Dawn instance per process (each holds its own Vulkan/Metal instance). */
let dawnGpu: GpuLike | undefined;

/** The driver over the npm `webgpu` package; each driver probes once. */
export function dawnDriver(options: DawnDriverOptions = {}): WebGpuDriver {
  const platform = options.platform ?? process.platform;
  const versions = options.glibc ?? runtimeGlibc;
  const loadDawn = options.loadDawn ?? (async () => (await import(DAWN_PACKAGE)) as unknown as DawnModule);
  const probe = async (): Promise<WebGpuProbe> => {
    const v = versions();
    const libc = glibcProblem(platform, v.glibc, v.glibcxx);
    if (libc) return { ok: false, why: libc };
    let dawn: DawnModule;
    try {
      dawn = await loadDawn();
    } catch (e) {
      return { ok: false, why: describeWebGpuLoadError(DAWN_PACKAGE, e) };
    }
    let adapter: GpuAdapterLike | null;
    try {
      dawnGpu ??= dawn.create([]);
      installNavigatorGpu(dawnGpu, dawn.globals);
      // The same preference the tfjs backend asks for, so both see one adapter.
      adapter = await dawnGpu.requestAdapter({ powerPreference: 'high-performance' });
    } catch (e) {
      return { ok: false, why: `Dawn could not look for a GPU: ${e instanceof Error ? e.message : String(e)}` };
    }
    if (!adapter) return { ok: false, why: noAdapterReason(platform, platform === 'linux' ? hasVulkanLoader() : undefined) };
    const info = adapter.info ?? {};
    return { ok: true, adapter: adapterReport(info, adapter.limits, adapter.isFallbackAdapter) };
  };
  let probed: Promise<WebGpuProbe> | undefined;
  return {
    probe: () => (probed ??= probe()),
    async start(): Promise<string> {
      const p = await (probed ??= probe());
      if (!p.ok) throw new Error(p.why);
      try {
        // After navigator.gpu exists (the probe set it): the module registers 'webgpu' on load.
        // A literal name: esbuild.js maps it to dist/tfjs.js, scripts/device inlines it beside its tfjs.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require('@tensorflow/tfjs-backend-webgpu');
      } catch (e) {
        throw new Error(describeWebGpuLoadError(TFJS_WEBGPU_PACKAGE, e));
      }
      if (!tf.findBackendFactory('webgpu')) {
        throw new Error(`${TFJS_WEBGPU_PACKAGE} loaded but registered no "webgpu" backend in @tensorflow/tfjs ${tf.version.tfjs}: install matching versions`);
      }
      if (p.adapter.software) {
        // Measured on lavapipe: a separate im2col pass nearly halves a conv net's step. (The
        // flag exists once the module has loaded.)
        tf.env().set('WEBGPU_CONV_SEPARATE_IM2COL_SHADER', true);
      }
      return 'webgpu';
    },
  };
}

let defaultDriver: WebGpuDriver | undefined;

/** The process's Dawn driver: the adapter is looked for once per engine start. */
export function defaultWebGpuDriver(): WebGpuDriver {
  return (defaultDriver ??= dawnDriver());
}
