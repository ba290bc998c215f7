/**
 * SepConv from DARTS's `operations.py` (`sep_conv_3x3`, `sep_conv_5x5`): a
 * depthwise-separable convolution applied twice, ReLU → depthwise k×k
 * (stride s) → pointwise 1×1 → BN → ReLU → depthwise k×k (stride 1) →
 * pointwise 1×1 → BN. The first pointwise keeps the input channels.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { BatchNorm } from "./batch_norm.ts";
import { pointwiseOptions } from "./conv.ts";
import type { ForwardContext } from "./context.ts";
import type { ConvolutionFactory, Layer } from "./module.ts";
import type { ParameterStore } from "./parameter_store.ts";

/** Options of {@link SepConv}. */
export interface SepConvOptions {
  inChannels: number;
  outChannels: number;
  kernelSize: number;
  stride: number;
  padding: number;
  affine: boolean;
  factory: ConvolutionFactory;
}

/** Two stacked ReLU → depthwise → pointwise → BN blocks. */
export class SepConv implements Layer {
  readonly depthwise1: Layer;
  readonly pointwise1: Layer;
  readonly batchNorm1: BatchNorm;
  readonly depthwise2: Layer;
  readonly pointwise2: Layer;
  readonly batchNorm2: BatchNorm;

  constructor(store: ParameterStore, name: string, options: SepConvOptions) {
    const { inChannels, outChannels, kernelSize, stride, padding, affine, factory } = options;
    const layer = store.scope(name);
    const depthwise = { channels: inChannels, kernelSize, padding, dilation: 1 };

    this.depthwise1 = factory.depthwise(layer, "depthwise_1", { ...depthwise, stride });
    this.pointwise1 = factory.conv2d(
      layer,
      "pointwise_1",
      pointwiseOptions(inChannels, inChannels),
    );
    this.batchNorm1 = new BatchNorm(layer, "bn_1", { channels: inChannels, affine });
    this.depthwise2 = factory.depthwise(layer, "depthwise_2", { ...depthwise, stride: 1 });
    this.pointwise2 = factory.conv2d(
      layer,
      "pointwise_2",
      pointwiseOptions(inChannels, outChannels),
    );
    this.batchNorm2 = new BatchNorm(layer, "bn_2", { channels: outChannels, affine });
  }

  forward(x: tf.Tensor4D, context: ForwardContext): tf.Tensor4D {
    return tf.tidy(() => {
      let y = this.depthwise1.forward(tf.relu(x), context);
      y = this.batchNorm1.forward(this.pointwise1.forward(y, context), context);
      y = this.depthwise2.forward(tf.relu(y), context);
      return this.batchNorm2.forward(this.pointwise2.forward(y, context), context);
    });
  }
}
