/**
 * ReLUConvBN from DARTS's `operations.py`: ReLU, a convolution without bias,
 * then batch norm. DARTS cells preprocess their two inputs with a 1×1
 * ReLUConvBN.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { BatchNorm } from "./batch_norm.ts";
import type { ForwardContext } from "./context.ts";
import type { ConvolutionFactory, Layer } from "./module.ts";
import type { ParameterStore } from "./parameter_store.ts";

/** Options of {@link ReLUConvBN}. */
export interface ReLUConvBNOptions {
  inChannels: number;
  outChannels: number;
  kernelSize: number;
  stride: number;
  padding: number;
  affine: boolean;
  factory: ConvolutionFactory;
}

/** ReLU → k×k convolution → BN. */
export class ReLUConvBN implements Layer {
  readonly convolution: Layer;
  readonly batchNorm: BatchNorm;

  constructor(store: ParameterStore, name: string, options: ReLUConvBNOptions) {
    const { inChannels, outChannels, kernelSize, stride, padding, affine, factory } = options;
    const layer = store.scope(name);
    this.convolution = factory.conv2d(layer, "conv", {
      inChannels,
      outChannels,
      kernelSize,
      stride,
      padding,
      dilation: 1,
    });
    this.batchNorm = new BatchNorm(layer, "bn", { channels: outChannels, affine });
  }

  forward(x: tf.Tensor4D, context: ForwardContext): tf.Tensor4D {
    return tf.tidy(() => {
      const convolved = this.convolution.forward(tf.relu(x), context);
      return this.batchNorm.forward(convolved, context);
    });
  }
}
