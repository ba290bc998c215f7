/**
 * The contract between the supergraph and an architecture representation
 * (DARTS's softmax over α, or VINNAS's variational relevances): which
 * candidate operations an edge must compute, how their outputs combine, and
 * what the search records and derives.
 *
 * @module
 */

import type * as tf from "@tensorflow/tfjs";
import type { ForwardContext } from "../nn/context.ts";
import type { CellType, Derivation, VinnasRelevanceTable } from "./derive.ts";
import { type Primitive, PRIMITIVES } from "./primitives.ts";

/** The output of one candidate operation of an edge. */
export interface OperationOutput {
  /** Column of the operation in the architecture tables. */
  op: number;
  /** Output `[batch, height, width, channels]`. */
  output: tf.Tensor4D;
}

/** Combines the operation outputs of an edge; built once per forward pass. */
export interface EdgeMixer {
  /**
   * Returns the edge's output from the outputs of its computed operations
   * (never empty), inside the caller's tidy or gradient scope.
   */
  mix(cell: CellType, edge: number, outputs: OperationOutput[]): tf.Tensor4D;
}

/** Relevance tables of a DARTS search: softmax weights `[14][numOps]` per cell type. */
export interface DartsRelevance {
  method: "darts";
  operations: Primitive[];
  normal: { weights: number[][] };
  reduce: { weights: number[][] };
}

/** Relevance tables of a VINNAS search: θ, log α and pruning `[14][numOps]` per cell type. */
export interface VinnasRelevance {
  method: "vinnas";
  operations: Primitive[];
  normal: VinnasRelevanceTable;
  reduce: VinnasRelevanceTable;
}

/** Relevance of every candidate operation of every edge, as recorded per epoch. */
export type Relevance = DartsRelevance | VinnasRelevance;

/** An architecture representation that a supergraph mixes its edges with. */
export interface Architecture {
  readonly method: "darts" | "vinnas";
  /** Candidate operations; their order is the column order of every table. */
  readonly candidates: readonly Primitive[];

  /** Whether operation `op` of `edge` must be computed (false for `none` and removed operations). */
  isComputed(cell: CellType, edge: number, op: number): boolean;

  /** Builds the mixer of one forward pass; call inside the forward's scope. */
  mixer(context: ForwardContext): EdgeMixer;

  /** Reads the relevance tables (async, as webgpu requires). */
  relevance(): Promise<Relevance>;

  /** Derives the genotype from tables returned by {@link relevance}. */
  derive(relevance: Relevance): Derivation;
}

/** Returns the candidate operations of a search space with or without `none`. */
export function searchCandidates(includeNone: boolean): Primitive[] {
  return PRIMITIVES.filter((name) => includeNone || name !== "none");
}
