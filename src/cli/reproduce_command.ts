/**
 * `reproduce`: the main job. Runs every missing run unit of the experiment
 * files under one profile and regenerates the paper tables.
 *
 * @module
 */

import { Argument, Command, Option } from "@commander-js/extra-typings";
import { UserError } from "../config/errors.ts";
import { reproduceInParallel } from "../pipeline/parallel.ts";
import { reproduce, type ReproduceOptions } from "../pipeline/reproduce.ts";
import { setLogLevel } from "../util/log.ts";
import {
  allowDownloadOption,
  backendOption,
  dataDirOption,
  logLevelOption,
  resultsDirOption,
  sourceDirOption,
} from "./common_options.ts";
import { examples } from "./help_examples.ts";
import { abortOnInterrupt } from "./interrupt.ts";

/** Parses `--shard i/n`. */
export function parseShard(value: string): { index: number; count: number } {
  const match = value.match(/^(\d+)\/(\d+)$/);
  if (match === null) {
    throw new UserError(`Invalid --shard "${value}": expected i/n, for example --shard 0/4.`);
  }

  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || index >= count) {
    throw new UserError(`Invalid --shard "${value}": expected 0 <= i < n.`);
  }
  return { index, count };
}

/** Builds the `reproduce` subcommand. */
export function reproduceCommand() {
  return new Command("reproduce")
    .description(
      "Run the experiments' missing runs (resuming interrupted ones), then regenerate paper-tables/.",
    )
    .addArgument(
      new Argument("[experiments...]", "experiment files (default: experiments/*.json)"),
    )
    .addOption(
      new Option(
        "--profile <name>",
        "budget profile: smoke, quick or paper (default: each file's)",
      ),
    )
    .addOption(backendOption())
    .addOption(
      new Option(
        "--jobs <n>",
        "run n shards at once in worker threads (each backend uses one core)",
      )
        .argParser(_parseJobs)
        .default(1),
    )
    .addOption(new Option("--shard <i/n>", "run shard i of n (0-based), for job arrays"))
    .addOption(new Option("--run <id>", "run only the unit whose run id starts with this"))
    .option("--dry-run", "print the planned runs and what would happen to each, then exit")
    .option("--force", "run units again even when a complete result exists")
    .option("--skip-tables", "do not regenerate the tables (implied by --shard and --run)")
    .addOption(resultsDirOption())
    .addOption(
      new Option("--checkpoints-dir <dir>", "checkpoints of unfinished runs").default(
        "checkpoints",
      ),
    )
    .addOption(
      new Option("--tables-dir <dir>", "folder of the Markdown tables").default("paper-tables"),
    )
    .addOption(
      new Option("--references <file>", "reported reference values").default(
        "paper-tables/reference.json",
      ),
    )
    .addOption(dataDirOption())
    .addOption(sourceDirOption())
    .addOption(allowDownloadOption())
    .addOption(logLevelOption())
    .addHelpText(
      "after",
      examples(
        ["deno task reproduce", "all tables, default profile (quick)"],
        ["deno task reproduce --profile smoke", "minutes: checks the whole pipeline"],
        ["deno task reproduce --jobs 2", "two runs at a time on a 2-core machine"],
        ["deno task reproduce experiments/mnist.json --profile paper", "one table, paper budget"],
        ["deno task reproduce --dry-run", "list run ids and which are complete"],
        ["deno task reproduce --shard $SLURM_ARRAY_TASK_ID/8", "one of 8 array jobs"],
        ["deno task reproduce --run 3fa2c1d9", "one run unit by id"],
      ),
    )
    .exitOverride()
    .action(async (experiments, options) => {
      if (options.logLevel !== undefined) setLogLevel(options.logLevel);
      const shard = options.shard === undefined ? undefined : parseShard(options.shard);
      const { signal, dispose } = abortOnInterrupt();

      try {
        const reproduceOptions: ReproduceOptions = {
          experiments,
          profile: options.profile,
          backend: options.backend,
          shard,
          runId: options.run,
          dryRun: options.dryRun ?? false,
          force: options.force ?? false,
          resultsDir: options.resultsDir,
          checkpointsDir: options.checkpointsDir,
          tablesDir: options.tablesDir,
          referencesPath: options.references,
          skipTables: options.skipTables === true || shard !== undefined ||
            options.run !== undefined,
          dataOptions: {
            cacheDir: options.dataDir,
            sourceDir: options.sourceDir,
            allowNetwork: options.allowDownload ?? false,
          },
          signal,
        };

        if (options.jobs > 1 && !reproduceOptions.dryRun) {
          if (shard !== undefined || options.run !== undefined) {
            throw new UserError("--jobs cannot be combined with --shard or --run.");
          }
          const summary = await reproduceInParallel(reproduceOptions, options.jobs);
          _printOutcome(summary.completed, summary.failed, summary.tables);
          return;
        }

        const summary = await reproduce(reproduceOptions);
        if (reproduceOptions.dryRun) {
          console.log(
            "run id            experiment     method               seed  profile  action",
          );
          for (const { unit, action } of summary.planned) {
            const { config } = unit;
            console.log(
              `${unit.runId}  ${config.experiment.padEnd(13)}  ${config.method.padEnd(19)}  ${
                String(config.seed).padStart(4)
              }  ${config.profile.padEnd(7)}  ${action}`,
            );
          }
          return;
        }

        _printOutcome(
          summary.completed.length,
          summary.failed.map((record) =>
            `${record.runId} ${record.method} seed ${record.seed}: ${record.failure?.message}`
          ),
          summary.tables,
        );
      } finally {
        dispose();
      }
    });
}

function _parseJobs(value: string): number {
  const jobs = Number(value);
  if (!Number.isInteger(jobs) || jobs < 1) {
    throw new UserError(`Invalid --jobs "${value}": expected a positive integer such as 2.`);
  }
  return jobs;
}

function _printOutcome(completed: number, failed: string[], tables: string[]): void {
  console.log(
    `${completed} run(s) completed, ${failed.length} failed; tables: ${
      tables.join(", ") || "not regenerated"
    }`,
  );
  for (const line of failed) console.log(`failed: ${line}`);
  if (failed.length > 0) Deno.exitCode = 1;
}
