/**
 * Planning: expands an experiment and a profile into run units (experiment ×
 * method × seed × profile), each with a fully resolved configuration and a
 * run id that hashes that configuration, the harness version and the data
 * digests. Equal ids mean equal work, so a complete result can be reused.
 *
 * @module
 */

import { canonicalJson, sha256Hex } from "./canonical_json.ts";
import { UserError } from "./errors.ts";
import type { ExperimentFile } from "./experiment.ts";
import { mergedSettingsBlocks, type SettingsSchemas } from "./load_experiment.ts";
import type { Method } from "../results/record.ts";

/** The resolved configuration of one run unit, as stored in its result file. */
export interface RunConfig {
  experiment: string;
  dataset: ExperimentFile["dataset"];
  method: Method;
  seed: number;
  profile: string;
  search: Record<string, unknown>;
  evaluation: Record<string, unknown>;
  /** Settings of the random-search baseline; null for other methods. */
  randomSearch: Record<string, unknown> | null;
}

/** One unit of work with its identity. */
export interface RunUnit {
  runId: string;
  config: RunConfig;
}

/** Inputs of the run id besides the configuration. */
export interface RunIdentityInputs {
  harnessVersion: string;
  /** sha256 of each decoded data file of the dataset. */
  dataDigests: Record<string, string>;
}

/** Returns the names of the profiles of `experiment`, the default first. */
export function profileNames(experiment: ExperimentFile): string[] {
  const names = Object.keys(experiment.profiles).sort();
  return [experiment.defaultProfile, ...names.filter((name) => name !== experiment.defaultProfile)];
}

/** Expands `experiment` under `profileName` into run units, in method then seed order. */
export async function planRuns(
  experiment: ExperimentFile,
  profileName: string,
  schemas: SettingsSchemas,
  identity: RunIdentityInputs,
): Promise<RunUnit[]> {
  const profile = experiment.profiles[profileName];
  if (profile === undefined) {
    throw new UserError(
      `Cannot plan experiment "${experiment.name}" with profile "${profileName}": no such profile. ` +
        `Choose one of: ${profileNames(experiment).join(", ")}.`,
    );
  }

  const units: RunUnit[] = [];
  for (const method of profile.methods ?? experiment.methods) {
    const blocks = mergedSettingsBlocks(experiment, method, profileName);

    for (const seed of profile.seeds ?? experiment.seeds) {
      const config: RunConfig = {
        experiment: experiment.name,
        dataset: experiment.dataset,
        method,
        seed,
        profile: profileName,
        search: schemas.search.parse(blocks.search) as Record<string, unknown>,
        evaluation: schemas.evaluation.parse(blocks.evaluation) as Record<string, unknown>,
        randomSearch: method === "random"
          ? schemas.randomSearch.parse(blocks.randomSearch) as Record<string, unknown>
          : null,
      };
      units.push({ runId: await runId(config, identity), config });
    }
  }
  return units;
}

/** Returns the 16-hex-digit id of a run: a SHA-256 prefix of its canonical identity. */
export async function runId(config: RunConfig, identity: RunIdentityInputs): Promise<string> {
  const digest = await sha256Hex(canonicalJson({ config, ...identity }));
  return digest.slice(0, 16);
}

/**
 * Returns the units of shard `index` (0-based) of `count`: unit k of the
 * list sorted by run id goes to shard k mod count, so the shards partition
 * the work and every machine computes the same partition.
 */
export function selectShard(units: readonly RunUnit[], index: number, count: number): RunUnit[] {
  if (
    !Number.isInteger(count) || count < 1 || !Number.isInteger(index) || index < 0 || index >= count
  ) {
    throw new UserError(
      `Invalid shard ${index}/${count}: expected i/n with integers 0 <= i < n, for example --shard 0/4.`,
    );
  }

  const sorted = [...units].sort((a, b) => a.runId.localeCompare(b.runId));
  return sorted.filter((_, position) => position % count === index);
}
