/**
 * Preset `pose`: the profile src/engine/profiles/pose.json run by the stage pipeline: the deep
 * heatmap stage (stages/heatmap), a small U-Net on the whole photo letterboxed into 128x112,
 * alone. It finds each landmark anywhere in the frame from its look in context, so a moving paw
 * is not taken for another and no box around the animal is needed: where the template cascade of
 * `default` fails on video frames. On shells and wings at this resolution it is less precise than
 * `default`. Its doubt is calibrated on the answers of two fold models (three trainings).
 */
import { pipelinePreset } from '../pipeline-preset';

export const posePreset = pipelinePreset('pose');
