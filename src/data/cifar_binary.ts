/**
 * Decoder of the CIFAR-10 binary batches (`data_batch_1.bin` ..
 * `test_batch.bin`): each record is 3,073 bytes, one label byte followed by
 * the 1,024 red, then 1,024 green, then 1,024 blue pixels of a 32x32 image in
 * row-major order.
 *
 * @module
 */

import { DatasetFormatError } from "./errors.ts";

/** Side of a CIFAR-10 image in pixels. */
export const CIFAR_SIDE = 32;

/** Pixels per channel plane: 32 x 32. */
export const CIFAR_PLANE = CIFAR_SIDE * CIFAR_SIDE;

/** Bytes per record: one label and three channel planes. */
export const CIFAR_RECORD_BYTES = 1 + 3 * CIFAR_PLANE;

/** CIFAR-10 has ten classes, so a label byte must be below 10. */
const _NUM_CLASSES = 10;

/** Images and labels decoded from CIFAR-10 binary records. */
export interface CifarBatch {
  /** Pixels `[count, 32, 32, 3]` (NHWC). */
  images: Uint8Array;
  /** Labels `[count]`. */
  labels: Uint8Array;
  count: number;
}

/**
 * Converts binary records from planar RGB to NHWC. `fileName` only labels
 * errors. Throws `DatasetFormatError` when the length is not a whole number of
 * records or a label is out of range.
 */
export function decodeCifarRecords(records: Uint8Array, fileName: string): CifarBatch {
  if (records.length % CIFAR_RECORD_BYTES !== 0) {
    throw new DatasetFormatError(
      `Cannot decode ${fileName} as CIFAR-10 records: ${records.length} bytes is not a multiple ` +
        `of the ${CIFAR_RECORD_BYTES}-byte record. The file is truncated or corrupted.`,
    );
  }

  const count = records.length / CIFAR_RECORD_BYTES;
  const images = new Uint8Array(count * 3 * CIFAR_PLANE);
  const labels = new Uint8Array(count);

  for (let i = 0; i < count; i++) {
    const record = i * CIFAR_RECORD_BYTES;
    const label = records[record];
    if (label >= _NUM_CLASSES) {
      throw new DatasetFormatError(
        `Cannot decode ${fileName} as CIFAR-10 records: record ${i} has label ${label}, ` +
          `expected 0..${_NUM_CLASSES - 1}. The file is corrupted or not a CIFAR-10 batch.`,
      );
    }
    labels[i] = label;

    const image = i * 3 * CIFAR_PLANE;
    for (let p = 0; p < CIFAR_PLANE; p++) {
      images[image + 3 * p] = records[record + 1 + p];
      images[image + 3 * p + 1] = records[record + 1 + CIFAR_PLANE + p];
      images[image + 3 * p + 2] = records[record + 1 + 2 * CIFAR_PLANE + p];
    }
  }

  return { images, labels, count };
}

/**
 * Builds binary records from NHWC pixels and labels, the inverse of
 * `decodeCifarRecords`; the package source rebuilds the original batch files
 * this way so that their published digests can be checked.
 */
export function encodeCifarRecords(images: Uint8Array, labels: ArrayLike<number>): Uint8Array {
  const count = labels.length;
  if (images.length !== count * 3 * CIFAR_PLANE) {
    throw new RangeError(
      `Cannot encode CIFAR-10 records: ${count} labels need ${count * 3 * CIFAR_PLANE} pixel ` +
        `bytes but got ${images.length}.`,
    );
  }

  const records = new Uint8Array(count * CIFAR_RECORD_BYTES);
  for (let i = 0; i < count; i++) {
    const record = i * CIFAR_RECORD_BYTES;
    const image = i * 3 * CIFAR_PLANE;
    records[record] = labels[i];

    for (let p = 0; p < CIFAR_PLANE; p++) {
      records[record + 1 + p] = images[image + 3 * p];
      records[record + 1 + CIFAR_PLANE + p] = images[image + 3 * p + 1];
      records[record + 1 + 2 * CIFAR_PLANE + p] = images[image + 3 * p + 2];
    }
  }

  return records;
}
