/**
 * Preset `default`: the profile src/engine/profiles/default.json run by the stage pipeline,
 * accurate at the photos' full resolution and fast on a CPU:
 * 1. cascade (stages/cascade): coarse-to-fine template matching on an image pyramid with a
 *    statistical shape prior, from ~110 px wide down to full size.
 * 2. sdm (stages/sdm): cascaded ridge regressions from gradient histograms to the update of all
 *    landmarks jointly, coarse to fine, with test-time shifts.
 * The contour and patch CNN stages are left out: on the bench they helped on fewer than two
 * datasets ("keep what wins"); a profile may still name them.
 */
import { loadLegacyDefault } from '../../pipeline/legacy-refine-file';
import { pipelinePreset } from '../pipeline-preset';

export const defaultPreset = pipelinePreset('default', loadLegacyDefault);
