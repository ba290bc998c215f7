/**
 * The library side of `deno task data fetch|verify [dataset…]`: fill the
 * cache for several datasets, or check what is cached.
 *
 * @module
 */

import { DATASET_NAMES, type DatasetName } from "./dataset.ts";
import { loadDataset, type LoadOptions } from "./load_dataset.ts";
import { verifyDataset, type VerifyOptions, type VerifyReport } from "./verify_dataset.ts";

/** Options of `fetchDatasets`: those of `loadDataset`, with one base URL per dataset. */
export interface FetchOptions extends Omit<LoadOptions, "baseUrl" | "digests"> {
  /** Base URL per dataset that replaces its original download location. */
  baseUrls?: Partial<Record<DatasetName, string>>;
}

/**
 * Loads each dataset once so that its verified cache entry exists; an empty
 * list means all datasets. Stops at the first dataset that cannot be loaded,
 * with its `DatasetUnavailableError`.
 */
export async function fetchDatasets(
  names: readonly DatasetName[],
  options: FetchOptions = {},
): Promise<void> {
  const { baseUrls, ...loadOptions } = options;
  for (const name of names.length === 0 ? DATASET_NAMES : names) {
    await loadDataset(name, { ...loadOptions, baseUrl: baseUrls?.[name] });
  }
}

/** Re-hashes the cache entries of the datasets (all when the list is empty) and returns one report each. */
export async function verifyDatasets(
  names: readonly DatasetName[],
  options: VerifyOptions = {},
): Promise<VerifyReport[]> {
  const reports: VerifyReport[] = [];
  for (const name of names.length === 0 ? DATASET_NAMES : names) {
    reports.push(await verifyDataset(name, options));
  }
  return reports;
}
