/**
 * The one TensorFlow.js namespace the engine imports: tfjs-core with its CPU backend and
 * tfjs-layers, what `@tensorflow/tfjs` gives less the converter, tfjs-data and the browser's
 * WebGL backend, which the engine never uses (and which would only weigh on the .vsix).
 * Native backends (tfjs-node, tfjs-node-gpu) register themselves into this same tfjs-core
 * instance (./init.ts hands them this namespace as `@tensorflow/tfjs`), so code written
 * against `tf` here runs on whichever backend `initBackend` selected.
 */
import { version_core } from '@tensorflow/tfjs-core';
// What @tensorflow/tfjs adds to tfjs-core: the chained ops (`t.reshape(...)`, `t.asScalar()`).
// The gradients are registered by tfjs-layers' Node build (it carries tfjs-core's gradients).
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import { version_layers } from '@tensorflow/tfjs-layers';
import { version_cpu } from '@tensorflow/tfjs-backend-cpu';

export * from '@tensorflow/tfjs-core';
export * from '@tensorflow/tfjs-layers';

/** As `@tensorflow/tfjs` has it (`tfjs` is the tfjs-core version: the packages ship together). */
export const version = {
  'tfjs-core': version_core,
  'tfjs-backend-cpu': version_cpu,
  'tfjs-layers': version_layers,
  tfjs: version_core,
} as const;
