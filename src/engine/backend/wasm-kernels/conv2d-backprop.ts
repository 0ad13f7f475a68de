/**
 * Conv2D gradients for the wasm backend, built from its fast XNNPACK Conv2D plus Transpose,
 * Reverse, Pad and Slice. NHWC, any stride, 'same' / 'valid' / explicit padding, dilation 1.
 *
 * Filter gradient: dW[kh,kw,ci,co] = sum_{b,oh,ow} x[b, oh*s+kh-pt, ow*s+kw-pl, ci] dy[b,oh,ow,co]
 * is a Conv2D whose batch is ci, whose channels are b and whose filter is dy:
 *   conv(transpose(x,[3,1,2,0]) : [ci,H,W,b], transpose(dy,[1,2,0,3]) : [oh,ow,b,co],
 *        stride 1, dilation s, pad top pt) -> [ci,KH,KW,co] -> transpose [1,2,0,3].
 * Input gradient: a stride-1 Conv2D of dy (zero-dilated by the stride) with the filter rotated
 * by 180 degrees and its channel axes swapped ([KH,KW,co,ci]), padded by KH-1-pt on top.
 */
import * as tf from '../tf';
import { checkChannelsLast, Scratch, withScratch } from './scratch';

type ExplicitPad = [[number, number], [number, number], [number, number], [number, number]];

interface ConvGeometry {
  strideH: number;
  strideW: number;
  padTop: number;
  padLeft: number;
  inH: number;
  inW: number;
  outH: number;
  outW: number;
  filterH: number;
  filterW: number;
}

function geometry(
  kernelName: string,
  inShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  attrs: { strides: [number, number] | number; pad: tf.Conv2DAttrs['pad']; dataFormat: 'NHWC' | 'NCHW'; dimRoundingMode?: 'floor' | 'round' | 'ceil' },
): ConvGeometry {
  checkChannelsLast(kernelName, attrs.dataFormat);
  const info = tf.backend_util.computeConv2DInfo(
    inShape,
    filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) {
    throw new Error(`${kernelName} on wasm supports dilation 1 only`);
  }
  return {
    strideH: info.strideHeight,
    strideW: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
    inH: info.inHeight,
    inW: info.inWidth,
    outH: info.outHeight,
    outW: info.outWidth,
    filterH: info.filterHeight,
    filterW: info.filterWidth,
  };
}

function conv(s: Scratch, x: tf.TensorInfo, filter: tf.TensorInfo, dilations: [number, number], pad: ExplicitPad): tf.TensorInfo {
  return s.run(tf.Conv2D, { x, filter }, {
    strides: [1, 1],
    pad,
    dataFormat: 'NHWC',
    dilations,
    dimRoundingMode: undefined,
  } as unknown as tf.NamedAttrMap);
}

/** Crops a 4-D result to `size` on axes 1 and 2 when it came out larger (only shrinks). */
function cropTo(s: Scratch, t: tf.TensorInfo, rows: number, cols: number): tf.TensorInfo {
  if (t.shape[1] === rows && t.shape[2] === cols) return t;
  if (t.shape[1] < rows || t.shape[2] < cols) {
    throw new Error(`internal: conv gradient came out ${t.shape} but needs ${rows}x${cols}`);
  }
  return s.slice(t, [0, 0, 0, 0], [t.shape[0], rows, cols, t.shape[3]]);
}

function conv2DBackpropFilter(args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { x, dy } = args.inputs as unknown as tf.Conv2DBackpropFilterInputs & { x: tf.TensorInfo; dy: tf.TensorInfo };
  const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const g = geometry(tf.Conv2DBackpropFilter, x.shape as [number, number, number, number], attrs.filterShape, attrs);
  return withScratch(args.backend, (s) => {
    const xT = s.transpose(x, [3, 1, 2, 0]); // [ci, H, W, b]
    const dyT = s.transpose(dy, [1, 2, 0, 3]); // [oh, ow, b, co]
    // Rows read: kh + oh*s - pt for kh < KH, oh < outH. Pad below only as far as needed;
    // a negative need means the result has extra rows, cropped afterwards.
    const padBottom = Math.max(0, g.filterH + (g.outH - 1) * g.strideH - g.inH - g.padTop);
    const padRight = Math.max(0, g.filterW + (g.outW - 1) * g.strideW - g.inW - g.padLeft);
    const raw = conv(s, xT, dyT, [g.strideH, g.strideW], [
      [0, 0],
      [g.padTop, padBottom],
      [g.padLeft, padRight],
      [0, 0],
    ]); // [ci, KH', KW', co]
    const cropped = cropTo(s, raw, g.filterH, g.filterW);
    return s.transpose(cropped, [1, 2, 0, 3]); // [KH, KW, ci, co]
  });
}

function conv2DBackpropInput(args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { dy, filter } = args.inputs as unknown as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
  const inShape = attrs.inputShape;
  const g = geometry(tf.Conv2DBackpropInput, inShape, filter.shape as [number, number, number, number], attrs);
  const [batch, , , outC] = dy.shape;
  return withScratch(args.backend, (s) => {
    const rotated = s.run(tf.Reverse, { x: filter }, { dims: [0, 1] });
    const flipped = s.transpose(rotated, [0, 1, 3, 2]); // [KH, KW, co, ci]
    let spread = dy;
    if (g.strideH > 1 || g.strideW > 1) {
      // Zero-dilate dy: [b,oh,1,ow,1,co] padded to [b,oh,sh,ow,sw,co] = [b, oh*sh, ow*sw, co].
      const r6 = s.reshape(dy, [batch, g.outH, 1, g.outW, 1, outC]);
      const padded = s.run(tf.PadV2, { x: r6 }, {
        paddings: [
          [0, 0],
          [0, 0],
          [0, g.strideH - 1],
          [0, 0],
          [0, g.strideW - 1],
          [0, 0],
        ],
        constantValue: 0,
      });
      spread = s.reshape(padded, [batch, g.outH * g.strideH, g.outW * g.strideW, outC]);
    }
    let padTop = g.filterH - 1 - g.padTop;
    let padLeft = g.filterW - 1 - g.padLeft;
    if (padTop < 0 || padLeft < 0) {
      // More forward padding than filter: the first rows/cols of dy never reach the input.
      const dropT = Math.max(0, -padTop);
      const dropL = Math.max(0, -padLeft);
      spread = s.slice(spread, [0, dropT, dropL, 0], [batch, spread.shape[1] - dropT, spread.shape[2] - dropL, outC]);
      padTop = Math.max(0, padTop);
      padLeft = Math.max(0, padLeft);
    }
    const padBottom = Math.max(0, g.inH + g.filterH - 1 - spread.shape[1] - padTop);
    const padRight = Math.max(0, g.inW + g.filterW - 1 - spread.shape[2] - padLeft);
    const raw = conv(s, spread, flipped, [1, 1], [
      [0, 0],
      [padTop, padBottom],
      [padLeft, padRight],
      [0, 0],
    ]);
    return cropTo(s, raw, g.inH, g.inW);
  });
}

export const conv2DBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as tf.KernelFunc,
};

export const conv2DBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput as unknown as tf.KernelFunc,
};
