/**
 * The search stage of a run unit for any method: VINNAS and DARTS search
 * the supergraph, random search samples and trains genotypes. Both
 * `reproduce` and the `search` command call it, so a unit searches the same
 * way whichever command runs it.
 *
 * @module
 */

import type { z } from "zod";
import type { RunConfig } from "../config/plan.ts";
import type { Dataset } from "../data/mod.ts";
import { EvaluationSettingsSchema } from "../evaluate/settings.ts";
import type { SearchSummarySchema } from "../results/record.ts";
import { genotypeHash } from "../search/darts_text.ts";
import { RandomSearchSettingsSchema, runRandomSearch } from "../search/random_search.ts";
import { runSearch } from "../search/run_search.ts";
import { countSkipConnections } from "../search/search_record.ts";
import { SearchSettingsSchema } from "../search/settings.ts";

/** Summary of a finished search, as stored in the result file. */
export type SearchSummary = z.infer<typeof SearchSummarySchema>;

/** Checkpoint file and abort signal of a search. */
export interface SearchStageOptions {
  /** Checkpoint file; absent turns checkpoints off. */
  checkpointPath?: string;
  signal?: AbortSignal;
}

/** Searches a genotype with the method and settings of `config`. */
export async function searchGenotype(
  config: RunConfig,
  dataset: Dataset,
  options: SearchStageOptions = {},
): Promise<SearchSummary> {
  let outcome: {
    genotype: SearchSummary["genotype"];
    epochs: number;
    wallSeconds: number;
    trajectory: unknown[];
  };

  if (config.method === "random") {
    outcome = await runRandomSearch({
      settings: RandomSearchSettingsSchema.parse(config.randomSearch),
      dataset,
      seed: config.seed,
      checkpointPath: options.checkpointPath,
      signal: options.signal,
    });
  } else {
    const evaluation = EvaluationSettingsSchema.parse(config.evaluation);
    outcome = await runSearch({
      method: config.method,
      settings: SearchSettingsSchema.parse(config.search),
      data: {
        dataset,
        // DARTS searches with the training augmentation minus cutout.
        augment: {
          cropPadding: evaluation.cropPadding,
          horizontalFlip: evaluation.horizontalFlip,
          cutoutLength: 0,
        },
      },
      seed: config.seed,
      checkpointPath: options.checkpointPath,
      signal: options.signal,
    });
  }

  return {
    genotype: outcome.genotype,
    genotypeHash: genotypeHash(outcome.genotype),
    epochs: outcome.epochs,
    wallSeconds: outcome.wallSeconds,
    skipConnectionsInNormalCell: countSkipConnections(outcome.genotype),
    trajectory: outcome.trajectory as Record<string, unknown>[],
  };
}
