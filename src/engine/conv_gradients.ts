/**
 * Gradients of Conv2D and DepthwiseConv2dNative that accept dilation > 1.
 * tfjs 4.22.0's own gradients assert dilation 1, which rules out DARTS's
 * dilated convolutions. These route to the engine's backprop kernels, which
 * handle any dilation; with dilation 1 a backend may keep its native kernels.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { ENGINE_KERNELS } from "./conv_backprop_kernels.ts";

type Shape4 = [number, number, number, number];

/** Backends whose native dilation-1 backprop kernels are faster than the engine's. */
const _nativeBackprop = new Set<string>();

/** Makes the gradients use `backendName`'s native backprop kernels when dilation is 1. */
export function preferNativeBackprop(backendName: string, native: boolean): void {
  if (native) _nativeBackprop.add(backendName);
  else _nativeBackprop.delete(backendName);
}

/** Attributes of a forward convolution that its gradients need. */
export interface ConvolutionGradientAttrs {
  strides: number | [number, number];
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  dilations?: number | [number, number];
  dimRoundingMode?: "floor" | "round" | "ceil";
  /** Full convolutions only; the engine's kernels reject NCHW. @default "NHWC" */
  dataFormat?: "NHWC" | "NCHW";
}

/**
 * Input gradient `[batch, height, width, inChannels]` of a full or depthwise
 * convolution (channel multiplier 1 for the engine's depthwise kernels),
 * given the output gradient `dy` and the filter.
 */
export function convolutionInputGradient(
  kind: "full" | "depthwise",
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inputShape: Shape4,
  attrs: ConvolutionGradientAttrs,
): tf.Tensor4D {
  const engine = _useEngine(kind, filter.shape as Shape4, attrs.dilations);
  const kernelName = kind === "full"
    ? (engine ? ENGINE_KERNELS.conv2dBackpropInput : "Conv2DBackpropInput")
    : (engine ? ENGINE_KERNELS.depthwiseBackpropInput : "DepthwiseConv2dNativeBackpropInput");
  return tf.engine().runKernel(
    kernelName,
    { dy, filter },
    { ..._kernelAttrs(kind, attrs), inputShape } as unknown as tf.NamedAttrMap,
  ) as tf.Tensor4D;
}

/**
 * Filter gradient `[kernel, kernel, inChannels, outChannels]` (depthwise:
 * `[kernel, kernel, channels, 1]`) of a convolution of `x`, given the output
 * gradient `dy`.
 */
export function convolutionFilterGradient(
  kind: "full" | "depthwise",
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: Shape4,
  attrs: ConvolutionGradientAttrs,
): tf.Tensor4D {
  const engine = _useEngine(kind, filterShape, attrs.dilations);
  const kernelName = kind === "full"
    ? (engine ? ENGINE_KERNELS.conv2dBackpropFilter : "Conv2DBackpropFilter")
    : (engine ? ENGINE_KERNELS.depthwiseBackpropFilter : "DepthwiseConv2dNativeBackpropFilter");
  return tf.engine().runKernel(
    kernelName,
    { x, dy },
    { ..._kernelAttrs(kind, attrs), filterShape } as unknown as tf.NamedAttrMap,
  ) as tf.Tensor4D;
}

/** Gradient of Conv2D (inputs `x`, `filter`). */
export const conv2dGradient: tf.GradConfig = {
  kernelName: "Conv2D",
  inputsToSave: ["x", "filter"],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
    const convolution = attrs as unknown as ConvolutionGradientAttrs;
    const gradient = dy as tf.Tensor4D;
    return {
      x: () => convolutionInputGradient("full", gradient, filter, x.shape as Shape4, convolution),
      filter: () =>
        convolutionFilterGradient("full", x, gradient, filter.shape as Shape4, convolution),
    };
  },
};

/** Gradient of DepthwiseConv2dNative (inputs `x`, `filter`). */
export const depthwiseConv2dGradient: tf.GradConfig = {
  kernelName: "DepthwiseConv2dNative",
  inputsToSave: ["x", "filter"],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
    const convolution = attrs as unknown as ConvolutionGradientAttrs;
    const gradient = dy as tf.Tensor4D;
    return {
      x: () =>
        convolutionInputGradient("depthwise", gradient, filter, x.shape as Shape4, convolution),
      filter: () =>
        convolutionFilterGradient("depthwise", x, gradient, filter.shape as Shape4, convolution),
    };
  },
};

/**
 * Whether the engine's kernels serve this gradient. They always serve
 * dilation > 1. The engine's depthwise kernels handle channel multiplier 1
 * only, which is all DARTS uses; a dilated multiplier > 1 reaches them
 * anyway and fails loudly.
 */
function _useEngine(
  kind: "full" | "depthwise",
  filterShape: Shape4,
  dilations: number | [number, number] | undefined,
): boolean {
  if (_isDilated(dilations)) return true;
  if (kind === "depthwise" && filterShape[3] !== 1) return false;
  return !_nativeBackprop.has(tf.getBackend());
}

function _kernelAttrs(kind: "full" | "depthwise", attrs: ConvolutionGradientAttrs) {
  const common = {
    strides: attrs.strides,
    pad: attrs.pad,
    dimRoundingMode: attrs.dimRoundingMode,
    dilations: attrs.dilations ?? 1,
  };
  return kind === "full" ? { ...common, dataFormat: attrs.dataFormat ?? "NHWC" } : common;
}

function _isDilated(dilations: number | [number, number] | undefined): boolean {
  if (dilations === undefined) return false;
  return typeof dilations === "number" ? dilations > 1 : dilations[0] > 1 || dilations[1] > 1;
}
