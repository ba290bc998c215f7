/**
 * `evaluate`: train the network of one genotype from scratch and print test
 * error and parameter counts. The genotype comes from a search's result file
 * (by run id), a published cell (by name), or a JSON or DARTS-text file.
 *
 * @module
 */

import { JsonSyntaxError, parseJson } from "../config/json_syntax.ts";
import { Command, Option } from "@commander-js/extra-typings";
import { UserError } from "../config/errors.ts";
import { loadDataset } from "../data/mod.ts";
import { initBackend } from "../engine/backend.ts";
import { EvaluationSettingsSchema } from "../evaluate/settings.ts";
import { runEvaluation } from "../evaluate/train.ts";
import { formatIssues } from "../config/issues.ts";
import { findResultById } from "../results/store.ts";
import { parseDartsGenotype } from "../search/darts_text.ts";
import { type Genotype, GenotypeSchema } from "../search/genotype.ts";
import { PUBLISHED_GENOTYPES, publishedGenotype } from "../search/published.ts";
import { logger, setLogLevel } from "../util/log.ts";
import {
  backendOption,
  dataDirOption,
  logLevelOption,
  resultsDirOption,
  sourceDirOption,
} from "./common_options.ts";
import { examples } from "./help_examples.ts";
import { abortOnInterrupt } from "./interrupt.ts";
import {
  experimentOption,
  methodOption,
  profileOption,
  seedOption,
  selectUnit,
} from "./unit_options.ts";

const log = logger("evaluate");

/** Builds the `evaluate` subcommand. */
export function evaluateCommand() {
  return new Command("evaluate")
    .description("Train one genotype's network from scratch and report test error and parameters.")
    .addOption(
      new Option("--from <run-id>", "use the genotype of this search's result file (id prefix)"),
    )
    .addOption(
      new Option(
        "--genotype <name-or-file>",
        `a published genotype (${
          Object.keys(PUBLISHED_GENOTYPES).join(", ")
        }) or a JSON or DARTS-text file`,
      ),
    )
    .addOption(experimentOption())
    .addOption(methodOption().default("darts-first-order" as const))
    .addOption(seedOption())
    .addOption(profileOption())
    .addOption(backendOption())
    .addOption(new Option("--checkpoint <file>", "checkpoint file to resume from and update"))
    .addOption(resultsDirOption())
    .addOption(dataDirOption())
    .addOption(sourceDirOption())
    .addOption(logLevelOption())
    .addHelpText(
      "after",
      examples(
        ["deno task evaluate --from 3fa2c1d9", "the cell a reproduce run found"],
        [
          "deno task evaluate --genotype DARTS_V2 --experiment experiments/cifar10.json",
          "DARTS's published cell with the CIFAR-10 settings",
        ],
        [
          "deno task evaluate --genotype cell.txt --method vinnas",
          "variational evaluation settings",
        ],
      ),
    )
    .exitOverride()
    .action(async (options) => {
      if (options.logLevel !== undefined) setLogLevel(options.logLevel);
      if ((options.from === undefined) === (options.genotype === undefined)) {
        throw new UserError("Give exactly one of --from <run-id> and --genotype <name-or-file>.");
      }

      let genotype: Genotype;
      let selection = { ...options };
      if (options.from !== undefined) {
        const record = await findResultById(options.resultsDir, options.from);
        if (record.search === null) {
          throw new UserError(
            `Result ${record.runId} has no search summary (status ${record.status}); its search ` +
              "did not finish. Run it again with `deno task reproduce --run " + record.runId + "`.",
          );
        }
        genotype = record.search.genotype;
        // Evaluate with the settings of the run that found the cell, unless overridden.
        selection = {
          ...options,
          experiment: options.experiment === "experiments/mnist.json"
            ? `experiments/${record.experiment}.json`
            : options.experiment,
          method: record.method,
          profile: options.profile ?? record.profile,
        };
      } else {
        genotype = await _readGenotype(options.genotype as string);
      }

      const unit = await selectUnit(selection);
      const settings = EvaluationSettingsSchema.parse(unit.config.evaluation);
      const backend = await initBackend(options.backend);
      const dataset = await loadDataset(unit.config.dataset, {
        cacheDir: options.dataDir,
        sourceDir: options.sourceDir,
      });
      log.info(
        `evaluating on ${unit.config.dataset} with ${settings.weights} weights, ` +
          `${settings.cells} cells, ${settings.initChannels} channels, ${settings.epochs} epochs, ${backend.backend}`,
      );

      const { signal, dispose } = abortOnInterrupt();
      try {
        const outcome = await runEvaluation({
          genotype,
          dataset,
          settings,
          seed: unit.config.seed,
          checkpointPath: options.checkpoint ?? null,
          signal,
        });
        console.log(JSON.stringify(
          {
            testError: outcome.testError,
            totalParameters: outcome.totalParameters,
            nonZeroParameters: outcome.nonZeroParameters,
            multiplyAccumulates: outcome.multiplyAccumulates,
            epochs: outcome.epochs,
            wallSeconds: outcome.wallSeconds,
          },
          null,
          2,
        ));
      } finally {
        dispose();
      }
    });
}

async function _readGenotype(nameOrFile: string): Promise<Genotype> {
  if (Object.hasOwn(PUBLISHED_GENOTYPES, nameOrFile)) return publishedGenotype(nameOrFile).genotype;

  let text: string;
  try {
    text = await Deno.readTextFile(nameOrFile);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new UserError(
        `Cannot read genotype "${nameOrFile}": it is neither a published genotype (${
          Object.keys(PUBLISHED_GENOTYPES).join(", ")
        }) nor an existing file.`,
      );
    }
    throw error;
  }

  if (text.trimStart().startsWith("Genotype(")) {
    try {
      return parseDartsGenotype(text);
    } catch (error) {
      throw new UserError(
        `Cannot parse DARTS genotype text in ${nameOrFile}: ${(error as Error).message}`,
      );
    }
  }

  let data: unknown;
  try {
    data = parseJson(text);
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    throw new UserError(
      `Cannot parse genotype JSON in ${nameOrFile}: ${error.message}. Fix the syntax there.`,
    );
  }
  const parsed = GenotypeSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    throw new UserError(`Invalid genotype in ${nameOrFile}.`, formatIssues(parsed.error.issues));
  }
  return parsed.data;
}
