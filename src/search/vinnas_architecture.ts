/**
 * VINNAS's variational relevance of operations: for each cell type, edge and
 * candidate operation a scalar z ~ N(θ, σ²) with an ARD (or log-uniform)
 * prior, trained by variational inference. An edge applies the local
 * reparameterisation trick to the mixed operation:
 * mean = Σ θ_op · o_op(x), var = Σ σ²_op · o_op(x)², and in training the
 * output is mean + ε·sqrt(var + 1e-8), ε ~ N(0, 1) of the output's shape.
 * In inference the output is the mean over operations with log α ≤ threshold.
 *
 * Operations whose log α exceeds the threshold are removed from the
 * supergraph by {@link VinnasArchitecture.prune} and stay removed: the
 * supergraph skips computing them, which is where the search gets faster.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { lrtMixture } from "../engine/lrt_mixture.ts";
import type { ForwardContext } from "../nn/context.ts";
import { LOG_ALPHA_EPSILON, logAlpha } from "../nn/kl.ts";
import type { ParameterStore } from "../nn/parameter_store.ts";
import type {
  Architecture,
  EdgeMixer,
  OperationOutput,
  Relevance,
  VinnasRelevance,
} from "./architecture.ts";
import {
  CELL_TYPES,
  type CellType,
  type Derivation,
  deriveVinnas,
  type VinnasRelevanceTable,
} from "./derive.ts";
import { CELL_EDGES, type Primitive } from "./primitives.ts";

/** Added to the mixed operation's variance before the square root. */
const _VARIANCE_EPSILON = 1e-8;

/** Options of {@link VinnasArchitecture}. */
export interface VinnasArchitectureOptions {
  candidates: readonly Primitive[];
  /** Initial θ: `"uniform"` for 1/numOps, or a number. */
  meanInit: "uniform" | number;
  /** Initial log σ² of every relevance. */
  logSigma2Init: number;
  /** Operations with log α above this are pruned. */
  pruneThreshold: number;
  /** Ranking of surviving operations in derivation. */
  selection: "snr" | "mean";
}

/** Removed operations per cell type, `[14][numOps]`. */
export type PruningMasks = Record<CellType, boolean[][]>;

/** The relevance variables of both cell types and the LRT mixing of edges. */
export class VinnasArchitecture implements Architecture {
  readonly method = "vinnas" as const;
  readonly candidates: readonly Primitive[];
  readonly theta: Record<CellType, tf.Variable>;
  readonly logSigma2: Record<CellType, tf.Variable>;
  private readonly options: VinnasArchitectureOptions;
  private pruned: PruningMasks;

  constructor(store: ParameterStore, options: VinnasArchitectureOptions) {
    this.candidates = options.candidates;
    this.options = options;

    const columns = options.candidates.length;
    const mean = options.meanInit === "uniform" ? 1 / columns : options.meanInit;
    const shape: [number, number] = [CELL_EDGES, columns];
    this.theta = {} as Record<CellType, tf.Variable>;
    this.logSigma2 = {} as Record<CellType, tf.Variable>;
    for (const cell of CELL_TYPES) {
      this.theta[cell] = store.add(`theta_${cell}`, tf.fill(shape, mean), {
        role: "architecture",
      });
      this.logSigma2[cell] = store.add(
        `log_sigma2_${cell}`,
        tf.fill(shape, options.logSigma2Init),
        {
          role: "architecture",
        },
      );
      store.addVariationalPair(
        `relevance_${cell}`,
        this.theta[cell],
        this.logSigma2[cell],
        "architecture",
      );
    }

    this.pruned = _emptyMasks(columns);
  }

  isComputed(cell: CellType, edge: number, op: number): boolean {
    return this.candidates[op] !== "none" && !this.pruned[cell][edge][op];
  }

