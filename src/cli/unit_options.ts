/**
 * Selecting one run unit from an experiment file for `search` and
 * `evaluate`: the experiment, the method, the seed and the profile.
 *
 * @module
 */

import { Option } from "@commander-js/extra-typings";
import { UserError } from "../config/errors.ts";
import { loadExperiment } from "../config/load_experiment.ts";
import { planRuns, type RunUnit } from "../config/plan.ts";
import { SETTINGS_SCHEMAS } from "../config/settings_schemas.ts";
import { DATASET_SPECS } from "../data/mod.ts";
import { expectedDigestsOf } from "../data/load_dataset.ts";
import { type Method, METHODS } from "../results/record.ts";
import { HARNESS_VERSION } from "../version.ts";

/** `--experiment`: the experiment file. */
export function experimentOption() {
  return new Option("--experiment <file>", "experiment file").default("experiments/mnist.json");
}

/** `--method`: the search method. */
export function methodOption() {
  return new Option("--method <name>", "search method").choices(METHODS).default(
    "vinnas" as const,
  );
}

/** `--seed`: the seed of the unit. */
export function seedOption() {
  return new Option("--seed <n>", "seed of data order, initialisation and noise")
    .argParser((value) => {
      const seed = Number(value);
      if (!Number.isInteger(seed) || seed < 0) {
        throw new UserError(`Invalid --seed "${value}": expected a non-negative integer.`);
      }
      return seed;
    })
    .default(0);
}

/** `--profile`: the budget profile. */
export function profileOption() {
  return new Option("--profile <name>", "budget profile (default: the experiment's)");
}

/** Resolves the run unit that the options select. */
export async function selectUnit(options: {
  experiment: string;
  method: Method;
  seed: number;
  profile?: string;
}): Promise<RunUnit> {
  const experiment = await loadExperiment(options.experiment, SETTINGS_SCHEMAS);
  const profileName = options.profile ?? experiment.defaultProfile;
  const profile = experiment.profiles[profileName];
  const patched = {
    ...experiment,
    profiles: {
      ...experiment.profiles,
      [profileName]: profile === undefined
        ? profile
        : { ...profile, methods: [options.method], seeds: [options.seed] },
    },
  };

  const dataDigests = expectedDigestsOf(DATASET_SPECS[experiment.dataset], undefined);
  const units = await planRuns(patched, profileName, SETTINGS_SCHEMAS, {
    harnessVersion: HARNESS_VERSION,
    dataDigests,
  });
  return units[0];
}
