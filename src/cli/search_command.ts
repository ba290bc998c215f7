/**
 * `search`: run one architecture search from an experiment's settings and
 * print the derived genotype (JSON and DARTS text).
 *
 * @module
 */

import { Command, Option } from "@commander-js/extra-typings";
import { loadDataset } from "../data/mod.ts";
import { initBackend } from "../engine/backend.ts";
import { EvaluationSettingsSchema } from "../evaluate/settings.ts";
import { formatDartsGenotype } from "../search/darts_text.ts";
import { RandomSearchSettingsSchema, runRandomSearch } from "../search/random_search.ts";
import { runSearch } from "../search/run_search.ts";
import { SearchSettingsSchema } from "../search/settings.ts";
import { writeFileAtomic } from "../train/checkpoint.ts";
import { logger, setLogLevel } from "../util/log.ts";
import { backendOption, dataDirOption, logLevelOption, sourceDirOption } from "./common_options.ts";
import { examples } from "./help_examples.ts";
import { abortOnInterrupt } from "./interrupt.ts";
import {
  experimentOption,
  methodOption,
  profileOption,
  seedOption,
  selectUnit,
} from "./unit_options.ts";

const log = logger("search");

/** Builds the `search` subcommand. */
export function searchCommand() {
  return new Command("search")
    .description("Run one architecture search and print the derived genotype.")
    .addOption(experimentOption())
    .addOption(methodOption())
    .addOption(seedOption())
    .addOption(profileOption())
    .addOption(backendOption())
    .addOption(new Option("--out <file>", "also write the genotype JSON to this file"))
    .addOption(new Option("--checkpoint <file>", "checkpoint file to resume from and update"))
    .addOption(dataDirOption())
    .addOption(sourceDirOption())
    .addOption(logLevelOption())
    .addHelpText(
      "after",
      examples(
        ["deno task search --method vinnas --profile smoke", "a short VINNAS search on MNIST"],
        [
          "deno task search --experiment experiments/cifar10.json --method darts-second-order",
          "second-order DARTS on CIFAR-10",
        ],
      ),
    )
    .exitOverride()
    .action(async (options) => {
      if (options.logLevel !== undefined) setLogLevel(options.logLevel);
      const unit = await selectUnit(options);
      const { config } = unit;
      const backend = await initBackend(options.backend);
      log.info(
        `run ${unit.runId}: ${config.experiment} ${config.method} seed ${config.seed} on ${backend.backend}`,
      );

      const dataset = await loadDataset(config.dataset, {
        cacheDir: options.dataDir,
        sourceDir: options.sourceDir,
      });
      const { signal, dispose } = abortOnInterrupt();

      try {
        let genotype;
        if (config.method === "random") {
          const outcome = await runRandomSearch({
            settings: RandomSearchSettingsSchema.parse(config.randomSearch),
            dataset,
            seed: config.seed,
            checkpointPath: options.checkpoint,
            signal,
          });
          genotype = outcome.genotype;
        } else {
          const settings = SearchSettingsSchema.parse(config.search);
          const evaluation = EvaluationSettingsSchema.parse(config.evaluation);
          const outcome = await runSearch({
            method: config.method,
            settings,
            data: {
              dataset,
              augment: {
                cropPadding: evaluation.cropPadding,
                horizontalFlip: evaluation.horizontalFlip,
                cutoutLength: 0,
              },
            },
            seed: config.seed,
            checkpointPath: options.checkpoint,
            signal,
          });
          genotype = outcome.genotype;
        }

        console.log(JSON.stringify(genotype, null, 2));
        console.log(formatDartsGenotype(genotype));
        if (options.out !== undefined) {
          await writeFileAtomic(options.out, JSON.stringify(genotype, null, 2) + "\n");
        }
      } finally {
        dispose();
      }
    });
}
