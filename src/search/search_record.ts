/**
 * The per-epoch trajectory record of a search, the statistics derived from
 * the relevance tables, and the labelled log line.
 *
 * @module
 */

import type { Relevance } from "./architecture.ts";
import { CELL_TYPES, type ForcedEdge } from "./derive.ts";
import type { Genotype } from "./genotype.ts";

/** Trajectory entry that a search records at the end of each epoch. */
export interface SearchEpochRecord {
  /** Epoch number, 1-based. */
  epoch: number;
  /** Mean cross-entropy (nats) of the weight steps of the epoch, in training mode. */
  trainLoss: number;
  /** Fraction of correct predictions of the weight steps, in training mode. */
  trainAccuracy: number;
  /** Mean cross-entropy (nats) on the architecture half, in inference mode. */
  validLoss: number;
  /** Fraction of correct predictions on the architecture half, in inference mode. */
  validAccuracy: number;
  /** SGD learning rate of the weights in this epoch. */
  learningRate: number;
  /** KL warm-up weight β of this epoch (0 for DARTS). */
  beta: number;
  /** KL divergences (nats, summed, not divided by N) at the end of the epoch; 0 for DARTS. */
  kl: { weights: number; architecture: number };
  /** Genotype derived at the end of the epoch. */
  genotype: Genotype;
  /** Genotype edges taken from pruned edges because a node kept fewer than two. */
  forcedEdges: ForcedEdge[];
  /** Operation relevance per cell type, edge and operation. */
  relevance: Relevance;
  /** Operations removed from the supergraph so far (VINNAS; 0 for DARTS). */
  prunedOperations: number;
  /** `skip_connect` edges in the derived normal cell (DARTS's failure mode fills it with them). */
  normalSkipConnections: number;
  /**
   * Mean entropy (nats) over edges of the normalised operation strengths:
   * softmax weights for DARTS, |θ| of the surviving operations for VINNAS.
   */
  strengthEntropy: number;
  /** Wall-clock seconds of the epoch: training, validation, pruning and derivation, not the checkpoint write. */
  wallSeconds: number;
}

/** Counts `skip_connect` edges in the normal cell of `genotype`. */
export function countSkipConnections(genotype: Genotype): number {
  return genotype.normal.filter(([operation]) => operation === "skip_connect").length;
}

/**
 * Returns the mean entropy (nats) over both cell types and all edges of the
 * operation strengths normalised to sum to 1. VINNAS edges whose operations
 * are all pruned are left out.
 */
export function strengthEntropy(relevance: Relevance): number {
  let total = 0;
  let edges = 0;
  for (const cell of CELL_TYPES) {
    const rows = relevance.method === "darts"
      ? relevance[cell].weights
      : relevance[cell].theta.map((row, edge) =>
        row.map((theta, op) => (relevance[cell].pruned[edge][op] ? 0 : Math.abs(theta)))
      );
    for (const row of rows) {
      const sum = row.reduce((a, b) => a + b, 0);
      if (!(sum > 0)) continue;
      total += row.reduce(
        (h, value) => (value > 0 ? h - (value / sum) * Math.log(value / sum) : h),
        0,
      );
      edges += 1;
    }
  }
  return edges === 0 ? 0 : total / edges;
}

/** Formats the labelled progress line of an epoch. */
export function epochLogLine(record: SearchEpochRecord, epochs: number): string {
  const kl = record.kl.weights + record.kl.architecture;
  return [
    `epoch ${record.epoch}/${epochs}`,
    `train_loss ${record.trainLoss.toFixed(3)}`,
    `train_acc ${record.trainAccuracy.toFixed(3)}`,
    `valid_loss ${record.validLoss.toFixed(3)}`,
    `valid_acc ${record.validAccuracy.toFixed(3)}`,
    `lr ${record.learningRate.toFixed(4)}`,
    `beta ${record.beta.toFixed(2)}`,
    `kl ${kl.toFixed(1)}`,
    `pruned ${record.prunedOperations}`,
    `skip ${record.normalSkipConnections}`,
    `forced ${record.forcedEdges.length}`,
    `seconds ${record.wallSeconds.toFixed(1)}`,
  ].join("  ");
}
