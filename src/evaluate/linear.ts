/**
 * A fully connected layer `y = x·W + b` with PyTorch's default
 * initialisation of `nn.Linear`: W and b uniform in ±1/√inFeatures.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import type { ParameterStore } from "../nn/parameter_store.ts";
import { seedFromName } from "../nn/variational_conv.ts";

/** A linear layer on `[batch, inFeatures]`, weight `[inFeatures, outFeatures]` and bias `[outFeatures]`. */
export class Linear {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** Full parameter-store name, for MAC records. */
  readonly name: string;

  constructor(
    store: ParameterStore,
    name: string,
    options: { inFeatures: number; outFeatures: number; seed: number },
  ) {
    const { inFeatures, outFeatures, seed } = options;
    const layer = store.scope(name);
    const bound = 1 / Math.sqrt(inFeatures);

    // Each variable draws from its own seed, derived from its full name.
    const uniform = (shape: number[], variable: string) =>
      tf.randomUniform(
        shape,
        -bound,
        bound,
        "float32",
        seedFromName(seed, `${layer.prefix}.${variable}`),
      );
    this.weight = layer.add("weight", uniform([inFeatures, outFeatures], "weight"), {
      role: "weight",
    });
    this.bias = layer.add("bias", uniform([outFeatures], "bias"), { role: "weight" });
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.name = layer.prefix;
  }

  /** Maps `x` `[batch, inFeatures]` to `[batch, outFeatures]`. */
  forward(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => tf.matMul(x, this.weight as tf.Tensor2D).add(this.bias) as tf.Tensor2D);
  }
}
