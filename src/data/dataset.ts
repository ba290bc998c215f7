/**
 * The in-memory form of a dataset: uint8 pixels in NHWC order and uint8
 * labels, with the per-channel statistics used for normalisation and the
 * digests of the source files it was decoded from.
 *
 * @module
 */

/** The datasets this harness can load. */
export const DATASET_NAMES = ["mnist", "fashion-mnist", "cifar10"] as const;

/** Name of a dataset. */
export type DatasetName = typeof DATASET_NAMES[number];

/** One split of a dataset. */
export interface Split {
  /** Pixels, row-major `[count, height, width, channels]`, values 0..255. */
  images: Uint8Array;
  /** Class index per image, `[count]`. */
  labels: Uint8Array;
  /** Number of images. */
  count: number;
}

/** A fully loaded, verified dataset. */
export interface Dataset {
  name: DatasetName;
  height: number;
  width: number;
  channels: number;
  numClasses: number;
  /** Class names in label order. */
  classNames: readonly string[];
  train: Split;
  test: Split;
  /** Per-channel mean of the train split, pixel values scaled to [0, 1]. */
  mean: readonly number[];
  /** Per-channel population standard deviation of the train split, pixel values scaled to [0, 1]. */
  std: readonly number[];
  /** SHA-256 (hex) of each decoded source file by file name, for result provenance. */
  digests: Record<string, string>;
}

/** Checks that a string names a dataset, for the CLI and configuration files. */
export function isDatasetName(value: string): value is DatasetName {
  return (DATASET_NAMES as readonly string[]).includes(value);
}
