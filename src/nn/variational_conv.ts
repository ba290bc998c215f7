/**
 * Sparse variational dropout convolutions (Molchanov, Ashukha, Vetrov, ICML
 * 2017, arXiv 1701.05369) with the additive reparameterisation and the local
 * reparameterisation trick (LRT). Each kernel weight is w ~ N(θ, σ²), with θ
 * and log σ² stored as variables.
 *
 * Training: the pre-activation of a convolution with Gaussian weights is
 * Gaussian per output element, with mean μ = conv(x, θ) and variance
 * s² = conv(x², σ²), so the layer draws the output directly as
 * μ + ε·sqrt(s² + 1e-8), ε ~ N(0, 1) of the output's shape.
 * Inference: conv(x, θ·mask), where mask keeps weights with log α ≤ threshold.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { lrtConvolution } from "../engine/lrt_convolution.ts";
import { conv2d, depthwiseConv2d } from "../engine/ops.ts";
import type { ForwardContext } from "./context.ts";
import { LOG_ALPHA_EPSILON } from "./kl.ts";
import type { ConvolutionFactory, ConvolutionOptions, DepthwiseOptions, Layer } from "./module.ts";
import type { ParameterStore } from "./parameter_store.ts";

/** Added to the LRT variance before the square root, so its gradient stays finite at 0. */
export const LRT_VARIANCE_EPSILON = 1e-8;

/** Options of {@link createVariationalConvolutions}. */
export interface VariationalConvolutionOptions {
  /** Seed of the θ initialisation; each layer mixes it with its full name. @default 0 */
  seed?: number;
  /** Initial log σ² of every weight. @default -10 */
  logSigma2Init?: number;
  /** Weights with log α above this are zeroed at inference. @default 3 */
  pruneThreshold?: number;
}

/**
 * Returns a factory of sparse variational convolutions. θ starts as
 * PyTorch's default convolution initialisation, U(−1/√fanIn, 1/√fanIn), drawn
 * with a seed derived from `seed` and the layer's full name, so a network
 * built twice with one seed starts from the same weights.
 */
export function createVariationalConvolutions(
  options: VariationalConvolutionOptions = {},
): ConvolutionFactory {
  const settings: Required<VariationalConvolutionOptions> = {
    seed: options.seed ?? 0,
    logSigma2Init: options.logSigma2Init ?? -10,
    pruneThreshold: options.pruneThreshold ?? 3,
  };

  return {
    variational: true,
    conv2d(store, name, convolution) {
      const shape: [number, number, number, number] = [
        convolution.kernelSize,
        convolution.kernelSize,
        convolution.inChannels,
        convolution.outChannels,
      ];
      const fanIn = convolution.inChannels * convolution.kernelSize ** 2;
      const weights = _addVariationalKernel(store, name, shape, fanIn, settings);
      return new VariationalConvolution(weights, convolution, "full", settings.pruneThreshold);
    },
    depthwise(store, name, convolution) {
      const shape: [number, number, number, number] = [
        convolution.kernelSize,
        convolution.kernelSize,
        convolution.channels,
        1,
      ];
      const fanIn = convolution.kernelSize ** 2;
      const weights = _addVariationalKernel(store, name, shape, fanIn, settings);
      return new VariationalConvolution(weights, convolution, "depthwise", settings.pruneThreshold);
    },
  };
}

/** The factory with default options (seed 0, log σ² = -10, threshold 3). */
export const variationalConvolutions: ConvolutionFactory = createVariationalConvolutions();

/** A variational kernel: mean θ and log variance, `[kernel, kernel, in, out]`. */
export interface VariationalKernel {
  theta: tf.Variable;
  logSigma2: tf.Variable;
}

/** A full or depthwise convolution with a variational kernel. */
export class VariationalConvolution implements Layer {
  readonly kernel: VariationalKernel;
  readonly kind: "full" | "depthwise";
  private readonly stride: number;
  private readonly padding: number;
  private readonly dilation: number;
  private readonly pruneThreshold: number;

  constructor(
    kernel: VariationalKernel,
    options: ConvolutionOptions | DepthwiseOptions,
    kind: "full" | "depthwise",
    pruneThreshold: number,
  ) {
    this.kernel = kernel;
    this.kind = kind;
    this.stride = options.stride;
    this.padding = options.padding;
    this.dilation = options.dilation;
    this.pruneThreshold = pruneThreshold;
  }

  forward(x: tf.Tensor4D, context: ForwardContext): tf.Tensor4D {
    return tf.tidy(() => {
      const { theta, logSigma2 } = this.kernel;
      if (!context.training) return this.convolve(x, this.prunedMean());

      // μ = conv(x, θ), s² = conv(x², σ²) and μ + ε·√(s² + eps) as one operation
      // with an explicit gradient (fewer kernels and saved tensors).
      return lrtConvolution(
        x,
        theta as tf.Tensor4D,
        logSigma2 as tf.Tensor4D,
        () => context.noise.drawSeed(),
        {
          kind: this.kind,
          stride: this.stride,
          padding: this.padding,
          dilation: this.dilation,
          varianceEpsilon: LRT_VARIANCE_EPSILON,
        },
      );
    });
  }

  /** θ with every weight whose log α exceeds the threshold set to 0. */
  prunedMean(): tf.Tensor4D {
    return tf.tidy(() => {
      const { theta, logSigma2 } = this.kernel;
      const logAlphaValues = logSigma2.sub(theta.square().add(LOG_ALPHA_EPSILON).log());
      const keep = logAlphaValues.lessEqual(this.pruneThreshold).cast("float32");
      return theta.mul(keep) as tf.Tensor4D;
    });
  }

  private convolve(x: tf.Tensor4D, filter: tf.Tensor4D): tf.Tensor4D {
    const options = { stride: this.stride, padding: this.padding, dilation: this.dilation };
    return this.kind === "full" ? conv2d(x, filter, options) : depthwiseConv2d(x, filter, options);
  }
}

function _addVariationalKernel(
  store: ParameterStore,
  name: string,
  shape: [number, number, number, number],
  fanIn: number,
  settings: Required<VariationalConvolutionOptions>,
): VariationalKernel {
  const layer = store.scope(name);
  const bound = 1 / Math.sqrt(fanIn);
  const seed = seedFromName(settings.seed, layer.prefix);

  const theta = layer.add("theta", tf.randomUniform(shape, -bound, bound, "float32", seed), {
    role: "weight",
  });
  const logSigma2 = layer.add("log_sigma2", tf.fill(shape, settings.logSigma2Init), {
    role: "log-sigma2",
  });
  store.addVariationalPair(name, theta, logSigma2, "weight");
  return { theta, logSigma2 };
}

/**
 * Returns a 32-bit seed that depends on `seed` and every character of
 * `name` (FNV-1a over the name, then a multiplicative finaliser), so each
 * layer of a network gets its own reproducible stream.
 */
export function seedFromName(seed: number, name: string): number {
  let hash = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  for (let i = 0; i < name.length; i++) {
    hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193) >>> 0;
  }
  hash = Math.imul(hash ^ (hash >>> 15), 0x2c1b3c6d) >>> 0;
  return (hash ^ (hash >>> 12)) >>> 0;
}
