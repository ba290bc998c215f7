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

/** Gradient of Conv2D (inputs `x`, `filter`). */
export const conv2dGradient: tf.GradConfig = {
  kernelName: "Conv2D",
  inputsToSave: ["x", "filter"],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
    const { strides, pad, dataFormat, dilations, dimRoundingMode } =
      attrs as unknown as tf.Conv2DAttrs;
    const engine = _isDilated(dilations) || !_nativeBackprop.has(tf.getBackend());
    const common = {
      strides,
      pad,
      dataFormat,
      dimRoundingMode,
      dilations,
    } as unknown as tf.NamedAttrMap;

    return {
      x: () =>
        tf.engine().runKernel(
          engine ? ENGINE_KERNELS.conv2dBackpropInput : "Conv2DBackpropInput",
          { dy: dy as tf.Tensor, filter },
          { ...common, inputShape: x.shape as Shape4 } as unknown as tf.NamedAttrMap,
        ) as tf.Tensor4D,
      filter: () =>
        tf.engine().runKernel(
          engine ? ENGINE_KERNELS.conv2dBackpropFilter : "Conv2DBackpropFilter",
          { x, dy: dy as tf.Tensor },
          { ...common, filterShape: filter.shape as Shape4 } as unknown as tf.NamedAttrMap,
        ) as tf.Tensor4D,
    };
  },
};

/** Gradient of DepthwiseConv2dNative (inputs `x`, `filter`). */
export const depthwiseConv2dGradient: tf.GradConfig = {
  kernelName: "DepthwiseConv2dNative",
  inputsToSave: ["x", "filter"],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
    const { strides, pad, dilations, dimRoundingMode } =
      attrs as unknown as tf.DepthwiseConv2dNativeAttrs;
    const $dilations = dilations ?? 1;
    // The engine kernels handle channel multiplier 1 only, which is all DARTS
    // uses; a dilated multiplier > 1 reaches them anyway and fails loudly.
    const engine = _isDilated($dilations) ||
      (filter.shape[3] === 1 && !_nativeBackprop.has(tf.getBackend()));
    const common = {
      strides,
      pad,
      dimRoundingMode,
      dilations: $dilations,
    } as unknown as tf.NamedAttrMap;

    return {
      x: () =>
        tf.engine().runKernel(
          engine ? ENGINE_KERNELS.depthwiseBackpropInput : "DepthwiseConv2dNativeBackpropInput",
          { dy: dy as tf.Tensor, filter },
          { ...common, inputShape: x.shape as Shape4 } as unknown as tf.NamedAttrMap,
        ) as tf.Tensor4D,
      filter: () =>
        tf.engine().runKernel(
          engine ? ENGINE_KERNELS.depthwiseBackpropFilter : "DepthwiseConv2dNativeBackpropFilter",
          { x, dy: dy as tf.Tensor },
          { ...common, filterShape: filter.shape as Shape4 } as unknown as tf.NamedAttrMap,
        ) as tf.Tensor4D,
    };
  },
};

function _isDilated(dilations: number | [number, number] | undefined): boolean {
  if (dilations === undefined) return false;
  return typeof dilations === "number" ? dilations > 1 : dilations[0] > 1 || dilations[1] > 1;
}
