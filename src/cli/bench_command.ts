/**
 * `bench`: timings that the README and the benchmark page quote, measured
 * on this machine. Tests never assert speed; this command measures it.
 *
 * @module
 */

import { Command, Option } from "@commander-js/extra-typings";
import { renderBenchmarkSection, writeBenchmarkPage } from "../bench/benchmark_page.ts";
import { benchmarkDataLoad, type DataLoadBenchmark } from "../bench/data_load.ts";
import type { StepKind } from "../bench/step_case.ts";
import {
  experimentProfile,
  paperProfile,
  runStepSuite,
  type SizeProfile,
} from "../bench/step_suite.ts";
import type { BackendName } from "../engine/backend.ts";
import { writeFileAtomic } from "../train/checkpoint.ts";
import { UserError } from "../config/errors.ts";
import { gitState } from "../results/provenance.ts";
import { setLogLevel } from "../util/log.ts";
import { dataDirOption, logLevelOption } from "./common_options.ts";
import { examples } from "./help_examples.ts";

const _CASES = ["data-load", "mixed-op", "darts", "vinnas"] as const;
const _BACKENDS = ["wasm", "cpu", "webgpu"] as const;
const _STEP_KINDS = ["mixed-op", "darts", "vinnas"] as const;

/** Builds the `bench` subcommand. */
export function benchCommand() {
  return new Command("bench")
    .description(
      "Measure dataset loading and training-step speed (DARTS mixed operation, DARTS and VINNAS " +
        "supergraph steps) on each backend, beside PyTorch when python3-torch is installed.",
    )
    .addOption(
      new Option("--out <file>", "write the measurements as JSON").default(".bench/bench.json"),
    )
    .addOption(
      new Option("--page <file>", "update the generated part of this Markdown page")
        .default("docs/BENCHMARKS.md"),
    )
    .addOption(new Option("--no-page", "leave the benchmark page as it is"))
    .addOption(
      new Option("--only <cases>", `comma-separated subset of ${_CASES.join(", ")}`)
        .default(_CASES.join(",")),
    )
    .addOption(
      new Option("--backends <names>", `comma-separated tfjs backends (${_BACKENDS.join(", ")})`)
        .default(_BACKENDS.join(",")),
    )
    .addOption(
      new Option("--sizes <names>", "comma-separated supergraph sizes: quick, paper")
        .default("quick,paper"),
    )
    .addOption(
      new Option("--experiment <file>", "experiment file whose quick profile sets the quick size")
        .default("experiments/cifar10.json"),
    )
    .addOption(new Option("--warmup <n>", "untimed steps per case").default("2"))
    .addOption(new Option("--repeats <n>", "timed steps per case").default("5"))
    .addOption(
      new Option(
        "--max-step-seconds <s>",
        "cpu, webgpu and PyTorch cases whose first step takes longer are skipped as too slow",
      ).default("20"),
    )
    .addOption(
      new Option("--wasm-max-step-seconds <s>", "the same limit for wasm").default("300"),
    )
    .addOption(
      new Option("--case-timeout-seconds <s>", "stop any case still running after this long")
        .default("900"),
    )
    .addOption(new Option("--no-pytorch", "skip the PyTorch column"))
    .addOption(
      new Option("--pytorch-threads <list>", "PyTorch intra-op thread counts").default("1,2"),
    )
    .addOption(
      new Option("--pytorch-memory-gib <n>", "address-space cap of each PyTorch process")
        .default("8"),
    )
    .addOption(dataDirOption())
    .addOption(logLevelOption())
    .addHelpText(
      "after",
      examples(
        ["deno task bench", "all benchmarks; updates docs/BENCHMARKS.md"],
        [
          "deno task bench --only vinnas,darts --backends wasm --sizes quick",
          "the supergraph steps on wasm at the quick size; the page stays as it is",
        ],
      ),
    )
    .exitOverride()
    .action(async (options, command) => {
      if (options.logLevel !== undefined) setLogLevel(options.logLevel);
      const cases = _list(options.only, _CASES, "--only");
      const backends = _list(options.backends, _BACKENDS, "--backends") as BackendName[];
      const sizes = _list(options.sizes, ["quick", "paper"] as const, "--sizes");

      let dataLoad: DataLoadBenchmark | { skipped: string } | undefined;
      if (cases.includes("data-load")) {
        try {
          dataLoad = await benchmarkDataLoad({ cacheDir: options.dataDir });
          console.log(
            `data load (warm cache, median of ${dataLoad.repeats}): ${
              Object.entries(dataLoad.medianSeconds).map(([name, s]) => `${name} ${s.toFixed(3)} s`)
                .join(", ")
            }; total ${dataLoad.totalMedianSeconds.toFixed(3)} s`,
          );
        } catch (error) {
          dataLoad = { skipped: (error as Error).message };
          console.log(`data load skipped: ${dataLoad.skipped}`);
        }
      }

      const kinds = cases.filter((c) => c !== "data-load") as StepKind[];
      const profiles: SizeProfile[] = [];
      for (const size of sizes) {
        profiles.push(
          size === "paper" ? paperProfile() : await experimentProfile(options.experiment, size),
        );
      }
      const maxStepMs = _number(options.maxStepSeconds, "--max-step-seconds") * 1000;
      const steps = kinds.length === 0 ? undefined : await runStepSuite({
        backends,
        profiles,
        kinds,
        warmup: _number(options.warmup, "--warmup"),
        repeats: _number(options.repeats, "--repeats"),
        maxStepMs: {
          wasm: _number(options.wasmMaxStepSeconds, "--wasm-max-step-seconds") * 1000,
          cpu: maxStepMs,
          webgpu: maxStepMs,
          pytorch: maxStepMs,
        },
        caseTimeoutMs: _number(options.caseTimeoutSeconds, "--case-timeout-seconds") * 1000,
        pytorch: options.pytorch,
        pytorchThreads: options.pytorchThreads.split(",").map((t) =>
          _number(t, "--pytorch-threads")
        ),
        pytorchMemoryLimitBytes: _number(options.pytorchMemoryGib, "--pytorch-memory-gib") *
          2 ** 30,
        onProgress: (line) => console.log(line),
      });

      await Deno.mkdir(".bench", { recursive: true });
      await writeFileAtomic(options.out, JSON.stringify({ dataLoad, steps }, null, 2) + "\n");
      console.log(`wrote ${options.out}`);
      if (steps === undefined || options.page === false) return;

      // A partial run would replace the page's full results with a few rows,
      // so it updates the page only when --page names it explicitly.
      const full = _STEP_KINDS.every((kind) => kinds.includes(kind)) &&
        _BACKENDS.every((backend) => backends.includes(backend)) &&
        sizes.length === 2 && options.pytorch;
      const pageGiven = command.getOptionValueSource("page") === "cli";
      if (!full && !pageGiven) {
        console.log(
          `left ${options.page} as it is: this run covers part of the suite ` +
            "(pass --page FILE to write it anyway)",
        );
        return;
      }
      const invocation = ["deno task bench", ...Deno.args.slice(1)].join(" ");
      const section = renderBenchmarkSection(steps, invocation, await gitState());
      await writeBenchmarkPage(options.page, section);
      console.log(`updated ${options.page}`);
    });
}

function _list<T extends string>(value: string, allowed: readonly T[], flag: string): T[] {
  const items = value.split(",").map((item) => item.trim()).filter((item) => item !== "");
  for (const item of items) {
    if (!allowed.includes(item as T)) {
      throw new UserError(
        `Cannot run the benchmark with ${flag} ${item}: expected a comma-separated subset of ` +
          `${allowed.join(", ")}.`,
      );
    }
  }
  return items as T[];
}

function _number(value: string, flag: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) {
    throw new UserError(
      `Cannot run the benchmark with ${flag} ${value}: expected a positive number.`,
    );
  }
  return parsed;
}
