/**
 * Genotypes published by other work, as named constants with their source,
 * so evaluations of reference cells never depend on parsing text at run time.
 *
 * @module
 */

import { type Genotype, GENOTYPE_VERSION, GenotypeSchema } from "./genotype.ts";

/** A published genotype and where it was published. */
export interface PublishedGenotype {
  name: string;
  genotype: Genotype;
  /** Repository, file and the name the genotype has there. */
  source: string;
  /** Search method and dataset that produced the cell, as the source describes them. */
  description: string;
}

const _DARTS_SOURCE = "quark0/darts, file cnn/genotypes.py (commit f276dd3)";

/**
 * The cell found by first-order DARTS on CIFAR-10 (`DARTS_V1` in quark0/darts
 * `cnn/genotypes.py`).
 */
export const DARTS_V1: PublishedGenotype = {
  name: "DARTS_V1",
  source: `${_DARTS_SOURCE}, constant DARTS_V1`,
  description: "DARTS first order, searched on CIFAR-10",
  genotype: GenotypeSchema.parse({
    version: GENOTYPE_VERSION,
    normal: [
      ["sep_conv_3x3", 1],
      ["sep_conv_3x3", 0],
      ["skip_connect", 0],
      ["sep_conv_3x3", 1],
      ["skip_connect", 0],
      ["sep_conv_3x3", 1],
      ["sep_conv_3x3", 0],
      ["skip_connect", 2],
    ],
    normalConcat: [2, 3, 4, 5],
    reduce: [
      ["max_pool_3x3", 0],
      ["max_pool_3x3", 1],
      ["skip_connect", 2],
      ["max_pool_3x3", 0],
      ["max_pool_3x3", 0],
      ["skip_connect", 2],
      ["skip_connect", 2],
      ["avg_pool_3x3", 0],
    ],
    reduceConcat: [2, 3, 4, 5],
  }),
};

/**
 * The cell found by second-order DARTS on CIFAR-10 (`DARTS_V2`, also exported
 * as `DARTS`, in quark0/darts `cnn/genotypes.py`). The quark0/darts README
 * gives 3.3 M parameters at 20 cells and 36 initial channels, and a mean test
 * error of 2.76 ± 0.09 % over 10 runs.
 */
export const DARTS_V2: PublishedGenotype = {
  name: "DARTS_V2",
  source: `${_DARTS_SOURCE}, constant DARTS_V2`,
  description: "DARTS second order, searched on CIFAR-10",
  genotype: GenotypeSchema.parse({
    version: GENOTYPE_VERSION,
    normal: [
      ["sep_conv_3x3", 0],
      ["sep_conv_3x3", 1],
      ["sep_conv_3x3", 0],
      ["sep_conv_3x3", 1],
      ["sep_conv_3x3", 1],
      ["skip_connect", 0],
      ["skip_connect", 0],
      ["dil_conv_3x3", 2],
    ],
    normalConcat: [2, 3, 4, 5],
    reduce: [
      ["max_pool_3x3", 0],
      ["max_pool_3x3", 1],
      ["skip_connect", 2],
      ["max_pool_3x3", 1],
      ["max_pool_3x3", 0],
      ["skip_connect", 2],
      ["skip_connect", 2],
      ["max_pool_3x3", 1],
    ],
    reduceConcat: [2, 3, 4, 5],
  }),
};

/** Published genotypes by name; `DARTS` is an alias of `DARTS_V2`, as in the source. */
export const PUBLISHED_GENOTYPES: Readonly<Record<string, PublishedGenotype>> = {
  DARTS_V1,
  DARTS_V2,
  DARTS: DARTS_V2,
};

/** Returns the published genotype called `name`; throws a RangeError listing the known names. */
export function publishedGenotype(name: string): PublishedGenotype {
  const found = Object.hasOwn(PUBLISHED_GENOTYPES, name) ? PUBLISHED_GENOTYPES[name] : undefined;
  if (found === undefined) {
    throw new RangeError(
      `Cannot find published genotype "${name}": expected one of ${
        Object.keys(PUBLISHED_GENOTYPES).join(", ")
      }.`,
    );
  }
  return found;
}
