/**
 * A convolution with Gaussian weights under the local reparameterisation
 * trick (Kingma, Salimans, Welling 2015; sparse variational dropout,
 * Molchanov, Ashukha, Vetrov 2017) as one differentiable operation:
 * y = μ + ε·√(s² + eps) with μ = conv(x, θ), s² = conv(x², σ²), σ² = exp(log σ²)
 * and ε ~ N(0, 1) of the output's shape.
 *
 * Written with an explicit gradient because tfjs's automatic one records
 * about twenty kernels per layer and keeps six output-sized tensors alive
 * until the backward pass (μ, s², s² + eps, its square root, ε and ε·√·).
 * This one keeps the input, the two filters and one output-sized tensor
 * r = ε / √(s² + eps). With g = dy·r (twice the gradient of s²):
 * - dx = convᵀ(dy, θ) + x · convᵀ(g, σ²)
 * - dθ = filter gradient of (x, dy)
 * - d log σ² = ½ σ² · filter gradient of (x², g)
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import {
  convolutionFilterGradient,
  type ConvolutionGradientAttrs,
  convolutionInputGradient,
} from "./conv_gradients.ts";
import { ensureEngineInstalled } from "./install.ts";
import { lrtSample } from "./lrt_sample.ts";
import {
  LRT_DEPTHWISE_KERNELS,
  type LrtDepthwiseAttrs,
  nativeDepthwiseSupports,
} from "./native/depthwise_kernels.ts";
import { LRT_POINTWISE_KERNELS, nativePointwiseSupports } from "./native/pointwise_kernels.ts";
import { type ConvolutionOpOptions, stridedDilatedConvolution } from "./ops.ts";

type Shape4 = [number, number, number, number];

/** Options of {@link lrtConvolution}. */
export interface LrtConvolutionOptions extends ConvolutionOpOptions {
  /** A full convolution, or a depthwise one with filters `[k, k, channels, 1]`. */
  kind: "full" | "depthwise";
  /** Added to s² before the square root, so the gradient stays finite at 0. */
  varianceEpsilon: number;
}

/**
 * Draws the LRT output for input `x` `[batch, height, width, inChannels]`,
 * mean filter `theta` and log-variance filter `logSigma2` (both
 * `[k, k, inChannels, outChannels]`, or `[k, k, channels, 1]` for depthwise).
 * `drawSeed` returns the seed of ε ~ N(0, 1) (called once).
 */
export function lrtConvolution(
  x: tf.Tensor4D,
  theta: tf.Tensor4D,
  logSigma2: tf.Tensor4D,
  drawSeed: () => number,
  options: LrtConvolutionOptions,
): tf.Tensor4D {
  ensureEngineInstalled();
  const { stride, dilation } = options;
  if (stride > 1 && dilation > 1) {
    // tfjs rejects this combination; convolve a subsampled input with stride 1.
    return stridedDilatedConvolution(
      x,
      theta.shape[0],
      options,
      (input, reduced) =>
        _lrt(input, theta, logSigma2, drawSeed, {
          ...options,
          stride: 1,
          padding: 0,
          dilation: reduced,
        }),
    );
  }
  return _lrt(x, theta, logSigma2, drawSeed, options);
}

