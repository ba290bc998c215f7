/**
 * KL divergence of sparse variational dropout (Molchanov, Ashukha, Vetrov,
 * ICML 2017, arXiv 1701.05369) with the additive reparameterisation: each
 * weight w ~ N(θ, σ²) and log α = log σ² − log(θ² + 1e-8).
 *
 * Two priors are supported:
 * - `"ard"`: N(0, 1/τ) with τ at its optimum per weight (Kharitonov,
 *   Molchanov, Vetrov 2018, arXiv 1811.00596): KL = 0.5·softplus(−log α).
 * - `"log-uniform"`: Molchanov 2017's approximation
 *   −KL ≈ k1·sigmoid(k2 + k3·log α) − 0.5·softplus(−log α) − k1 with
 *   k1 = 0.63576, k2 = 1.87320, k3 = 1.48695.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { ensureEngineInstalled } from "../engine/install.ts";
import { fusedVariationalKl } from "../engine/variational_kl.ts";
import type { ParameterStore } from "./parameter_store.ts";

/** Prior of a variational weight. */
export type VariationalPrior = "ard" | "log-uniform";

/** Added to θ² inside the logarithm so that θ = 0 gives a finite log α. */
export const LOG_ALPHA_EPSILON = 1e-8;

/** Constants of Molchanov 2017's approximation of the log-uniform KL. */
export const LOG_UNIFORM_K1 = 0.63576;
export const LOG_UNIFORM_K2 = 1.8732;
export const LOG_UNIFORM_K3 = 1.48695;

/** Returns log α = log σ² − log(θ² + 1e-8), elementwise. */
export function logAlpha(theta: tf.Tensor, logSigma2: tf.Tensor): tf.Tensor {
  return tf.tidy(() => logSigma2.sub(theta.square().add(LOG_ALPHA_EPSILON).log()));
}

/** Returns the KL divergence of each weight from its prior, elementwise in nats. */
export function klPerWeight(logAlphaValues: tf.Tensor, prior: VariationalPrior): tf.Tensor {
  return tf.tidy(() => {
    const ard = tf.softplus(logAlphaValues.neg()).mul(0.5);
    if (prior === "ard") return ard;

    const sigmoidTerm = tf.sigmoid(logAlphaValues.mul(LOG_UNIFORM_K3).add(LOG_UNIFORM_K2))
      .mul(LOG_UNIFORM_K1);
    return ard.sub(sigmoidTerm).add(LOG_UNIFORM_K1);
  });
}

/** Options of {@link klDivergence}. */
export interface KlOptions {
  prior: VariationalPrior;
  /** Group of variational pairs to sum: the weights' or the architecture's. */
  group: "weight" | "architecture";
  /** Whether pairs of an auxiliary head count. @default true */
  includeAuxiliary?: boolean;
}

/**
 * Returns the KL divergence (nats, summed over every weight of every
 * variational pair of `group`) as a scalar that gradients flow through;
 * 0 when the store has no such pair.
 */
export function klDivergence(store: ParameterStore, options: KlOptions): tf.Scalar {
  const includeAuxiliary = options.includeAuxiliary ?? true;
  const pairs = store.variationalPairs(options.group)
    .filter((pair) => includeAuxiliary || !pair.auxiliary);

  return tf.tidy(() => {
    if (pairs.length === 0) return tf.scalar(0);

    // wasm and cpu sum every pair in one kernel, forward and backward.
    ensureEngineInstalled();
    const fused = fusedVariationalKl(
      pairs.map((pair) => pair.theta),
      pairs.map((pair) => pair.logSigma2),
      {
        prior: options.prior,
        logAlphaEpsilon: LOG_ALPHA_EPSILON,
        k1: LOG_UNIFORM_K1,
        k2: LOG_UNIFORM_K2,
        k3: LOG_UNIFORM_K3,
      },
    );
    if (fused !== null) return fused;

    // Elsewhere, one elementwise pass over all weights flattened into one vector: a
    // supergraph has hundreds of pairs, and per-pair ops would cost tens of
    // kernel launches each, forward and backward.
    const flatten = (tensors: tf.Tensor[]) =>
      tensors.length === 1
        ? tensors[0].reshape([-1])
        : tf.concat(tensors.map((t) => t.reshape([-1])));
    const theta = flatten(pairs.map((pair) => pair.theta));
    const logSigma2 = flatten(pairs.map((pair) => pair.logSigma2));
    return klPerWeight(logAlpha(theta, logSigma2), options.prior).sum() as tf.Scalar;
  });
}
