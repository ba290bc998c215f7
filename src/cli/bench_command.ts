/**
 * `bench`: timings that the README and the benchmark page quote, measured
 * on this machine. Tests never assert speed; this command measures it.
 *
 * @module
 */

import { Command, Option } from "@commander-js/extra-typings";
import { benchmarkDataLoad } from "../bench/data_load.ts";
import { writeFileAtomic } from "../train/checkpoint.ts";
import { setLogLevel } from "../util/log.ts";
import { dataDirOption, logLevelOption } from "./common_options.ts";
import { examples } from "./help_examples.ts";

/** Builds the `bench` subcommand. */
export function benchCommand() {
  return new Command("bench")
    .description("Measure dataset loading and training-step speed on this machine.")
    .addOption(
      new Option("--out <file>", "write the measurements as JSON").default(".bench/latest.json"),
    )
    .addOption(dataDirOption())
    .addOption(logLevelOption())
    .addHelpText("after", examples(["deno task bench", "all benchmarks"]))
    .exitOverride()
    .action(async (options) => {
      if (options.logLevel !== undefined) setLogLevel(options.logLevel);

      const dataLoad = await benchmarkDataLoad({ cacheDir: options.dataDir });
      console.log(
        `data load (warm cache, median of ${dataLoad.repeats}): ${
          Object.entries(dataLoad.medianSeconds).map(([name, s]) => `${name} ${s.toFixed(3)} s`)
            .join(", ")
        }; total ${dataLoad.totalMedianSeconds.toFixed(3)} s`,
      );

      await Deno.mkdir(".bench", { recursive: true });
      await writeFileAtomic(options.out, JSON.stringify({ dataLoad }, null, 2) + "\n");
    });
}
