/**
 * Parameter counts of a network: every counted weight, and the non-zero ones
 * after sparse variational dropout prunes weights whose log α exceeds a
 * threshold (Molchanov 2017 uses 3).
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { logAlpha } from "./kl.ts";
import type { ParameterStore } from "./parameter_store.ts";

/** Options of {@link countParameters}. */
export interface CountOptions {
  /** Variational weights with log α above this count as zero. @default 3 */
  threshold?: number;
}

/** Parameter counts of a network. */
export interface ParameterCounts {
  /** Counted, non-auxiliary weights (variational θ included, log σ² excluded). */
  total: number;
  /** `total` minus the variational weights with log α above the threshold. */
  nonZero: number;
}

/**
 * Counts the parameters of `store`: entries with `counted` set and not part
 * of an auxiliary head. Each variational θ (a pair of group `weight`)
 * counts as non-zero only where log α ≤ threshold; every other counted
 * weight counts as non-zero. Architecture parameters, log σ² and buffers are
 * not counted. Async because webgpu reads tensors only asynchronously.
 */
export async function countParameters(
  store: ParameterStore,
  options: CountOptions = {},
): Promise<ParameterCounts> {
  const threshold = options.threshold ?? 3;
  const pairsByTheta = new Map(
    store.variationalPairs("weight").map((pair) => [pair.theta, pair]),
  );

  let total = 0;
  let nonZero = 0;
  for (const entry of store.entries((entry) => entry.counted && !entry.auxiliary)) {
    const size = entry.variable.size;
    total += size;

    const pair = pairsByTheta.get(entry.variable);
    if (pair === undefined) {
      nonZero += size;
      continue;
    }

    const survivors = tf.tidy(() =>
      logAlpha(pair.theta, pair.logSigma2).lessEqual(threshold).cast("int32").sum()
    );
    nonZero += (await survivors.data())[0];
    survivors.dispose();
  }

  return { total, nonZero };
}
