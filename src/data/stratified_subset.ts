/**
 * Class-balanced subsets, for reduced-cost runs that keep every class equally
 * represented.
 *
 * @module
 */

import { Rng } from "../util/random.ts";
import type { Split } from "./dataset.ts";
import { shuffleInPlace } from "./shuffled.ts";

/**
 * Returns `perClass` indices of each class of `split`, drawn uniformly
 * without replacement with the given seed, in ascending order. Throws when a
 * class has fewer than `perClass` images or a label is not below
 * `numClasses`.
 */
export function stratifiedSubset(
  split: Split,
  perClass: number,
  seed: number,
  numClasses: number,
): Int32Array {
  if (!Number.isInteger(perClass) || perClass < 0) {
    throw new RangeError(
      `Cannot draw ${perClass} images per class: expected a non-negative integer.`,
    );
  }
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new RangeError(
      `Cannot stratify over ${numClasses} classes: expected a positive integer.`,
    );
  }

  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < split.count; i++) {
    const label = split.labels[i];
    if (label >= numClasses) {
      throw new RangeError(
        `Cannot stratify image ${i}: its label ${label} is not below numClasses ${numClasses}.`,
      );
    }
    byClass[label].push(i);
  }

  const rng = new Rng(seed);
  const subset = new Int32Array(perClass * numClasses);
  for (const [label, members] of byClass.entries()) {
    if (members.length < perClass) {
      throw new RangeError(
        `Cannot draw ${perClass} images of class ${label}: the split has only ${members.length}. ` +
          "Lower the number per class.",
      );
    }

    const pool = Int32Array.from(members);
    shuffleInPlace(pool, rng);
    subset.set(pool.subarray(0, perClass), label * perClass);
  }

  return subset.sort();
}
