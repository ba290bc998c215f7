/**
 * The architecture gradient of second-order DARTS (Liu et al. 2019, section
 * 2.3; `Architect._backward_step_unrolled` in quark0/darts `cnn/architect.py`).
 *
 * With a virtual weight step w' = w − ξ(∇w L_train(w, α) + μ·v + λ·w),
 * where v is the SGD momentum buffer, μ the momentum and λ the weight decay:
 *
 *   ∇α L_val(w', α) − ξ · ∇²_{α,w} L_train(w, α) · ∇w' L_val(w', α),
 *
 * and the Hessian-vector product is the central finite difference
 * (∇α L_train(w⁺, α) − ∇α L_train(w⁻, α)) / 2ε with w± = w ± ε·∇w' L_val(w', α)
 * and ε = scale / ‖∇w' L_val(w', α)‖ (DARTS: scale 0.01).
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import type { ParameterEntry } from "../nn/parameter_store.ts";

/** Inputs of {@link unrolledArchitectureGradient}. */
export interface UnrolledOptions {
  /** Variables of the weight optimizer, with their weight-decay flags. */
  weights: ParameterEntry[];
  /** Architecture variables, whose gradient is returned. */
  architecture: ParameterEntry[];
  /** Training loss at the current variable values (re-evaluated three times). */
  trainLoss: () => tf.Scalar;
  /** Validation loss at the current variable values (evaluated once, at w'). */
  validLoss: () => tf.Scalar;
  /** ξ: the current learning rate of the weights. */
  learningRate: number;
  momentum: number;
  weightDecay: number;
  /** SGD momentum buffers by store name; a missing buffer counts as zero. */
  velocity: Record<string, Float32Array | undefined>;
  /** ε·‖∇w' L_val‖, the finite-difference step. */
  finiteDifferenceScale: number;
}

/** The unrolled architecture gradient and the validation loss at w'. */
export interface UnrolledGradient {
  /** Gradient by tfjs variable name of each architecture variable; the caller disposes it. */
  gradients: tf.NamedTensorMap;
  /** L_val(w', α); the caller disposes it. */
  validLoss: tf.Scalar;
}

/**
 * Computes the second-order DARTS architecture gradient. The weight
 * variables are restored to their values on entry before returning.
 */
export function unrolledArchitectureGradient(options: UnrolledOptions): UnrolledGradient {
  const weights = options.weights.map((entry) => entry.variable);
  const architecture = options.architecture.map((entry) => entry.variable);
  const original = weights.map((variable) => tf.clone(variable));

  try {
    // Virtual step w' = w − ξ(∇w L_train + μ·v + λ·w).
    const trainGradients = tf.variableGrads(options.trainLoss, weights);
    trainGradients.value.dispose();
    options.weights.forEach((entry, i) => {
      const variable = entry.variable;
      const gradient = trainGradients.grads[variable.name];
      const decay = entry.weightDecay ? options.weightDecay : 0;
      const buffer = options.velocity[entry.name];
      tf.tidy(() => {
        let direction = gradient ?? tf.zerosLike(variable);
        if (decay !== 0) direction = direction.add(original[i].mul(decay));
        if (buffer !== undefined && options.momentum !== 0) {
          direction = direction.add(tf.tensor(buffer, variable.shape).mul(options.momentum));
        }
        variable.assign(original[i].sub(direction.mul(options.learningRate)));
      });
    });
    tf.dispose(Object.values(trainGradients.grads));

    // ∇α and ∇w' of L_val at w'.
    const valid = tf.variableGrads(options.validLoss, [...architecture, ...weights]);
    const vector = weights.map((variable) => valid.grads[variable.name] ?? tf.zerosLike(variable));
    const norm = tf.tidy(() => tf.addN(vector.map((v) => v.square().sum())).sqrt());
    const step = tf.tidy(() => tf.scalar(options.finiteDifferenceScale).div(norm));

    // ∇α L_train at w ± ε·vector.
    const gradientAt = (sign: 1 | -1) => {
      weights.forEach((variable, i) =>
        tf.tidy(() => variable.assign(original[i].add(vector[i].mul(step).mul(sign))))
      );
      const { value, grads } = tf.variableGrads(options.trainLoss, architecture);
      value.dispose();
      return grads;
    };
    const plus = gradientAt(1);
    const minus = gradientAt(-1);

    // A variable the losses do not reach (the normal cell's α when every
    // cell reduces) has no gradient and gets none here either.
    const gradients: tf.NamedTensorMap = {};
    for (const variable of architecture) {
      const name = variable.name;
      if (valid.grads[name] === undefined || plus[name] === undefined) continue;
      gradients[name] = tf.tidy(() => {
        const hessianVector = plus[name].sub(minus[name]).div(step.mul(2));
        return valid.grads[name].sub(hessianVector.mul(options.learningRate));
      });
    }

    tf.dispose([
      ...Object.values(valid.grads),
      ...vector,
      norm,
      step,
      ...Object.values(plus),
      ...Object.values(minus),
    ]);
    return { gradients, validLoss: valid.value };
  } finally {
    weights.forEach((variable, i) => variable.assign(original[i]));
    tf.dispose(original);
  }
}
