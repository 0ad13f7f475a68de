/**
 * Patch-refinement stage for the `default` preset: from the cascade's landmarks, a small CNN per
 * pass looks at a patch of one pyramid level around each landmark and moves it to the
 * soft-argmax of that landmark's heatmap.
 */
export { trainPatchNet, type PatchNetItem, type PatchNetHooks, type Point } from './train';
export { applyPatchNet, type PatchNetResult } from './apply';
export {
  DEFAULT_PATCHNET,
  serialisePatchNet,
  deserialisePatchNet,
  disposePatchNet,
  type PassConfig,
  type PatchNetConfig,
  type PatchNetMeta,
  type PatchNetModel,
} from './model';
