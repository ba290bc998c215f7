/**
 * One optimisation step of an evaluation network, shared by the training
 * loop and the step benchmark so both measure the same computation:
 * forward, loss, gradients, clipping and the SGD update.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import type { Batch } from "../data/batches.ts";
import type { ForwardContext } from "../nn/context.ts";
import { klDivergence, type VariationalPrior } from "../nn/kl.ts";
import type { ParameterEntry } from "../nn/parameter_store.ts";
import { clipByGlobalNorm, disposeGradients } from "../train/gradients.ts";
import { Sgd } from "../train/optimizer.ts";
import type { EvaluationNetwork } from "./network.ts";

/** The loss terms and update of one step. */
export interface TrainingStepOptions {
  numClasses: number;
  /** Weight of the auxiliary head's cross-entropy (used when the network has a head). */
  auxiliaryWeight: number;
  /** KL term: `scale` = β/N_train multiplies the KL in nats; null for plain weights or β = 0. */
  kl: { scale: number; prior: VariationalPrior } | null;
  /** Maximum global L2 norm of the gradient. */
  gradientClip: number;
  learningRate: number;
}

/** Measurements of one step. */
export interface TrainingStepResult {
  /** The objective CE + w_aux·CE_aux + β·KL/N_train; the update is skipped when it is not finite. */
  loss: number;
  /** Cross-entropy of the main classifier. */
  crossEntropy: number;
  /** Examples of the batch classified correctly. */
  correct: number;
}

/** Returns the entries that SGD trains: weights and, for variational layers, log σ². */
export function trainedEntries(network: EvaluationNetwork): ParameterEntry[] {
  return network.store.entries((entry) => entry.role === "weight" || entry.role === "log-sigma2");
}

/** Creates the SGD optimizer over the trained entries of `network`. */
export function createEvaluationOptimizer(
  network: EvaluationNetwork,
  options: { momentum: number; weightDecay: number },
): Sgd {
  return new Sgd(trainedEntries(network), options);
}

/**
 * Runs one step on `batch` and applies the update unless the loss is not
 * finite. Reads the backend once, asynchronously (webgpu cannot read
 * synchronously). Does not dispose `batch`.
 */
export async function trainingStep(
  network: EvaluationNetwork,
  optimizer: Sgd,
  batch: Batch,
  context: ForwardContext,
  options: TrainingStepOptions,
): Promise<TrainingStepResult> {
  const { x, y } = batch;
  const variables = trainedEntries(network).map((entry) => entry.variable);

  // Tensors the loss function keeps for the accuracy and the log.
  const kept: { logits?: tf.Tensor2D; crossEntropy?: tf.Scalar } = {};
  const { value, grads } = tf.variableGrads(() => {
    const output = network.forward(x, context);
    const labels = tf.oneHot(y, options.numClasses);
    const crossEntropy = tf.losses.softmaxCrossEntropy(labels, output.logits) as tf.Scalar;
    kept.logits = tf.keep(output.logits);
    kept.crossEntropy = tf.keep(crossEntropy);

    let loss: tf.Scalar = crossEntropy;
    if (output.auxiliaryLogits !== null) {
      const auxiliary = tf.losses.softmaxCrossEntropy(labels, output.auxiliaryLogits);
      loss = loss.add(auxiliary.mul(options.auxiliaryWeight));
    }
    if (options.kl !== null) {
      const kl = klDivergence(network.store, {
        prior: options.kl.prior,
        group: "weight",
        includeAuxiliary: false,
      });
      loss = loss.add(kl.mul(options.kl.scale));
    }
    return loss;
  }, variables);

  // One read per step: [loss, cross-entropy, correct predictions].
  const { logits, crossEntropy } = kept as Required<typeof kept>;
  const summary = tf.tidy(() => {
    const hits = tf.equal(logits.argMax(1), y).sum().cast("float32");
    return tf.stack([value, crossEntropy, hits]);
  });
  const [loss, stepCrossEntropy, correct] = await summary.data();
  tf.dispose([summary, value, logits, crossEntropy]);

  if (Number.isFinite(loss)) {
    const clipped = clipByGlobalNorm(grads, options.gradientClip);
    optimizer.apply(clipped.gradients, options.learningRate);
    disposeGradients(clipped.gradients);
    clipped.norm.dispose();
  }
  disposeGradients(grads);
  return { loss, crossEntropy: stepCrossEntropy, correct };
}
