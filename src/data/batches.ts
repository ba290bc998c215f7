/**
 * Mini-batches as tensors, built on CPU from uint8 images with seeded
 * augmentation.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { Rng } from "../util/random.ts";
import type { Dataset, Split } from "./dataset.ts";
import {
  type AugmentOptions,
  imageLayout,
  NO_AUGMENTATION,
  validateAugmentOptions,
  writeAugmentedImage,
} from "./augment.ts";
import { shuffleInPlace } from "./shuffled.ts";

/** Options of `batches`. */
export interface BatchOptions {
  /** Seed of the augmentation draws, and of the order when `shuffle` is true. */
  seed: number;
  /** Augmentation; none when omitted. */
  augment?: AugmentOptions;
  /** Whether to drop a final batch smaller than `batchSize`. @default false */
  dropLast?: boolean;
  /** Whether to visit `indices` in a seeded random order instead of as given. @default false */
  shuffle?: boolean;
}

/** One mini-batch; the caller disposes both tensors. */
export interface Batch {
  /** Normalised images `[batch, height, width, channels]`, float32. */
  x: tf.Tensor4D;
  /** Class labels `[batch]`, int32. */
  y: tf.Tensor1D;
}

/**
 * Yields mini-batches of the images of `split` at `indices`, normalised with
 * the dataset's mean and std and augmented as requested. The same seed gives
 * the same batches. Tensors are created only when a batch is yielded, so
 * stopping early leaks nothing.
 */
export function* batches(
  dataset: Dataset,
  split: Split,
  indices: Int32Array,
  batchSize: number,
  options: BatchOptions,
): Generator<Batch> {
  const { height, width, channels } = dataset;
  const pixels = height * width * channels;
  const augment = options.augment ?? NO_AUGMENTATION;
  _validate(split, indices, batchSize, pixels);
  validateAugmentOptions(augment);

  const layout = imageLayout(height, width, dataset.mean, dataset.std);
  const rng = new Rng(options.seed);
  const order = Int32Array.from(indices);
  if (options.shuffle === true) shuffleInPlace(order, rng);

  for (let start = 0; start < order.length; start += batchSize) {
    const size = Math.min(batchSize, order.length - start);
    if (size < batchSize && options.dropLast === true) break;

    const x = new Float32Array(size * pixels);
    const y = new Int32Array(size);
    for (let i = 0; i < size; i++) {
      const index = order[start + i];
      writeAugmentedImage(split.images, index * pixels, x, i * pixels, layout, augment, rng);
      y[i] = split.labels[index];
    }

    yield { x: tf.tensor4d(x, [size, height, width, channels]), y: tf.tensor1d(y, "int32") };
  }
}

function _validate(split: Split, indices: Int32Array, batchSize: number, pixels: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`Cannot make batches of size ${batchSize}: expected a positive integer.`);
  }
  if (split.images.length !== split.count * pixels || split.labels.length !== split.count) {
    throw new RangeError(
      `Cannot batch a split of ${split.count} images with ${split.images.length} pixel bytes and ` +
        `${split.labels.length} labels: expected ${split.count * pixels} and ${split.count}.`,
    );
  }

  const bad = indices.findIndex((index) => index < 0 || index >= split.count);
  if (bad !== -1) {
    throw new RangeError(
      `Cannot batch index ${indices[bad]} at position ${bad}: expected 0..${split.count - 1}.`,
    );
  }
}
