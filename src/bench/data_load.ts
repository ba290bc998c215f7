/**
 * Benchmark of loading all three datasets from a warm cache, the path every
 * run takes before training.
 *
 * @module
 */

import { DATASET_NAMES, loadDataset, type LoadOptions } from "../data/mod.ts";

/** Seconds to load each dataset, and their sum, over `repeats` warm loads (median). */
export interface DataLoadBenchmark {
  repeats: number;
  medianSeconds: Record<string, number>;
  totalMedianSeconds: number;
}

/** Loads every dataset once to warm the cache, then times `repeats` loads of each. */
export async function benchmarkDataLoad(
  options: LoadOptions = {},
  repeats = 3,
): Promise<DataLoadBenchmark> {
  for (const name of DATASET_NAMES) await loadDataset(name, options);

  const medianSeconds: Record<string, number> = {};
  for (const name of DATASET_NAMES) {
    const times: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const start = performance.now();
      await loadDataset(name, options);
      times.push((performance.now() - start) / 1000);
    }
    medianSeconds[name] = _median(times);
  }

  const totalMedianSeconds = Object.values(medianSeconds).reduce((sum, value) => sum + value, 0);
  return { repeats, medianSeconds, totalMedianSeconds };
}

function _median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
