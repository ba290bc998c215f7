/**
 * The search objective: cross-entropy plus, for VINNAS, the KL terms scaled
 * to a per-example negative ELBO,
 * loss = CE + β · (KL_weights + KL_architecture) / N_train.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import type { Batch } from "../data/batches.ts";
import type { ForwardContext } from "../nn/context.ts";
import { klDivergence, type VariationalPrior } from "../nn/kl.ts";
import type { ParameterStore } from "../nn/parameter_store.ts";
import type { Supergraph } from "./supergraph.ts";

/** KL terms of a loss and their weight. */
export interface KlTerms {
  prior: VariationalPrior;
  /** KL groups to add: the weights', the architecture's, both or none. */
  groups: ("weight" | "architecture")[];
  /** Warm-up weight β of the KL. */
  beta: number;
  /** Number of examples N the likelihood sums over; the KL is divided by it. */
  examples: number;
}

/** Mean softmax cross-entropy of `logits` `[batch, classes]` against integer `labels` `[batch]`. */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const oneHot = tf.oneHot(labels.toInt(), logits.shape[1]);
    return tf.logSoftmax(logits).mul(oneHot).sum(1).mean().neg() as tf.Scalar;
  });
}

/** Number of rows of `logits` whose largest entry is at `labels`, as an int32 scalar. */
export function correctCount(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => logits.argMax(1).equal(labels.toInt()).cast("int32").sum() as tf.Scalar);
}

/** Terms of one evaluation of the objective, kept outside the gradient scope. */
export interface ObjectiveParts {
  /** Cross-entropy of the batch; the caller disposes it. */
  crossEntropy: tf.Scalar;
  /** Correct predictions of the batch; the caller disposes it. */
  correct: tf.Scalar;
}

/**
 * Returns a loss function for `tf.variableGrads`: the supergraph's
 * cross-entropy on `batch` plus the requested KL terms. The cross-entropy
 * and the correct count are kept (survive the gradient scope) in `parts`.
 */
export function searchLoss(
  supergraph: Supergraph,
  store: ParameterStore,
  batch: Batch,
  context: ForwardContext,
  kl: KlTerms | null,
  parts?: Partial<ObjectiveParts>,
): () => tf.Scalar {
  return () => {
    const logits = supergraph.forward(batch.x, context);
    const entropy = crossEntropy(logits, batch.y);
    if (parts !== undefined) {
      parts.crossEntropy = tf.keep(entropy.clone());
      parts.correct = tf.keep(correctCount(logits, batch.y));
    }
    if (kl === null || kl.groups.length === 0 || kl.beta === 0) return entropy;

    const terms = kl.groups.map((group) => klDivergence(store, { prior: kl.prior, group }));
    return entropy.add(tf.addN(terms).mul(kl.beta / kl.examples)) as tf.Scalar;
  };
}
