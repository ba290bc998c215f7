/**
 * The per-call state a forward pass needs besides its input: whether the
 * network trains (batch statistics, LRT noise, drop path) and a seeded noise
 * source so that runs repeat exactly and resume after a checkpoint.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { seededNormal } from "../engine/random_normal.ts";

/**
 * A source of seeded standard normal noise. Each call draws a fresh seed from
 * a counter, so the sequence of noise tensors depends only on the initial
 * seed and the number of draws, which a checkpoint stores.
 */
export class NoiseSource {
  private seed: number;
  private draws: number;

  constructor(seed: number, draws = 0) {
    this.seed = seed >>> 0;
    this.draws = draws;
  }

  /** Returns ε ~ N(0, 1) of `shape`; the caller owns the tensor. */
  normal<R extends tf.Rank>(shape: tf.ShapeMap[R]): tf.Tensor<R> {
    return seededNormal<R>(shape, this.nextSeed());
  }

  /** Returns u ~ U[0, 1) of `shape`; the caller owns the tensor. */
  uniform<R extends tf.Rank>(shape: tf.ShapeMap[R]): tf.Tensor<R> {
    return tf.randomUniform(shape, 0, 1, "float32", this.nextSeed()) as tf.Tensor<R>;
  }

  /**
   * Draws the seed of one noise tensor, for operations that generate ε
   * themselves; it advances the state exactly as {@link normal} does.
   */
  drawSeed(): number {
    return this.nextSeed();
  }

  /** Returns the seed and draw count, which a checkpoint stores. */
  state(): { seed: number; draws: number } {
    return { seed: this.seed, draws: this.draws };
  }

  private nextSeed(): number {
    this.draws += 1;

    // A 32-bit integer hash (splitmix-style finaliser) of seed and counter, so
    // consecutive draws get unrelated seeds.
    let h = (this.seed ^ Math.imul(this.draws, 0x9e3779b9)) >>> 0;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
    return (h ^ (h >>> 16)) >>> 0;
  }
}

/** State of one forward pass. */
export interface ForwardContext {
  /** Training mode: batch statistics in BN, LRT noise, drop path. */
  training: boolean;
  /** Noise for the local reparameterisation trick and drop path. */
  noise: NoiseSource;
  /** Probability of dropping a cell path (evaluation networks); 0 turns it off. */
  dropPathProbability: number;
}

/** Builds a context with drop path off. */
export function forwardContext(training: boolean, noise: NoiseSource): ForwardContext {
  return { training, noise, dropPathProbability: 0 };
}
