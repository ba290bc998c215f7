/**
 * FactorizedReduce from DARTS's `operations.py` halves height and width with
 * two 1×1 stride-2 convolutions. One reads the pixels at (even, even)
 * positions and the other, on the input shifted by one pixel down and right,
 * those at (odd, odd) positions. Their outputs are concatenated along
 * channels and batch-normalised. DARTS uses it as `skip_connect` at stride 2
 * and to preprocess a cell input whose resolution is twice the cell's.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { BatchNorm } from "./batch_norm.ts";
import type { ForwardContext } from "./context.ts";
import type { ConvolutionFactory, Layer } from "./module.ts";
import type { ParameterStore } from "./parameter_store.ts";

/** Options of {@link FactorizedReduce}. */
export interface FactorizedReduceOptions {
  inChannels: number;
  /** Must be even: each convolution gives half of the channels. */
  outChannels: number;
  affine: boolean;
  factory: ConvolutionFactory;
}

/** ReLU, two offset 1×1 stride-2 convolutions, concatenation, BN. */
export class FactorizedReduce implements Layer {
  readonly convolution1: Layer;
  readonly convolution2: Layer;
  readonly batchNorm: BatchNorm;

  constructor(store: ParameterStore, name: string, options: FactorizedReduceOptions) {
    const { inChannels, outChannels, affine, factory } = options;
    if (!Number.isInteger(outChannels) || outChannels < 2 || outChannels % 2 !== 0) {
      throw new RangeError(
        `Cannot create FactorizedReduce "${name}" with ${outChannels} output channels: ` +
          "the count must be even, because each of its two convolutions gives half.",
      );
    }

    const layer = store.scope(name);
    const convolution = {
      inChannels,
      outChannels: outChannels / 2,
      kernelSize: 1,
      stride: 2,
      padding: 0,
      dilation: 1,
    };
    this.convolution1 = factory.conv2d(layer, "conv_1", convolution);
    this.convolution2 = factory.conv2d(layer, "conv_2", convolution);
    this.batchNorm = new BatchNorm(layer, "bn", { channels: outChannels, affine });
  }

  forward(x: tf.Tensor4D, context: ForwardContext): tf.Tensor4D {
    const [batch, height, width, channels] = x.shape;
    if (height % 2 !== 0 || width % 2 !== 0) {
      throw new RangeError(
        `Cannot apply FactorizedReduce to a ${height}×${width} input: height and width must be ` +
          "even, or its two halves differ in size (as in DARTS). Choose an input size that " +
          "stays even down to the last reduction.",
      );
    }

    return tf.tidy(() => {
      const activated = tf.relu(x);
      const first = this.convolution1.forward(activated, context);

      // x[:, 1:, 1:, :] by slice, because tf.stridedSlice has no gradient.
      const shifted = tf.slice(activated, [0, 1, 1, 0], [batch, height - 1, width - 1, channels]);
      const second = this.convolution2.forward(shifted, context);
      return this.batchNorm.forward(tf.concat([first, second], 3), context);
    });
  }
}
