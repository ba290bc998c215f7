/**
 * Convolution backprop kernels written as forward convolutions, so that they
 * run at the speed of each backend's forward convolution (XNNPACK on wasm)
 * and accept dilation. NHWC only.
 *
 * Formulations, for a forward convolution with stride s, dilation d, kernel
 * k and padding (top, left):
 * - input gradient: insert s − 1 zeros between the pixels of the output
 *   gradient and pad it by (k − 1)·d − top. Then convolve it with stride 1
 *   and dilation d with the kernel flipped in height and width; a full
 *   convolution also swaps the kernel's input and output channels.
 * - filter gradient of a full convolution: the batch plays the role of the
 *   channels. The input transposed to `[inC, height, width, batch]` is
 *   convolved with the output gradient transposed to `[outH, outW, batch,
 *   outC]` as filter, with stride d and dilation s, giving `[inC, k, k, outC]`;
 * - filter gradient of a depthwise convolution: the input reshaped to
 *   `[1, height, width, batch·C]` is convolved depthwise with the output
 *   gradient as a `[outH, outW, batch·C, 1]` filter, stride d and dilation s,
 *   then summed over the batch.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { KernelCalls } from "./kernel_calls.ts";

type TensorInfo = tf.TensorInfo;
type Shape4 = [number, number, number, number];

/** Attributes the engine's backprop kernels read; `dilations` extends tfjs's set. */
interface _BackpropAttrs {
  strides: number | [number, number];
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  dilations?: number | [number, number];
  dimRoundingMode?: "floor" | "round" | "ceil";
  dataFormat?: "NHWC" | "NCHW";
}

/** Kernel names under which the engine's versions are always registered. */
export const ENGINE_KERNELS = {
  conv2dBackpropInput: "EngineConv2DBackpropInput",
  conv2dBackpropFilter: "EngineConv2DBackpropFilter",
  depthwiseBackpropInput: "EngineDepthwiseConv2dNativeBackpropInput",
  depthwiseBackpropFilter: "EngineDepthwiseConv2dNativeBackpropFilter",
} as const;

/** Input gradient of Conv2D: inputs `dy`, `filter`; attrs add `inputShape`. */
export const conv2dBackpropInputKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = attrs as unknown as _BackpropAttrs & { inputShape: Shape4 };
  const info = _convInfo("Conv2DBackpropInput", a.inputShape, filter.shape as Shape4, a, false);
  const calls = new KernelCalls(backend as tf.KernelBackend, tf.getBackend());

  try {
    // Kernel [k, k, inC, outC] flipped and transposed to [k, k, outC, inC].
    const flipped = calls.transpose(calls.reverse(filter, [0, 1]), [0, 1, 3, 2]);
    const dx = _inputGradient(
      calls,
      dy,
      info,
      (padded, pad) => calls.conv2d(padded, flipped, 1, pad, info.dilationHeight),
    );
    return calls.finish(dx);
  } catch (error) {
    calls.abandon();
    throw error;
  }
};

/** Filter gradient of Conv2D: inputs `x`, `dy`; attrs add `filterShape`. */
export const conv2dBackpropFilterKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as _BackpropAttrs & { filterShape: Shape4 };
  const info = _convInfo("Conv2DBackpropFilter", x.shape as Shape4, a.filterShape, a, false);
  const calls = new KernelCalls(backend as tf.KernelBackend, tf.getBackend());

  try {
    if (_isPointwise(info)) return calls.finish(_pointwiseFilterGradient(calls, x, dy));

    // [batch, H, W, inC] -> [inC, H, W, batch]; dy [batch, oh, ow, outC] -> [oh, ow, batch, outC].
    const xT = calls.transpose(x, [3, 1, 2, 0]);
    const dyT = calls.transpose(dy, [1, 2, 0, 3]);
    const { x: input, pad } = _filterGradientInput(calls, xT, info);
    const dw = calls.conv2d(input, dyT, info.dilationHeight, pad, info.strideHeight);

    // [inC, k, k, outC] -> [k, k, inC, outC].
    return calls.finish(calls.transpose(dw, [1, 2, 0, 3]));
  } catch (error) {
    calls.abandon();
    throw error;
  }
};

/** Input gradient of a depthwise convolution with channel multiplier 1. */
export const depthwiseBackpropInputKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = attrs as unknown as _BackpropAttrs & { inputShape: Shape4 };
  _checkMultiplier("DepthwiseConv2dNativeBackpropInput", filter.shape as Shape4);
  const info = _convInfo(
    "DepthwiseConv2dNativeBackpropInput",
    a.inputShape,
    filter.shape as Shape4,
    a,
    true,
  );
  const calls = new KernelCalls(backend as tf.KernelBackend, tf.getBackend());

  try {
    const flipped = calls.reverse(filter, [0, 1]);
    const dx = _inputGradient(
      calls,
      dy,
      info,
      (padded, pad) => calls.depthwiseConv2d(padded, flipped, 1, pad, info.dilationHeight),
    );
    return calls.finish(dx);
  } catch (error) {
    calls.abandon();
    throw error;
  }
};

