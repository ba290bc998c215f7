/**
 * A genotype: the discrete cell structure a search derives and an evaluation
 * trains, as typed data (never code). It mirrors DARTS's
 * `Genotype(normal, normal_concat, reduce, reduce_concat)`: each
 * intermediate node has two incoming edges `(operation, input)` where input 0
 * and 1 are the cell inputs and input k ≥ 2 is intermediate node k − 2.
 *
 * @module
 */

import { z } from "zod";
import { CELL_STEPS, PrimitiveSchema } from "./primitives.ts";

/** Version of the genotype JSON format. */
export const GENOTYPE_VERSION = 1;

/** One edge of a derived cell: the operation and the index of its input node. */
export const GenotypeEdgeSchema = z.tuple([
  PrimitiveSchema.exclude(["none"]),
  z.int().min(0).max(CELL_STEPS + 1),
]);

/** Schema of a genotype; strict, so a misspelt key is an error. */
export const GenotypeSchema = z.strictObject({
  version: z.literal(GENOTYPE_VERSION),
  normal: z.array(GenotypeEdgeSchema),
  normalConcat: z.array(z.int().min(2).max(CELL_STEPS + 1)).min(1),
  reduce: z.array(GenotypeEdgeSchema),
  reduceConcat: z.array(z.int().min(2).max(CELL_STEPS + 1)).min(1),
}).superRefine((genotype, context) => {
  // Edges come in pairs per intermediate node; node k (0-based) may read
  // only the two cell inputs and intermediate nodes before it.
  for (const cell of ["normal", "reduce"] as const) {
    const edges = genotype[cell];
    if (edges.length !== 2 * CELL_STEPS) {
      context.addIssue({
        code: "custom",
        path: [cell],
        message: `expected ${
          2 * CELL_STEPS
        } edges (two per intermediate node), got ${edges.length}`,
      });
      continue;
    }

    edges.forEach(([, input], index) => {
      const node = Math.floor(index / 2);
      if (input > node + 1) {
        context.addIssue({
          code: "custom",
          path: [cell, index, 1],
          message: `node ${node + 2} cannot read node ${input}: inputs must be 0..${node + 1}`,
        });
      }
    });
  }
});

/** A genotype as typed data. */
export type Genotype = z.infer<typeof GenotypeSchema>;

/** One edge `(operation, input node)` of a genotype. */
export type GenotypeEdge = z.infer<typeof GenotypeEdgeSchema>;
