/**
 * Seeded shuffling of index lists.
 *
 * @module
 */

import { Rng } from "../util/random.ts";

/** Returns a shuffled copy of `indices` (Fisher-Yates); the same seed gives the same order. */
export function shuffled(indices: ArrayLike<number>, seed: number): Int32Array {
  const result = Int32Array.from(indices);
  shuffleInPlace(result, new Rng(seed));
  return result;
}

/** Shuffles `values` in place with draws from `rng` (Fisher-Yates). */
export function shuffleInPlace(values: Int32Array, rng: Rng): void {
  for (let i = values.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const swap = values[i];
    values[i] = values[j];
    values[j] = swap;
  }
}

/** Returns the indices 0, 1, …, count − 1. */
export function range(count: number): Int32Array {
  const indices = new Int32Array(count);
  for (let i = 0; i < count; i++) indices[i] = i;
  return indices;
}
