/**
 * The auxiliary classifier of DARTS's CIFAR evaluation network
 * (`AuxiliaryHeadCIFAR` in quark0/darts `cnn/model.py`): ReLU, 5×5 average
 * pooling without padding, 1×1 convolution to 128 channels, BN, ReLU, 2×2
 * convolution to 768 channels, BN, ReLU and a linear layer.
 *
 * DARTS pools its 8×8 input with stride 3, which gives a 2×2 map. MNIST's
 * 28×28 images give a 7×7 input, where stride 3 would give 1×1 and the 2×2
 * convolution would not fit. This head therefore pools with stride
 * `inputSize − 5`: 3 at 8×8 (DARTS unchanged) and 2 at 7×7, so the pooled
 * map is 2×2 for every input of at least 6×6. Only the stride differs, so
 * the head has the same parameters as DARTS's.
 *
 * Its variables live in an `auxiliary` scope, so parameter counts leave them
 * out as DARTS does. Its convolutions are always ordinary ones, because the
 * head is dropped after training and needs no sparsity.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { avgPool } from "../engine/ops.ts";
import { BatchNorm } from "../nn/batch_norm.ts";
import type { ForwardContext } from "../nn/context.ts";
import type { ConvolutionFactory, Layer } from "../nn/module.ts";
import type { ParameterStore } from "../nn/parameter_store.ts";
import { Linear } from "./linear.ts";

/** Side of DARTS's pooling window, in pixels. */
const _POOL_KERNEL = 5;
/** Channels of the first and second convolution, as in DARTS. */
const _HIDDEN_CHANNELS = 128;
const _FEATURE_CHANNELS = 768;

/** Options of {@link AuxiliaryHead}. */
export interface AuxiliaryHeadOptions {
  /** Channels of the input feature map. */
  channels: number;
  /** Height and width of the (square) input feature map, in pixels. */
  inputSize: number;
  numClasses: number;
  /** Factory of the head's convolutions (ordinary ones in evaluation networks). */
  factory: ConvolutionFactory;
  seed: number;
}

/** DARTS's auxiliary classifier, adapted to 7×7 inputs by its pooling stride. */
export class AuxiliaryHead {
  /** Stride of the 5×5 average pooling: `inputSize − 5`. */
  readonly poolStride: number;
  private readonly convolution1: Layer;
  private readonly batchNorm1: BatchNorm;
  private readonly convolution2: Layer;
  private readonly batchNorm2: BatchNorm;
  private readonly classifier: Linear;

  /** Registers the head in `store.scope(name, { auxiliary: true })`. */
  constructor(store: ParameterStore, name: string, options: AuxiliaryHeadOptions) {
    const { channels, inputSize, numClasses, factory, seed } = options;
    if (!Number.isInteger(inputSize) || inputSize <= _POOL_KERNEL) {
      throw new RangeError(
        `Cannot build the auxiliary head on a ${inputSize}×${inputSize} feature map: it needs at ` +
          `least ${_POOL_KERNEL + 1}×${_POOL_KERNEL + 1} to pool to 2×2. Use larger input images ` +
          "or set auxiliaryWeight to 0.",
      );
    }

    const head = store.scope(name, { auxiliary: true });
    this.poolStride = inputSize - _POOL_KERNEL;
    this.convolution1 = factory.conv2d(head, "conv_1", {
      inChannels: channels,
      outChannels: _HIDDEN_CHANNELS,
      kernelSize: 1,
      stride: 1,
      padding: 0,
      dilation: 1,
    });
    this.batchNorm1 = new BatchNorm(head, "bn_1", { channels: _HIDDEN_CHANNELS, affine: true });
    this.convolution2 = factory.conv2d(head, "conv_2", {
      inChannels: _HIDDEN_CHANNELS,
      outChannels: _FEATURE_CHANNELS,
      kernelSize: 2,
      stride: 1,
      padding: 0,
      dilation: 1,
    });
    this.batchNorm2 = new BatchNorm(head, "bn_2", { channels: _FEATURE_CHANNELS, affine: true });
    this.classifier = new Linear(head, "classifier", {
      inFeatures: _FEATURE_CHANNELS,
      outFeatures: numClasses,
      seed,
    });
  }

  /** Maps the feature map `[batch, size, size, channels]` to logits `[batch, numClasses]`. */
  forward(x: tf.Tensor4D, context: ForwardContext): tf.Tensor2D {
    return tf.tidy(() => {
      const pooled = avgPool(tf.relu(x), {
        kernel: _POOL_KERNEL,
        stride: this.poolStride,
        padding: 0,
        countIncludePad: false,
      });
      const hidden = tf.relu(
        this.batchNorm1.forward(this.convolution1.forward(pooled, context), context),
      );

      // [batch, 2, 2, 128] → [batch, 1, 1, 768] → [batch, 768]
      const features = tf.relu(
        this.batchNorm2.forward(this.convolution2.forward(hidden, context), context),
      );
      return this.classifier.forward(features.reshape([x.shape[0], _FEATURE_CHANNELS]));
    });
  }
}