/** Filter gradient of a depthwise convolution with channel multiplier 1. */
export const depthwiseBackpropFilterKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as _BackpropAttrs & { filterShape: Shape4 };
  _checkMultiplier("DepthwiseConv2dNativeBackpropFilter", a.filterShape);
  const info = _convInfo(
    "DepthwiseConv2dNativeBackpropFilter",
    x.shape as Shape4,
    a.filterShape,
    a,
    true,
  );
  const [batch, height, width, channels] = x.shape;
  const [, outHeight, outWidth] = dy.shape;
  const calls = new KernelCalls(backend as tf.KernelBackend, tf.getBackend());

  try {
    // x -> [1, H, W, batch·C]; dy -> filter [oh, ow, batch·C, 1].
    const xFolded = calls.reshape(calls.transpose(x, [1, 2, 0, 3]), [
      1,
      height,
      width,
      batch * channels,
    ]);
    const dyFolded = calls.reshape(
      calls.transpose(dy, [1, 2, 0, 3]),
      [outHeight, outWidth, batch * channels, 1],
    );
    const { x: input, pad } = _filterGradientInput(calls, xFolded, info);
    const dw = calls.depthwiseConv2d(input, dyFolded, info.dilationHeight, pad, info.strideHeight);

    // [1, k, k, batch·C] -> [k, k, batch, C], summed over the batch -> [k, k, C, 1].
    const kernel = info.filterHeight;
    const perExample = calls.reshape(dw, [kernel, info.filterWidth, batch, channels]);
    const summed = calls.sum(perExample, [2]);
    return calls.finish(calls.reshape(summed, [kernel, info.filterWidth, channels, 1]));
  } catch (error) {
    calls.abandon();
    throw error;
  }
};

/** Tests for a 1×1 stride-1 convolution without padding, a matrix product per pixel. */
function _isPointwise(info: tf.backend_util.Conv2DInfo): boolean {
  const { top, bottom, left, right } = info.padInfo;
  return info.filterHeight === 1 && info.filterWidth === 1 && info.strideHeight === 1 &&
    info.strideWidth === 1 && top === 0 && bottom === 0 && left === 0 && right === 0;
}

/**
 * Filter gradient of a 1×1 convolution as one matrix product, xᵀ·dy over
 * all pixels: `[1, inC, P] × [1, P, outC]` with P = batch·height·width. An
 * explicit transpose is faster on wasm than BatchMatMul's transposeA.
 */
function _pointwiseFilterGradient(calls: KernelCalls, x: TensorInfo, dy: TensorInfo): TensorInfo {
  const inChannels = x.shape[3];
  const outChannels = dy.shape[3];
  const pixels = x.shape[0] * x.shape[1] * x.shape[2];
  const xT = calls.transpose(calls.reshape(x, [pixels, inChannels]), [1, 0]);
  const product = calls.run("BatchMatMul", {
    a: calls.reshape(xT, [1, inChannels, pixels]),
    b: calls.reshape(dy, [1, pixels, outChannels]),
  }, { transposeA: false, transposeB: false });
  return calls.reshape(product, [1, 1, inChannels, outChannels]);
}

/**
 * Input gradient by a stride-1 convolution of the zero-inserted output
 * gradient. `convolve` receives the (possibly cropped) gradient and the
 * explicit padding that makes the result exactly the input size.
 */
function _inputGradient(
  calls: KernelCalls,
  dy: TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  convolve: (x: TensorInfo, pad: ReturnType<KernelCalls["cropNegative"]>["pad"]) => TensorInfo,
): TensorInfo {
  const spread = calls.insertZeros(dy, info.strideHeight);
  const [, rows, columns] = spread.shape;
  const { top, left } = info.padInfo;

  // A stride-1 'valid' convolution maps length L to L − (effective k − 1);
  // these pads make it return the input height and width exactly.
  const padTop = info.effectiveFilterHeight - 1 - top;
  const padLeft = info.effectiveFilterWidth - 1 - left;
  const padBottom = info.inHeight + info.effectiveFilterHeight - 1 - padTop - rows;
  const padRight = info.inWidth + info.effectiveFilterWidth - 1 - padLeft - columns;
  const { x, pad } = calls.cropNegative(spread, padTop, padBottom, padLeft, padRight);
  return convolve(x, pad);
}

/**
 * Crops or pads the transposed input so that a convolution with stride d and
 * dilation s over it yields exactly k × k outputs. For that it must span
 * (k − 1)·d + (out − 1)·s + 1 pixels, counted from the top-left padding.
 */
function _filterGradientInput(
  calls: KernelCalls,
  x: TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): ReturnType<KernelCalls["cropNegative"]> {
  const { top, left } = info.padInfo;
  const spanHeight = (info.filterHeight - 1) * info.dilationHeight +
    (info.outHeight - 1) * info.strideHeight + 1;
  const spanWidth = (info.filterWidth - 1) * info.dilationWidth +
    (info.outWidth - 1) * info.strideWidth + 1;
  const bottom = spanHeight - info.inHeight - top;
  const right = spanWidth - info.inWidth - left;
  return calls.cropNegative(x, top, bottom, left, right);
}

function _convInfo(
  kernelName: string,
  inputShape: Shape4,
  filterShape: Shape4,
  attrs: _BackpropAttrs,
  depthwise: boolean,
): tf.backend_util.Conv2DInfo {
  if (attrs.dataFormat === "NCHW") {
    throw new Error(
      `Cannot run ${kernelName} with data format NCHW: the engine supports NHWC only.`,
    );
  }

  const info = tf.backend_util.computeConv2DInfo(
    inputShape,
    filterShape,
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    depthwise,
  );
  if (info.strideHeight !== info.strideWidth || info.dilationHeight !== info.dilationWidth) {
    throw new Error(
      `Cannot run ${kernelName} with strides [${info.strideHeight}, ${info.strideWidth}] and ` +
        `dilations [${info.dilationHeight}, ${info.dilationWidth}]: the engine supports equal ` +
        "height and width values only.",
    );
  }
  return info;
}

function _checkMultiplier(kernelName: string, filterShape: Shape4): void {
  if (filterShape[3] !== 1) {
    throw new Error(
      `Cannot run ${kernelName} with channel multiplier ${filterShape[3]}: the engine supports ` +
        "multiplier 1 only (filter [k, k, channels, 1]).",
    );
  }
}
