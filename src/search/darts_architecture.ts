/**
 * DARTS's continuous relaxation (Liu, Simonyan, Yang, ICLR 2019, arXiv
 * 1806.09055): each cell type has a table α `[14, numOps]`, and an edge
 * outputs Σ softmax(α_edge)_op · o_op(x).
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import type { ParameterStore } from "../nn/parameter_store.ts";
import type { Rng } from "../util/random.ts";
import type {
  Architecture,
  DartsRelevance,
  EdgeMixer,
  OperationOutput,
  Relevance,
} from "./architecture.ts";
import { CELL_TYPES, type CellType, type Derivation, deriveDarts } from "./derive.ts";
import { CELL_EDGES, type Primitive } from "./primitives.ts";

/** Options of {@link DartsArchitecture}. */
export interface DartsArchitectureOptions {
  candidates: readonly Primitive[];
  /** Draws the initial α. */
  rng: Rng;
  /** Standard deviation of the initial α (DARTS: 1e-3). */
  initScale: number;
}

/** The α tables of both cell types and the softmax mixing of edges. */
export class DartsArchitecture implements Architecture {
  readonly method = "darts" as const;
  readonly candidates: readonly Primitive[];
  readonly alpha: Record<CellType, tf.Variable>;

  constructor(store: ParameterStore, options: DartsArchitectureOptions) {
    this.candidates = options.candidates;

    const columns = options.candidates.length;
    const draw = () =>
      tf.tensor2d(
        Float32Array.from(
          { length: CELL_EDGES * columns },
          () => options.initScale * options.rng.normal(),
        ),
        [CELL_EDGES, columns],
      );
    this.alpha = {
      normal: store.add("alpha_normal", draw(), { role: "architecture" }),
      reduce: store.add("alpha_reduce", draw(), { role: "architecture" }),
    };
  }

  isComputed(_cell: CellType, _edge: number, op: number): boolean {
    // `none` outputs zeros, which add nothing to the weighted sum; its
    // weight still enters the softmax.
    return this.candidates[op] !== "none";
  }

  mixer(): EdgeMixer {
    // One softmax per cell type and forward pass, split into scalars
    // `weights[cell][edge][op]` that every edge multiplies with.
    const weights = {} as Record<CellType, tf.Scalar[][]>;
    for (const cell of CELL_TYPES) {
      const table = tf.softmax(this.alpha[cell]);
      weights[cell] = tf.unstack(table).map((row) => tf.unstack(row) as tf.Scalar[]);
    }

    return {
      mix(cell: CellType, edge: number, outputs: OperationOutput[]): tf.Tensor4D {
        const terms = outputs.map(({ op, output }) => output.mul(weights[cell][edge][op]));
        return (terms.length === 1 ? terms[0] : tf.addN(terms)) as tf.Tensor4D;
      },
    };
  }

  async relevance(): Promise<DartsRelevance> {
    const tables = {} as Record<CellType, { weights: number[][] }>;
    for (const cell of CELL_TYPES) {
      const softmax = tf.softmax(this.alpha[cell]);
      tables[cell] = { weights: (await softmax.array()) as number[][] };
      softmax.dispose();
    }
    return { method: "darts", operations: [...this.candidates], ...tables };
  }

  derive(relevance: Relevance): Derivation {
    if (relevance.method !== "darts") {
      throw new Error(`Cannot derive a DARTS genotype from ${relevance.method} relevance tables.`);
    }
    const weights = { normal: relevance.normal.weights, reduce: relevance.reduce.weights };
    return { genotype: deriveDarts(weights, this.candidates), forcedEdges: [] };
  }
}
