/**
 * The two halves of the search data: one trains the weights, the other the
 * architecture (and measures validation loss and accuracy). Batch order is a
 * function of the seed and the epoch only, so a resumed search gets the same
 * batches as an uninterrupted one.
 *
 * @module
 */

import type { AugmentOptions } from "../data/augment.ts";
import { type Batch, batches } from "../data/batches.ts";
import type { Dataset } from "../data/dataset.ts";
import { searchSplit } from "../data/search_split.ts";
import { range } from "../data/shuffled.ts";
import { stratifiedSubset } from "../data/stratified_subset.ts";
import { seedFromName } from "../nn/variational_conv.ts";

/** A source of mini-batches for one half of the search data. */
export interface SearchBatchSource {
  /** Number of examples. */
  size: number;
  /**
   * Yields the batches of `epoch` (0-based). With `shuffle`, the order must
   * depend only on the epoch and the source's own seed; without it, the
   * order is fixed. The caller disposes every batch.
   */
  batches(epoch: number, batchSize: number, shuffle: boolean): Iterable<Batch>;
}

/** Search data given as two batch sources. */
export interface SearchSources {
  train: SearchBatchSource;
  valid: SearchBatchSource;
  /** Channels of the images. */
  inputChannels: number;
  classes: number;
}

/** Search data given as a dataset; its train split provides both halves. */
export interface SearchDataset {
  dataset: Dataset;
  /**
   * Indices into the train split that form the search data. Default: a
   * stratified subset of `trainSubsetPerClass` images per class, or the
   * whole train split when that setting is null.
   */
  indices?: Int32Array;
  /** Augmentation of the weight half (DARTS crops and flips CIFAR-10). @default none */
  augment?: AugmentOptions;
}

/** The data of a search. */
export type SearchData = SearchSources | SearchDataset;

/** Options of {@link searchSources}. */
export interface SearchSplitOptions {
  trainPortion: number;
  trainSubsetPerClass: number | null;
  seed: number;
}

/**
 * Returns the two halves of `data`. A dataset is reduced to the stratified
 * subset (if any) and split by `trainPortion` with `seed`.
 */
export function searchSources(data: SearchData, options: SearchSplitOptions): SearchSources {
  if (!("dataset" in data)) return data;

  const { dataset } = data;
  const pool = data.indices ??
    (options.trainSubsetPerClass === null ? range(dataset.train.count) : stratifiedSubset(
      dataset.train,
      options.trainSubsetPerClass,
      seedFromName(options.seed, "search.subset"),
      dataset.numClasses,
    ));
  const { train, valid } = searchSplit(
    pool,
    options.trainPortion,
    seedFromName(options.seed, "search.split"),
  );

  return {
    train: _datasetSource(dataset, train, `search.train`, options.seed, data.augment),
    valid: _datasetSource(dataset, valid, `search.valid`, options.seed, undefined),
    inputChannels: dataset.channels,
    classes: dataset.numClasses,
  };
}

function _datasetSource(
  dataset: Dataset,
  indices: Int32Array,
  name: string,
  seed: number,
  augment: AugmentOptions | undefined,
): SearchBatchSource {
  return {
    size: indices.length,
    batches: (epoch, batchSize, shuffle) =>
      batches(dataset, dataset.train, indices, batchSize, {
        seed: seedFromName(seed, `${name}.${epoch}`),
        shuffle,
        augment: shuffle ? augment : undefined,
      }),
  };
}
