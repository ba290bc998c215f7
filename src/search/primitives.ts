/**
 * The candidate operations of the DARTS search space, in DARTS's order
 * (`PRIMITIVES` in quark0/darts `cnn/genotypes.py`). The order fixes the
 * meaning of every architecture-parameter column, so it must not change.
 *
 * @module
 */

import { z } from "zod";

export const PRIMITIVES = [
  "none",
  "max_pool_3x3",
  "avg_pool_3x3",
  "skip_connect",
  "sep_conv_3x3",
  "sep_conv_5x5",
  "dil_conv_3x3",
  "dil_conv_5x5",
] as const;

/** The name of one candidate operation. */
export type Primitive = typeof PRIMITIVES[number];

/** Schema of a candidate operation name. */
export const PrimitiveSchema = z.enum(PRIMITIVES);

/** Number of intermediate nodes of a DARTS cell. */
export const CELL_STEPS = 4;

/** Number of edges of a DARTS cell: 2 + 3 + 4 + 5 for four intermediate nodes. */
export const CELL_EDGES = 14;

/**
 * Returns the index range of the edges entering intermediate node `step`
 * (0-based): node i has i + 2 inputs, the two cell inputs and every earlier
 * intermediate node, and its edges follow those of nodes 0 .. i-1.
 */
export function edgesOfNode(step: number): { start: number; end: number } {
  let start = 0;
  for (let i = 0; i < step; i++) start += i + 2;
  return { start, end: start + step + 2 };
}
