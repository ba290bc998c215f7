/**
 * The split of the search data into the part that trains the network
 * weights and the part that trains the architecture parameters, as in DARTS
 * (`train_search.py`, option `train_portion`, default 0.5).
 *
 * @module
 */

import { shuffled } from "./shuffled.ts";

/**
 * Shuffles `indices` with `seed` and returns the first
 * `floor(length * trainPortion)` as `train` (weights) and the rest as `valid`
 * (architecture). Both parts must be non-empty.
 */
export function searchSplit(
  indices: Int32Array,
  trainPortion: number,
  seed: number,
): { train: Int32Array; valid: Int32Array } {
  if (!(trainPortion > 0 && trainPortion < 1)) {
    throw new RangeError(
      `Cannot split the search data with trainPortion ${trainPortion}: expected a value in (0, 1).`,
    );
  }

  const split = Math.floor(indices.length * trainPortion);
  if (split === 0 || split === indices.length) {
    throw new RangeError(
      `Cannot split ${indices.length} indices with trainPortion ${trainPortion}: one part would be empty. ` +
        "Use more data or a trainPortion closer to 0.5.",
    );
  }

  const order = shuffled(indices, seed);
  return { train: order.slice(0, split), valid: order.slice(split) };
}
