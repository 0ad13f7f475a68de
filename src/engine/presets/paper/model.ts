/**
 * The paper's network (Le et al., Table 1): three blocks of conv -> maxpool 2 -> dropout
 * (32 filters 3x3 / dropout 0.1, 64 filters 2x2 / 0.2, 128 filters 2x2 / 0.3), then
 * dense 1000 -> dropout 0.5 -> dense 1000 -> dense 2K (linear). ReLU activations, valid
 * convolutions (the Lasagne defaults the paper's code used). Input: one grey channel in [0,1];
 * output: K (x, y) pairs in [-1, 1] of the input frame, interleaved x1, y1, x2, y2, ...
 *
 * The output layer's bias starts at the mean training shape (`startAtMeanShape`): the network
 * predicts the mean shape from the first step and learns the deviations from it. With zero
 * bias (the Lasagne default) it has to build the whole, off-centre shape out of ReLU features
 * that dropout inflates during training (each dropout -> ReLU stage rectifies its noise: at
 * Glorot init the training-mode outputs are ~4x those of inference); on a short run the
 * optimiser fits the inflated training-mode output and inference predictions collapse toward
 * the image centre (107 px on the wings against 20.7 px for the mean shape).
 */
import type * as tfjs from '../../backend/tf';
import type { Tf } from '../preset';

export function buildPaperModel(tf: Tf, inputSize: [number, number], landmarks: number, seed: number): tfjs.LayersModel {
  const [width, height] = inputSize;
  let s = seed >>> 0;
  const init = () => tf.initializers.glorotUniform({ seed: s++ });
  const model = tf.sequential({ name: 'paper' });
  const blocks: { filters: number; kernel: number; dropout: number }[] = [
    { filters: 32, kernel: 3, dropout: 0.1 },
    { filters: 64, kernel: 2, dropout: 0.2 },
    { filters: 128, kernel: 2, dropout: 0.3 },
  ];
  blocks.forEach((b, i) => {
    model.add(
      tf.layers.conv2d({
        ...(i === 0 ? { inputShape: [height, width, 1] } : {}),
        filters: b.filters,
        kernelSize: b.kernel,
        activation: 'relu',
        padding: 'valid',
        kernelInitializer: init(),
        name: `conv${i + 1}`,
      }),
    );
    model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `pool${i + 1}` }));
    model.add(tf.layers.dropout({ rate: b.dropout, name: `dropout${i + 1}` }));
  });
  model.add(tf.layers.flatten({ name: 'flatten' }));
  model.add(tf.layers.dense({ units: 1000, activation: 'relu', kernelInitializer: init(), name: 'hidden1' }));
  model.add(tf.layers.dropout({ rate: 0.5, name: 'dropout4' }));
  model.add(tf.layers.dense({ units: 1000, activation: 'relu', kernelInitializer: init(), name: 'hidden2' }));
  model.add(tf.layers.dense({ units: 2 * landmarks, kernelInitializer: init(), name: 'landmarks' }));
  return model;
}

/**
 * Sets the output bias to the mean of the training targets ([n, 2K], NaN = missing; a
 * coordinate never known keeps 0). Returns the bias set.
 */
export function startAtMeanShape(tf: Tf, model: tfjs.LayersModel, targets: Float32Array, outputs: number): Float32Array {
  const sum = new Float64Array(outputs);
  const count = new Float64Array(outputs);
  for (let i = 0; i < targets.length; i++) {
    const v = targets[i];
    if (Number.isFinite(v)) {
      sum[i % outputs] += v;
      count[i % outputs]++;
    }
  }
  const bias = Float32Array.from(sum, (s, j) => (count[j] ? s / count[j] : 0));
  const layer = model.getLayer('landmarks');
  const [kernel, old] = layer.getWeights();
  if (old.shape[0] !== outputs) throw new Error(`output layer has ${String(old.shape[0])} units, targets have ${outputs}`);
  const b = tf.tensor1d(bias);
  layer.setWeights([kernel, b]);
  b.dispose();
  return bias;
}
