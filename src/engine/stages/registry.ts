/** The stages a profile can name, by name. */
import type { AnyStage } from '../pipeline/stage';
import { cascadeStage } from './cascade/stage';
import { contourStage } from './contour/stage';
import { heatmapStage } from './heatmap/stage';
import { patchnetStage } from './patchnet/stage';
import { sdmStage } from './sdm/stage';

const STAGES: readonly AnyStage[] = [cascadeStage, heatmapStage, contourStage, sdmStage, patchnetStage] as readonly AnyStage[];

export function stageNamed(name: string, where: string): AnyStage {
  const s = STAGES.find((x) => x.name === name);
  if (!s) throw new Error(`${where}: unknown stage "${name}" (known: ${STAGES.map((x) => x.name).join(', ')})`);
  return s;
}

export function allStages(): readonly AnyStage[] {
  return STAGES;
}
