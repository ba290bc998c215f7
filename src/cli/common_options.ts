/**
 * Options shared by several subcommands, defined once so their help text
 * and choices stay the same everywhere.
 *
 * @module
 */

import { Option } from "@commander-js/extra-typings";
import { LOG_LEVELS } from "../util/log.ts";

/** Backend choices of `--backend`. */
export const BACKEND_CHOICES = ["auto", "cpu", "wasm", "webgpu"] as const;

/** `--backend`: which tfjs backend trains the networks. */
export function backendOption() {
  return new Option(
    "--backend <name>",
    "tfjs backend: auto picks webgpu on a real GPU adapter, else wasm, cpu last",
  ).choices(BACKEND_CHOICES).default("auto" as const);
}

/** `--log-level`: the minimum level of log lines on stderr. */
export function logLevelOption() {
  return new Option(
    "--log-level <level>",
    "minimum level of log lines (also VINNAS_LOG_LEVEL)",
  ).choices(LOG_LEVELS);
}

/** `--results-dir`: where result files are read and written. */
export function resultsDirOption() {
  return new Option("--results-dir <dir>", "folder of result files").default("results");
}

/** `--data-dir`: the dataset cache. */
export function dataDirOption() {
  return new Option(
    "--data-dir <dir>",
    "dataset cache folder (default: $VINNAS_CACHE_DIR, else ~/.cache/vinnas-tfjs)",
  );
}

/** `--source-dir`: a folder with the original dataset files. */
export function sourceDirOption() {
  return new Option(
    "--source-dir <dir>",
    "folder with the original dataset files (IDX files, CIFAR-10 binary batches)",
  );
}

/** `--allow-download`: permit the canonical download locations. */
export function allowDownloadOption() {
  return new Option(
    "--allow-download",
    "download from the datasets' canonical locations when no local source works " +
      "(needs deno --allow-net)",
  );
}
