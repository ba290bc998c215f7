/**
 * Gradient utilities shared by search and evaluation training loops.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";

/**
 * Rescales `gradients` so that their global L2 norm is at most `maxNorm`, as
 * `torch.nn.utils.clip_grad_norm_` does: coefficient maxNorm / (norm + 1e-6),
 * applied only when below 1. Returns new tensors and the norm before
 * clipping; the caller disposes both and keeps ownership of the inputs.
 */
export function clipByGlobalNorm(
  gradients: tf.NamedTensorMap,
  maxNorm: number,
): { gradients: tf.NamedTensorMap; norm: tf.Scalar } {
  const names = Object.keys(gradients);

  return tf.tidy(() => {
    const squares = names.map((name) => gradients[name].square().sum());
    const norm = squares.length === 0 ? tf.scalar(0) : tf.addN(squares).sqrt();
    const coefficient = tf.minimum(tf.scalar(1), tf.scalar(maxNorm).div(norm.add(1e-6)));

    const clipped: tf.NamedTensorMap = {};
    for (const name of names) clipped[name] = gradients[name].mul(coefficient);
    return { gradients: clipped, norm: norm as tf.Scalar };
  });
}

/** Disposes every tensor of a gradient map. */
export function disposeGradients(gradients: tf.NamedTensorMap): void {
  for (const tensor of Object.values(gradients)) tensor.dispose();
}
