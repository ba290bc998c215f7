/**
 * The gradients of a 1×1, stride-1 LRT convolution (the pointwise halves of
 * DARTS's separable and dilated convolutions, and the cell preprocessing)
 * as two WebAssembly kernels on the wasm backend: one pass gives dθ and
 * d log σ², one gives dx = dy·θᵀ + x·((dy·r)·σ²ᵀ). Composed from single
 * kernels they take two matrix products and two transposes for each
 * moment, plus four elementwise passes.
 *
 * @module
 */

import type * as tf from "@tensorflow/tfjs";
import { checkOperands, nativeKernels, type Operand } from "./module.ts";
import type { WasmBackend } from "../wasm_backend.ts";

/** Names of the kernels. */
export const LRT_POINTWISE_KERNELS = {
  filter: "EngineLrtPointwiseBackpropFilter",
  input: "EngineLrtPointwiseBackpropInput",
} as const;

/**
 * Tests whether the kernels handle a convolution of input `inputShape` with filter
 * `filterShape`: 1×1, both channel counts divisible by 4. The caller checks
 * stride 1, no padding and no dilation.
 */
export function nativePointwiseSupports(
  inputShape: readonly number[],
  filterShape: readonly number[],
): boolean {
  const [height, width, inChannels, outChannels] = filterShape;
  return height === 1 && width === 1 && inputShape[3] === inChannels &&
    inChannels % 4 === 0 && outChannels % 4 === 0;
}

/** Computes the filter gradients. Inputs: x, dy, ratio, variance. Outputs: [dθ, d log σ²]. */
export const wasmLrtPointwiseFilterGrad: tf.KernelFunc = ({ inputs, backend }) => {
  const { x, dy, ratio, variance } = inputs as Record<string, tf.TensorInfo>;
  _checkPointwise(LRT_POINTWISE_KERNELS.filter, x, dy, ratio, variance);
  const wasm = backend as unknown as WasmBackend;
  const thetaGrad = wasm.makeOutput(variance.shape, "float32");
  const logVarianceGrad = wasm.makeOutput(variance.shape, "float32");
  nativeKernels(backend).lrtPointwiseFilterGrad(x, dy, ratio, variance, thetaGrad, logVarianceGrad);
  return [thetaGrad, logVarianceGrad];
};

/** Computes the input gradient dx. Inputs: dy, ratio, x, theta, variance. */
export const wasmLrtPointwiseInputGrad: tf.KernelFunc = ({ inputs, backend }) => {
  const { dy, ratio, x, theta, variance } = inputs as Record<string, tf.TensorInfo>;
  _checkPointwise(LRT_POINTWISE_KERNELS.input, x, dy, ratio, variance, theta);
  const dx = (backend as unknown as WasmBackend).makeOutput(x.shape, "float32");
  nativeKernels(backend).lrtPointwiseInputGrad(dy, ratio, x, theta, variance, dx);
  return dx;
};

/** Throws unless the operands form a 1×1 convolution the kernels handle. */
function _checkPointwise(
  kernel: string,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  ratio: tf.TensorInfo,
  variance: tf.TensorInfo,
  theta?: tf.TensorInfo,
): void {
  if (!nativePointwiseSupports(x.shape, variance.shape)) {
    throw new Error(
      `Cannot run ${kernel} for input [${x.shape}] and filter [${variance.shape}]: it needs a ` +
        "1×1 filter and channel counts divisible by 4. Check nativePointwiseSupports first.",
    );
  }
  const [batch, height, width] = x.shape;
  const outputShape = [batch, height, width, variance.shape[3]];
  const operands: Operand[] = [
    ["x", x, x.shape],
    ["dy", dy, outputShape],
    ["ratio", ratio, outputShape],
    ["variance", variance, variance.shape],
  ];
  if (theta !== undefined) operands.push(["theta", theta, variance.shape]);
  checkOperands(kernel, operands);
}
