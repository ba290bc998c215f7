/**
 * tfjs kernels on the wasm backend that run the depthwise convolution
 * gradients of `kernels.c`: SIMD over groups of four channels, in place in
 * the heap. Each handles channel counts that are multiples of 4 and hands
 * other shapes to the kernel it replaces.
 *
 * The two LRT kernels compute the mean and the variance path of a
 * variational depthwise convolution together: one pass over x, dy and the
 * ratio r gives dθ and d log σ², and one pass gives
 * dx = convᵀ(dy, θ) + x·convᵀ(dy·r, σ²). Composed from single kernels, the
 * same gradients read every tensor twice and add five elementwise passes.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { checkOperands, type DepthwiseGeometry, nativeKernels } from "./module.ts";
import type { WasmBackend } from "../wasm_backend.ts";

/** Names of the LRT kernels. */
export const LRT_DEPTHWISE_KERNELS = {
  filter: "EngineLrtDepthwiseBackpropFilter",
  input: "EngineLrtDepthwiseBackpropInput",
} as const;

/** Convolution attributes of the LRT kernels. */
export interface LrtDepthwiseAttrs {
  strides: number;
  pad: number;
  dilations: number;
  /** Shape of x, `[batch, height, width, channels]`. */
  inputShape: [number, number, number, number];
  /** Shape of θ and σ², `[k, k, channels, 1]`. */
  filterShape: [number, number, number, number];
}

/** Tests whether the native kernels handle a depthwise convolution with these shapes. */
export function nativeDepthwiseSupports(
  inputShape: readonly number[],
  filterShape: readonly number[],
): boolean {
  return inputShape[3] % 4 === 0 && filterShape[3] === 1;
}

/** Returns kernels.c's Geometry of a depthwise convolution, or null for unequal strides or dilations. */
function _geometry(
  inputShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  strides: number | [number, number],
  pad: tf.backend_util.ExplicitPadding | number | "valid" | "same",
  dilations: number | [number, number],
  dimRoundingMode?: "floor" | "round" | "ceil",
): DepthwiseGeometry | null {
  const info = tf.backend_util.computeConv2DInfo(
    inputShape,
    filterShape,
    strides,
    dilations,
    pad,
    dimRoundingMode,
    true,
  );
  if (info.strideHeight !== info.strideWidth || info.dilationHeight !== info.dilationWidth) {
    return null;
  }
  return [
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.dilationHeight,
    info.padInfo.top,
    info.padInfo.left,
  ];
}

/** Returns a DepthwiseConv2dNativeBackpropFilter kernel that runs natively where it can. */
export function wasmNativeDepthwiseFilterGrad(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const a = args.attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
    const inputShape = x.shape as [number, number, number, number];
    if (x.dtype !== "float32" || !nativeDepthwiseSupports(inputShape, a.filterShape)) {
      return fallback(args);
    }
    const geometry = _geometry(
      inputShape,
      a.filterShape,
      a.strides,
      a.pad,
      a.dilations ?? 1,
      a.dimRoundingMode,
    );
    if (geometry === null || !_matches(dy, _outputShape(geometry))) return fallback(args);

    const output = (args.backend as unknown as WasmBackend).makeOutput(a.filterShape, "float32");
    nativeKernels(args.backend).depthwiseFilterGrad(geometry, x, dy, output);
    return output;
  };
}

/** Returns a DepthwiseConv2dNativeBackpropInput kernel that runs natively where it can. */
export function wasmNativeDepthwiseInputGrad(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const a = args.attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
    const inputShape = a.inputShape;
    const filterShape = filter.shape as [number, number, number, number];
    if (dy.dtype !== "float32" || !nativeDepthwiseSupports(inputShape, filterShape)) {
      return fallback(args);
    }
    const geometry = _geometry(
      inputShape,
      filterShape,
      a.strides,
      a.pad,
      a.dilations ?? 1,
      a.dimRoundingMode,
    );
    if (geometry === null || !_matches(dy, _outputShape(geometry))) return fallback(args);

    const dx = (args.backend as unknown as WasmBackend).makeOutput(inputShape, "float32");
    nativeKernels(args.backend).depthwiseInputGrad(geometry, dy, filter, dx);
    return dx;
  };
}

/** Computes the LRT filter gradients. Inputs: x, dy, ratio, variance. Outputs: [dθ, d log σ²]. */
export const wasmLrtDepthwiseFilterGrad: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy, ratio, variance } = inputs as Record<string, tf.TensorInfo>;
  const a = attrs as unknown as LrtDepthwiseAttrs;
  const geometry = _requireGeometry(a);
  const outputShape = _outputShape(geometry);
  checkOperands(LRT_DEPTHWISE_KERNELS.filter, [
    ["x", x, a.inputShape],
    ["dy", dy, outputShape],
    ["ratio", ratio, outputShape],
    ["variance", variance, a.filterShape],
  ]);

  const wasm = backend as unknown as WasmBackend;
  const thetaGrad = wasm.makeOutput(a.filterShape, "float32");
  const logVarianceGrad = wasm.makeOutput(a.filterShape, "float32");
  nativeKernels(backend).lrtDepthwiseFilterGrad(
    geometry,
    x,
    dy,
    ratio,
    variance,
    thetaGrad,
    logVarianceGrad,
  );
  return [thetaGrad, logVarianceGrad];
};

/** Computes the LRT input gradient dx. Inputs: dy, ratio, x, theta, variance. */
export const wasmLrtDepthwiseInputGrad: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, ratio, x, theta, variance } = inputs as Record<string, tf.TensorInfo>;
  const a = attrs as unknown as LrtDepthwiseAttrs;
  const geometry = _requireGeometry(a);
  const outputShape = _outputShape(geometry);
  checkOperands(LRT_DEPTHWISE_KERNELS.input, [
    ["dy", dy, outputShape],
    ["ratio", ratio, outputShape],
    ["x", x, a.inputShape],
    ["theta", theta, a.filterShape],
    ["variance", variance, a.filterShape],
  ]);

  const dx = (backend as unknown as WasmBackend).makeOutput(a.inputShape, "float32");
  nativeKernels(backend).lrtDepthwiseInputGrad(geometry, dy, ratio, x, theta, variance, dx);
  return dx;
};

/** Returns the output shape of a geometry, `[batch, outHeight, outWidth, channels]`. */
function _outputShape(geometry: DepthwiseGeometry): number[] {
  const [batch, , , channels, outHeight, outWidth] = geometry;
  return [batch, outHeight, outWidth, channels];
}

function _matches(info: tf.TensorInfo, shape: number[]): boolean {
  return info.dtype === "float32" && tf.util.arraysEqual(info.shape, shape);
}

function _requireGeometry(a: LrtDepthwiseAttrs): DepthwiseGeometry {
  const geometry = nativeDepthwiseSupports(a.inputShape, a.filterShape)
    ? _geometry(a.inputShape, a.filterShape, a.strides, a.pad, a.dilations)
    : null;
  if (geometry === null) {
    throw new Error(
      `Cannot run the native LRT depthwise gradient for input [${a.inputShape}] and filter ` +
        `[${a.filterShape}]: it needs a channel count divisible by 4 and multiplier 1. ` +
        "Check nativeDepthwiseSupports before calling it.",
    );
  }
  return geometry;
}