  mixer(context: ForwardContext): EdgeMixer {
    const scalars = (table: tf.Tensor) =>
      tf.unstack(table).map((row) => tf.unstack(row) as tf.Scalar[]);

    if (!context.training) {
      // Inference: the mean, with operations above the threshold dropped even
      // when the last pruning step has not removed them yet.
      const means = {} as Record<CellType, tf.Scalar[][]>;
      for (const cell of CELL_TYPES) {
        const theta = this.theta[cell];
        const logAlphaValues = this.logSigma2[cell].sub(
          theta.square().add(LOG_ALPHA_EPSILON).log(),
        );
        const keep = logAlphaValues.lessEqual(this.options.pruneThreshold).cast("float32");
        means[cell] = scalars(theta.mul(keep));
      }
      return {
        mix: (cell, edge, outputs) => _weightedSum(outputs, means[cell][edge]),
      };
    }

    const means = {} as Record<CellType, tf.Scalar[][]>;
    const variances = {} as Record<CellType, tf.Scalar[][]>;
    for (const cell of CELL_TYPES) {
      means[cell] = scalars(this.theta[cell]);
      variances[cell] = scalars(this.logSigma2[cell].exp());
    }
    return {
      mix(cell: CellType, edge: number, outputs: OperationOutput[]): tf.Tensor4D {
        // One operation with an explicit gradient: far fewer kernels and saved
        // tensors than the same formula differentiated by tfjs.
        return lrtMixture(
          outputs.map(({ output }) => output),
          outputs.map(({ op }) => means[cell][edge][op]),
          outputs.map(({ op }) => variances[cell][edge][op]),
          () => context.noise.drawSeed(),
          _VARIANCE_EPSILON,
        );
      },
    };
  }

  /**
   * Removes every operation whose log α exceeds the threshold and returns
   * how many were removed now; removed operations stay removed.
   */
  async prune(): Promise<number> {
    let removed = 0;
    for (const cell of CELL_TYPES) {
      const values = await this.logAlphaTable(cell);
      values.forEach((row, edge) =>
        row.forEach((value, op) => {
          if (!this.pruned[cell][edge][op] && value > this.options.pruneThreshold) {
            this.pruned[cell][edge][op] = true;
            removed += 1;
          }
        })
      );
    }
    return removed;
  }

  /** Number of removed operations over both cell types. */
  prunedCount(): number {
    return CELL_TYPES.reduce(
      (sum, cell) => sum + this.pruned[cell].flat().filter((value) => value).length,
      0,
    );
  }

  /** Returns a copy of the removed operations, for checkpoints. */
  pruningMasks(): PruningMasks {
    return {
      normal: this.pruned.normal.map((row) => [...row]),
      reduce: this.pruned.reduce.map((row) => [...row]),
    };
  }

  /** Replaces the removed operations with `masks` (from a checkpoint). */
  setPruningMasks(masks: PruningMasks): void {
    for (const cell of CELL_TYPES) {
      const valid = masks[cell]?.length === CELL_EDGES &&
        masks[cell].every((row) => row.length === this.candidates.length);
      if (!valid) {
        throw new Error(
          `Cannot restore the pruning masks of the ${cell} cell: expected ${CELL_EDGES} rows of ` +
            `${this.candidates.length} flags. The checkpoint was written for another search space.`,
        );
      }
    }
    this.pruned = {
      normal: masks.normal.map((row) => [...row]),
      reduce: masks.reduce.map((row) => [...row]),
    };
  }

  async relevance(): Promise<VinnasRelevance> {
    const tables = {} as Record<CellType, VinnasRelevanceTable>;
    for (const cell of CELL_TYPES) {
      tables[cell] = {
        theta: (await this.theta[cell].array()) as number[][],
        logAlpha: await this.logAlphaTable(cell),
        pruned: this.pruned[cell].map((row) => [...row]),
      };
    }
    return { method: "vinnas", operations: [...this.candidates], ...tables };
  }

  derive(relevance: Relevance): Derivation {
    if (relevance.method !== "vinnas") {
      throw new Error(`Cannot derive a VINNAS genotype from ${relevance.method} relevance tables.`);
    }
    return deriveVinnas(relevance, this.candidates, {
      selection: this.options.selection,
      pruneThreshold: this.options.pruneThreshold,
    });
  }

  private async logAlphaTable(cell: CellType): Promise<number[][]> {
    const values = logAlpha(this.theta[cell], this.logSigma2[cell]);
    const table = (await values.array()) as number[][];
    values.dispose();
    return table;
  }
}

function _weightedSum(outputs: OperationOutput[], weights: tf.Scalar[]): tf.Tensor4D {
  const terms = outputs.map(({ op, output }) => output.mul(weights[op]));
  return (terms.length === 1 ? terms[0] : tf.addN(terms)) as tf.Tensor4D;
}

function _emptyMasks(columns: number): PruningMasks {
  const empty = () => Array.from({ length: CELL_EDGES }, () => Array(columns).fill(false));
  return { normal: empty(), reduce: empty() };
}
