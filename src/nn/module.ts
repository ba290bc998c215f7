/**
 * The layer contract of the harness. Layers are plain objects that create
 * their variables in a {@link ParameterStore} when constructed and map an
 * NHWC tensor to an NHWC tensor in `forward`; they hold no hidden global
 * state, so a network is fully described by its store.
 *
 * @module
 */

import type * as tf from "@tensorflow/tfjs";
import type { ForwardContext } from "./context.ts";
import type { ParameterStore } from "./parameter_store.ts";

/** A layer on feature maps `[batch, height, width, channels]`. */
export interface Layer {
  /** Maps `x` to the output; must not dispose `x`. Runs inside the caller's tidy or gradient scope. */
  forward(x: tf.Tensor4D, context: ForwardContext): tf.Tensor4D;
}

/**
 * A layer whose convolutions are either ordinary or sparse variational. The
 * candidate operations are built from a factory of this shape, so one
 * definition of each operation serves DARTS search, VINNAS search and both
 * kinds of evaluation network.
 */
export interface ConvolutionFactory {
  /** Whether the factory makes sparse variational (LRT) convolutions. */
  readonly variational: boolean;

  /** A full convolution, kernel `[kernel, kernel, inChannels, outChannels]`, no bias. */
  conv2d(store: ParameterStore, name: string, options: ConvolutionOptions): Layer;

  /** A depthwise convolution, kernel `[kernel, kernel, channels, 1]`, no bias. */
  depthwise(store: ParameterStore, name: string, options: DepthwiseOptions): Layer;
}

/** Options of a full convolution. Padding is symmetric, in pixels, as in PyTorch. */
export interface ConvolutionOptions {
  inChannels: number;
  outChannels: number;
  kernelSize: number;
  stride: number;
  padding: number;
  dilation: number;
}

/** Options of a depthwise convolution (channel multiplier 1). */
export interface DepthwiseOptions {
  channels: number;
  kernelSize: number;
  stride: number;
  padding: number;
  dilation: number;
}
