/**
 * Drop path (FractalNet's regulariser as DARTS applies it in evaluation
 * networks): during training each example's output of an operation is
 * zeroed with probability p and otherwise scaled by 1/(1 − p), so its
 * expectation is unchanged.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import type { NoiseSource } from "../nn/context.ts";

/**
 * Returns `x` `[batch, height, width, channels]` with whole examples
 * dropped with probability `probability`, and the rest scaled by
 * 1/(1 − probability). With probability 0 it returns `x` itself.
 */
export function dropPath(x: tf.Tensor4D, probability: number, noise: NoiseSource): tf.Tensor4D {
  if (!(probability >= 0 && probability < 1)) {
    throw new RangeError(
      `Cannot apply drop path with probability ${probability}: expected a value in [0, 1).`,
    );
  }
  if (probability === 0) return x;

  return tf.tidy(() => {
    // floor(u + keep) with u ~ U[0, 1) is 1 with probability keep: a Bernoulli mask per example.
    const keep = 1 - probability;
    const mask = noise.uniform<tf.Rank.R4>([x.shape[0], 1, 1, 1]).add(keep).floor();
    return x.div(keep).mul(mask) as tf.Tensor4D;
  });
}
