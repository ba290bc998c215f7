/**
 * Classification accuracy of a network in inference mode.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { batches } from "../data/batches.ts";
import type { Dataset, Split } from "../data/dataset.ts";
import { forwardContext, NoiseSource } from "../nn/context.ts";
import type { EvaluationNetwork } from "./network.ts";

/**
 * Returns the fraction of the examples of `split` at `indices` that
 * `network` classifies correctly, without augmentation. BN uses its running
 * statistics and variational layers their pruned means, so no noise is drawn.
 */
export async function accuracy(
  network: EvaluationNetwork,
  dataset: Dataset,
  split: Split,
  indices: Int32Array,
  batchSize: number,
): Promise<number> {
  const context = forwardContext(false, new NoiseSource(0));

  let correct = 0;
  for (const { x, y } of batches(dataset, split, indices, batchSize, { seed: 0 })) {
    const hits = tf.tidy(() => {
      const { logits } = network.forward(x, context);
      return tf.equal(logits.argMax(1), y).sum();
    });
    correct += (await hits.data())[0];
    tf.dispose([hits, x, y]);
  }
  return correct / indices.length;
}
