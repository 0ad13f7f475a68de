/** The preset registry: name -> Preset. */
import type { PresetName } from '../../shared/protocol/engine';
import type { Preset } from './preset';
import { defaultPreset } from './default';
import { paperPreset } from './paper';
import { posePreset } from './pose';

const presets: Record<PresetName, Preset> = { default: defaultPreset, pose: posePreset, paper: paperPreset };

export function getPreset(name: PresetName): Preset {
  const p = presets[name];
  if (!p) throw new Error(`preset "${name}" is not available (known: ${Object.keys(presets).join(', ')})`);
  return p;
}

export function presetNames(): PresetName[] {
  return Object.keys(presets) as PresetName[];
}
