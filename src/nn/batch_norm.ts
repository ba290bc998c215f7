/**
 * Batch normalisation over batch, height and width with the semantics of
 * PyTorch's `torch.nn.BatchNorm2d`. Training mode normalises with the biased
 * batch variance and updates the running estimates with momentum 0.1 and the
 * unbiased variance. Inference mode uses the running estimates.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { batchNormInference, batchNormTraining } from "../engine/ops.ts";
import type { ForwardContext } from "./context.ts";
import type { Layer } from "./module.ts";
import type { ParameterStore } from "./parameter_store.ts";

/** Options of {@link BatchNorm}. */
export interface BatchNormOptions {
  channels: number;
  /** Learn a scale γ (initially 1) and a shift β (initially 0) per channel. */
  affine: boolean;
  /** Added to the variance before the square root. @default 1e-5 */
  eps?: number;
  /** Weight of the new batch statistic in the running estimates. @default 0.1 */
  momentum?: number;
}

/** `BatchNorm2d` on `[batch, height, width, channels]`. */
export class BatchNorm implements Layer {
  readonly gamma: tf.Variable | undefined;
  readonly beta: tf.Variable | undefined;
  /** Running mean `[channels]`, a `buffer` of the store. */
  readonly runningMean: tf.Variable;
  /** Running unbiased variance `[channels]`, a `buffer` of the store. */
  readonly runningVariance: tf.Variable;
  readonly eps: number;
  readonly momentum: number;

  constructor(store: ParameterStore, name: string, options: BatchNormOptions) {
    const { channels, affine } = options;
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum ?? 0.1;

    const layer = store.scope(name);
    if (affine) {
      this.gamma = layer.add("weight", tf.ones([channels]), { role: "weight" });
      this.beta = layer.add("bias", tf.zeros([channels]), { role: "weight" });
    }
    this.runningMean = layer.add("running_mean", tf.zeros([channels]), { role: "buffer" });
    this.runningVariance = layer.add("running_var", tf.ones([channels]), { role: "buffer" });
  }

  forward(x: tf.Tensor4D, context: ForwardContext): tf.Tensor4D {
    const gamma = this.gamma as tf.Tensor1D | undefined;
    const beta = this.beta as tf.Tensor1D | undefined;
    if (!context.training) {
      const mean = this.runningMean as tf.Tensor1D;
      const variance = this.runningVariance as tf.Tensor1D;
      return batchNormInference(x, mean, variance, gamma, beta, this.eps);
    }

    const { y, mean, variance } = batchNormTraining(x, gamma, beta, this.eps);
    this.updateRunningStatistics(mean, variance, x.size / x.shape[3]);
    return y;
  }

  private updateRunningStatistics(mean: tf.Tensor1D, variance: tf.Tensor1D, count: number): void {
    // The running variance is unbiased: the batch variance times n / (n − 1).
    const correction = count > 1 ? count / (count - 1) : 1;
    const m = this.momentum;
    const newMean = tf.tidy(() => tf.add(tf.mul(this.runningMean, 1 - m), tf.mul(mean, m)));
    const newVariance = tf.tidy(() =>
      tf.add(tf.mul(this.runningVariance, 1 - m), tf.mul(variance, m * correction))
    );
    this.runningMean.assign(newMean);
    this.runningVariance.assign(newVariance);
    newMean.dispose();
    newVariance.dispose();
  }
}