function _lrt(
  x: tf.Tensor4D,
  theta: tf.Tensor4D,
  logSigma2: tf.Tensor4D,
  drawSeed: () => number,
  options: LrtConvolutionOptions,
): tf.Tensor4D {
  const { kind, stride, padding, dilation, varianceEpsilon } = options;
  const attrs: ConvolutionGradientAttrs = { strides: stride, pad: padding, dilations: dilation };
  const convolve = (input: tf.Tensor4D, filter: tf.Tensor4D) =>
    kind === "full"
      ? tf.conv2d(input, filter, stride, padding, "NHWC", dilation)
      : tf.depthwiseConv2d(input, filter, stride, padding, "NHWC", dilation);

  const run = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [input, mean, logVariance] = args as tf.Tensor4D[];
    const save = args[3] as tf.GradSaveFunc;

    const variance = tf.exp(logVariance);
    const mu = convolve(input, mean);
    const s2 = convolve(tf.square(input), variance);
    const [y, ratio] = lrtSample(mu, s2, drawSeed(), varianceEpsilon);
    save([input, mean, variance, ratio]);

    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [savedX, savedTheta, savedVariance, ratio] = saved as tf.Tensor4D[];
        const gradient = dy as tf.Tensor4D;
        const inputShape = savedX.shape as Shape4;
        const filterShape = savedTheta.shape as Shape4;

        if (kind === "depthwise" && _nativeDepthwise(inputShape, filterShape)) {
          // Mean and variance paths in one pass each (wasm, channels divisible by 4).
          const kernelAttrs: LrtDepthwiseAttrs = {
            strides: stride,
            pad: padding,
            dilations: dilation,
            inputShape,
            filterShape,
          };
          const engine = tf.engine();
          const named = kernelAttrs as unknown as tf.NamedAttrMap;
          const dx = engine.runKernel(LRT_DEPTHWISE_KERNELS.input, {
            dy: gradient,
            ratio,
            x: savedX,
            theta: savedTheta,
            variance: savedVariance,
          }, named) as tf.Tensor4D;
          const [dTheta, dLogSigma2] = engine.runKernel(LRT_DEPTHWISE_KERNELS.filter, {
            x: savedX,
            dy: gradient,
            ratio,
            variance: savedVariance,
          }, named) as tf.Tensor4D[];
          return [dx, dTheta, dLogSigma2];
        }

        const pointwise = stride === 1 && padding === 0 && dilation === 1;
        if (kind === "full" && pointwise && _nativePointwise(inputShape, filterShape)) {
          // Both moments of a 1×1 convolution in one pass each (wasm, channels divisible by 4).
          const engine = tf.engine();
          const dx = engine.runKernel(LRT_POINTWISE_KERNELS.input, {
            dy: gradient,
            ratio,
            x: savedX,
            theta: savedTheta,
            variance: savedVariance,
          }) as tf.Tensor4D;
          const [dTheta, dLogSigma2] = engine.runKernel(LRT_POINTWISE_KERNELS.filter, {
            x: savedX,
            dy: gradient,
            ratio,
            variance: savedVariance,
          }) as tf.Tensor4D[];
          return [dx, dTheta, dLogSigma2];
        }

        const g = tf.mul(gradient, ratio) as tf.Tensor4D;

        const dx = tf.add(
          convolutionInputGradient(kind, gradient, savedTheta, inputShape, attrs),
          tf.mul(savedX, convolutionInputGradient(kind, g, savedVariance, inputShape, attrs)),
        );
        const dTheta = convolutionFilterGradient(kind, savedX, gradient, filterShape, attrs);
        const dVariance = convolutionFilterGradient(
          kind,
          tf.square(savedX),
          g,
          filterShape,
          attrs,
        );
        const dLogSigma2 = tf.mul(dVariance, tf.mul(savedVariance, 0.5));
        return [dx, dTheta, dLogSigma2];
      },
    };
  });

  return run(x, theta, logSigma2) as tf.Tensor4D;
}

/** Tests whether the current backend runs both LRT depthwise gradients as single kernels. */
function _nativeDepthwise(inputShape: Shape4, filterShape: Shape4): boolean {
  return tf.getKernel(LRT_DEPTHWISE_KERNELS.filter, tf.getBackend()) !== undefined &&
    nativeDepthwiseSupports(inputShape, filterShape);
}

/** Tests whether the current backend runs both LRT gradients of this 1×1 convolution as single kernels. */
function _nativePointwise(inputShape: Shape4, filterShape: Shape4): boolean {
  return tf.getKernel(LRT_POINTWISE_KERNELS.filter, tf.getBackend()) !== undefined &&
    nativePointwiseSupports(inputShape, filterShape);
}
