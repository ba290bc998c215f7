/**
 * DilConv from DARTS's `operations.py` (`dil_conv_3x3`, `dil_conv_5x5`):
 * ReLU → depthwise k×k with dilation d and stride s → pointwise 1×1 → BN.
 * DARTS uses dilation 2 with padding 2 (3×3) or 4 (5×5), which keeps the
 * size at stride 1 and halves it at stride 2.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { BatchNorm } from "./batch_norm.ts";
import { pointwiseOptions } from "./conv.ts";
import type { ForwardContext } from "./context.ts";
import type { ConvolutionFactory, Layer } from "./module.ts";
import type { ParameterStore } from "./parameter_store.ts";

/** Options of {@link DilConv}. */
export interface DilConvOptions {
  inChannels: number;
  outChannels: number;
  kernelSize: number;
  stride: number;
  padding: number;
  dilation: number;
  affine: boolean;
  factory: ConvolutionFactory;
}

/** ReLU → dilated depthwise → pointwise → BN. */
export class DilConv implements Layer {
  readonly depthwise: Layer;
  readonly pointwise: Layer;
  readonly batchNorm: BatchNorm;

  constructor(store: ParameterStore, name: string, options: DilConvOptions) {
    const { inChannels, outChannels, kernelSize, stride, padding, dilation, affine, factory } =
      options;
    const layer = store.scope(name);

    this.depthwise = factory.depthwise(layer, "depthwise", {
      channels: inChannels,
      kernelSize,
      stride,
      padding,
      dilation,
    });
    this.pointwise = factory.conv2d(layer, "pointwise", pointwiseOptions(inChannels, outChannels));
    this.batchNorm = new BatchNorm(layer, "bn", { channels: outChannels, affine });
  }

  forward(x: tf.Tensor4D, context: ForwardContext): tf.Tensor4D {
    return tf.tidy(() => {
      const y = this.depthwise.forward(tf.relu(x), context);
      return this.batchNorm.forward(this.pointwise.forward(y, context), context);
    });
  }
}
