/**
 * Texts of the Train wizard that depend on what the engine will run: the preset picker and the
 * prompts for epochs and input size. The figures come from the engine's `ready` message (each
 * preset's defaults on the backend that runs), never from constants repeated here: on wasm the
 * `paper` preset runs at 128x96, on a native backend at 256x192. Pure (no vscode import).
 */
import { PRESET_NAMES, type BackendName, type PresetInfo, type PresetName } from '../../shared/protocol/engine';

/**
 * Whether the preset trains in epochs at an input size the wizard then asks for, as its engine
 * declares (`PresetInfo.uses`); `default` works at full photo resolution in a few passes, so it is
 * not asked. Without the engine's answer, only the paper's network is known to.
 */
export function isSizedPreset(name: PresetName, presets?: readonly PresetInfo[]): boolean {
  const info = presets?.find((p) => p.name === name);
  return info ? info.uses.includes('epochs') || info.uses.includes('inputSize') : name === 'paper';
}

/** The backend as a person knows it. */
export function backendLabel(b: BackendName): string {
  switch (b) {
    case 'webgpu':
      return 'the GPU (WebGPU)';
    case 'tensorflow-gpu':
      return 'the GPU (tfjs-node-gpu)';
    case 'tensorflow':
      return 'native CPU (tfjs-node)';
    case 'wasm':
      return 'WebAssembly (wasm)';
    case 'cpu':
      return 'the pure-JavaScript cpu backend';
  }
}

export interface PresetPickItem {
  label: PresetName;
  description: string;
  /** What will run on this engine, e.g. "Runs here on WebAssembly (wasm): 128x96 input, 60 epochs, batch 16". */
  detail?: string;
  picked: boolean;
}

/** "128x96 input, 60 epochs, batch 16": the defaults a sized preset runs with. */
export function runsWith(p: PresetInfo): string {
  const d = p.defaults;
  return `${d.inputSize[0]}x${d.inputSize[1]} input, ${d.epochs} epochs, batch ${d.batchSize}`;
}

/** The preset picker's items, the preferred one first. */
export function presetPickItems(presets: readonly PresetInfo[] | undefined, backend: BackendName | undefined, preferred: PresetName): PresetPickItem[] {
  const names: PresetName[] = presets?.length ? presets.map((p) => p.name) : [...PRESET_NAMES];
  const items = names.map((name): PresetPickItem => {
    const info = presets?.find((p) => p.name === name);
    // the engine's description only (one per preset); none when the engine could not start
    const item: PresetPickItem = { label: name, description: info?.description ?? '', picked: name === preferred };
    if (info && backend && isSizedPreset(name, presets)) item.detail = `Runs here on ${backendLabel(backend)}: ${runsWith(info)} (the next steps can change them)`;
    return item;
  });
  return items.sort((a, b) => Number(b.picked) - Number(a.picked));
}

/** The epochs prompt: what 0 means on this engine. */
export function epochsPrompt(info: PresetInfo | undefined, backend: BackendName | undefined): string {
  if (!info || !backend) return 'Epochs to train (0 = the preset default)';
  return `Epochs to train (0 = the preset default: ${info.defaults.epochs} on ${backendLabel(backend)})`;
}

/** The input size prompt: what an empty answer means on this engine. */
export function inputSizePrompt(info: PresetInfo | undefined, backend: BackendName | undefined): string {
  if (!info || !backend) return 'Model input WIDTHxHEIGHT, e.g. 256x192 (empty = the preset default)';
  const [w, h] = info.defaults.inputSize;
  return `Model input WIDTHxHEIGHT (empty = ${w}x${h}, what ${info.name} runs on ${backendLabel(backend)})`;
}
