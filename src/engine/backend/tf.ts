/**
 * The one TensorFlow.js namespace the engine imports. Native backends (tfjs-node, tfjs-node-gpu)
 * register themselves into this same tfjs-core instance, so code written against `tf` here
 * runs on whichever backend `initBackend` selected.
 */
export * from '@tensorflow/tfjs';
