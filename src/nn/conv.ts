/**
 * Ordinary (non-variational) convolutions: the {@link ConvolutionFactory}
 * that DARTS search and DARTS evaluation networks use.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { conv2d, type ConvolutionOpOptions, depthwiseConv2d } from "../engine/ops.ts";
import type { ForwardContext } from "./context.ts";
import type { ConvolutionFactory, ConvolutionOptions, DepthwiseOptions, Layer } from "./module.ts";
import type { ParameterStore } from "./parameter_store.ts";
import { seedFromName } from "./variational_conv.ts";

/** Options of {@link createPlainConvolutions}. */
export interface PlainConvolutionOptions {
  /** Seed of the weight initialisation; each layer mixes it with its full name. @default 0 */
  seed?: number;
}

/**
 * Returns a factory of ordinary convolutions without bias. Kernels start as
 * PyTorch's default convolution initialisation (kaiming-uniform with
 * a = √5), which is U(−1/√fanIn, 1/√fanIn) with fanIn = inChannels·k² for a
 * full and k² for a depthwise convolution. Each layer draws from a seed
 * derived from `seed` and its full name, so a network built twice with one
 * seed starts from the same weights on every backend.
 */
export function createPlainConvolutions(options: PlainConvolutionOptions = {}): ConvolutionFactory {
  const seed = options.seed ?? 0;

  return {
    variational: false,
    conv2d(store, name, convolution) {
      const { kernelSize, inChannels, outChannels } = convolution;
      const shape: [number, number, number, number] = [
        kernelSize,
        kernelSize,
        inChannels,
        outChannels,
      ];
      const kernel = _addKernel(store, name, shape, inChannels * kernelSize ** 2, seed);
      return new Convolution(kernel, convolution, "full");
    },
    depthwise(store, name, convolution) {
      const { kernelSize, channels } = convolution;
      const shape: [number, number, number, number] = [kernelSize, kernelSize, channels, 1];
      const kernel = _addKernel(store, name, shape, kernelSize ** 2, seed);
      return new Convolution(kernel, convolution, "depthwise");
    },
  };
}

/** The factory with seed 0. */
export const plainConvolutions: ConvolutionFactory = createPlainConvolutions();

/** Options of a 1×1 stride-1 convolution from `inChannels` to `outChannels`. */
export function pointwiseOptions(inChannels: number, outChannels: number): ConvolutionOptions {
  return { inChannels, outChannels, kernelSize: 1, stride: 1, padding: 0, dilation: 1 };
}

/** A full or depthwise convolution with an ordinary kernel and no bias. */
export class Convolution implements Layer {
  /** `[kernel, kernel, inChannels, outChannels]`, or `[kernel, kernel, channels, 1]` for depthwise. */
  readonly kernel: tf.Variable;
  readonly kind: "full" | "depthwise";
  readonly options: ConvolutionOpOptions;

  constructor(
    kernel: tf.Variable,
    options: ConvolutionOptions | DepthwiseOptions,
    kind: "full" | "depthwise",
  ) {
    this.kernel = kernel;
    this.kind = kind;
    this.options = { stride: options.stride, padding: options.padding, dilation: options.dilation };
  }

  forward(x: tf.Tensor4D, _context: ForwardContext): tf.Tensor4D {
    const filter = this.kernel as tf.Tensor4D;
    return this.kind === "full"
      ? conv2d(x, filter, this.options)
      : depthwiseConv2d(x, filter, this.options);
  }
}

function _addKernel(
  store: ParameterStore,
  name: string,
  shape: [number, number, number, number],
  fanIn: number,
  seed: number,
): tf.Variable {
  const layer = store.scope(name);
  const bound = 1 / Math.sqrt(fanIn);
  const initial = tf.randomUniform(
    shape,
    -bound,
    bound,
    "float32",
    seedFromName(seed, layer.prefix),
  );
  return layer.add("weight", initial, { role: "weight" });
}
