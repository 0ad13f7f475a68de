/**
 * BatchMatMul for wasm with transposeA / transposeB as fast as the plain case.
 * The shipped kernel handles transposes by strided reads (10-25x slower); here the operand is
 * transposed first (wasm Transpose) and the shipped kernel runs untransposed. For a transposed
 * large B (the dense-layer input gradient dy @ W^T), C^T = B @ op(A)^T is computed instead and
 * transposed back, which moves |A|+|C| floats instead of |W|.
 */
import * as tf from '../tf';
import { shippedKernel, withScratch, Scratch } from './scratch';

function swapLast(s: Scratch, t: tf.TensorInfo): tf.TensorInfo {
  const r = t.shape.length;
  const perm = [...Array(r).keys()];
  perm[r - 1] = r - 2;
  perm[r - 2] = r - 1;
  return s.transpose(t, perm);
}

function size(t: tf.TensorInfo): number {
  return t.shape.reduce((a, b) => a * b, 1);
}

function plainMatMul(s: Scratch, a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo {
  return s.run(tf.BatchMatMul, { a, b }, { transposeA: false, transposeB: false });
}

function batchMatMul(args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { a, b } = args.inputs as unknown as { a: tf.TensorInfo; b: tf.TensorInfo };
  const { transposeA, transposeB } = (args.attrs ?? {}) as unknown as tf.BatchMatMulAttrs;
  if (!transposeA && !transposeB) {
    const out = shippedKernel(tf.BatchMatMul)(args);
    return out as tf.TensorInfo;
  }
  return withScratch(args.backend, (s) => {
    // Floats moved by each plan; the matmul itself costs the same.
    const rowsA = a.shape[a.shape.length - (transposeA ? 1 : 2)];
    const colsB = b.shape[b.shape.length - (transposeB ? 2 : 1)];
    const batch = Math.max(size(a) / (a.shape[a.shape.length - 1] * a.shape[a.shape.length - 2]), size(b) / (b.shape[b.shape.length - 1] * b.shape[b.shape.length - 2]));
    const sizeC = batch * rowsA * colsB;
    const direct = (transposeA ? size(a) : 0) + (transposeB ? size(b) : 0);
    const swapped = (transposeA ? 0 : size(a)) + (transposeB ? 0 : size(b)) + sizeC;
    if (direct <= swapped) {
      const a2 = transposeA ? swapLast(s, a) : a;
      const b2 = transposeB ? swapLast(s, b) : b;
      return plainMatMul(s, a2, b2);
    }
    // C^T = op(B)^T @ op(A)^T; op(B)^T is b itself when transposeB, op(A)^T is a when transposeA.
    const bT = transposeB ? b : swapLast(s, b);
    const aT = transposeA ? a : swapLast(s, a);
    return swapLast(s, plainMatMul(s, bT, aT));
  });
}

export const batchMatMulConfig: tf.KernelConfig = {
  kernelName: tf.BatchMatMul,
  backendName: 'wasm',
  kernelFunc: batchMatMul as unknown as tf.KernelFunc,
};
