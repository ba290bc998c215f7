/**
 * `search`: run one architecture search from an experiment's settings and
 * print the derived genotype (JSON and DARTS text).
 *
 * @module
 */

import { Command, Option } from "@commander-js/extra-typings";
import { loadDataset } from "../data/mod.ts";
import { initBackend } from "../engine/backend.ts";
import { searchGenotype } from "../pipeline/search_stage.ts";
import { formatDartsGenotype } from "../search/darts_text.ts";
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
        const { genotype } = await searchGenotype(config, dataset, {
          checkpointPath: options.checkpoint,
          signal,
        });

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
