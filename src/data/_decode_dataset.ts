/** Decoding verified source files into the in-memory dataset. */

import type { DatasetSpec } from "./catalog.ts";
import type { Dataset, Split } from "./dataset.ts";
import type { ProgressCallback } from "./progress.ts";
import type { SourceFiles } from "./_source_candidate.ts";
import { channelStatistics } from "./channel_statistics.ts";
import { decodeCifarRecords } from "./cifar_binary.ts";
import { DatasetFormatError } from "./errors.ts";
import { decodeIdx } from "./idx.ts";

/**
 * Decodes the dataset from its verified source files, computes the train
 * statistics and records the digests. Throws `DatasetFormatError` when shapes
 * or labels do not fit the dataset.
 */
export function decodeDataset(
  spec: DatasetSpec,
  files: SourceFiles,
  digests: Record<string, string>,
  onProgress: ProgressCallback,
): Dataset {
  let done = 0;
  const decoded = (file: string) =>
    onProgress({
      kind: "decode",
      dataset: spec.name,
      file,
      done: ++done,
      total: spec.files.length,
    });

  const decodeSplit = spec.format === "idx" ? _decodeIdxSplit : _decodeCifarSplit;
  const train = decodeSplit(spec, files, "train", decoded);
  const test = decodeSplit(spec, files, "test", decoded);
  const { mean, std } = channelStatistics(train.images, spec.channels);

  return {
    name: spec.name,
    height: spec.height,
    width: spec.width,
    channels: spec.channels,
    numClasses: spec.classNames.length,
    classNames: spec.classNames,
    train,
    test,
    mean,
    std,
    digests: Object.fromEntries(spec.files.map((file) => [file.name, digests[file.name]])),
  };
}

function _decodeIdxSplit(
  spec: DatasetSpec,
  files: SourceFiles,
  split: "train" | "test",
  decoded: (file: string) => void,
): Split {
  const imageFile = _file(spec, split, "images");
  const labelFile = _file(spec, split, "labels");
  const images = decodeIdx(files.get(imageFile)!.bytes, imageFile, 3);
  decoded(imageFile);
  const labels = decodeIdx(files.get(labelFile)!.bytes, labelFile, 1);
  decoded(labelFile);

  const [count, height, width] = images.dims;
  if (height !== spec.height || width !== spec.width) {
    throw new DatasetFormatError(
      `Cannot use ${imageFile} for ${spec.name}: expected ${spec.height}x${spec.width} images ` +
        `but got ${height}x${width}.`,
    );
  }
  if (labels.dims[0] !== count) {
    throw new DatasetFormatError(
      `Cannot use ${labelFile} for ${spec.name}: it has ${labels.dims[0]} labels but ` +
        `${imageFile} has ${count} images.`,
    );
  }
  _checkLabels(spec, labels.data, labelFile);

  return { images: images.data, labels: labels.data, count };
}

function _decodeCifarSplit(
  spec: DatasetSpec,
  files: SourceFiles,
  split: "train" | "test",
  decoded: (file: string) => void,
): Split {
  const batches = spec.files.filter((file) => file.split === split).map((file) => {
    const batch = decodeCifarRecords(files.get(file.name)!.bytes, file.name);
    decoded(file.name);
    return batch;
  });

  const count = batches.reduce((sum, batch) => sum + batch.count, 0);
  const pixels = spec.height * spec.width * spec.channels;
  const images = new Uint8Array(count * pixels);
  const labels = new Uint8Array(count);
  let offset = 0;
  for (const batch of batches) {
    images.set(batch.images, offset * pixels);
    labels.set(batch.labels, offset);
    offset += batch.count;
  }

  return { images, labels, count };
}

function _file(spec: DatasetSpec, split: "train" | "test", content: "images" | "labels"): string {
  const file = spec.files.find((file) => file.split === split && file.content === content);
  if (file === undefined) throw new Error(`${spec.name} lists no ${split} ${content} file`);
  return file.name;
}

function _checkLabels(spec: DatasetSpec, labels: Uint8Array, file: string): void {
  const numClasses = spec.classNames.length;
  const index = labels.findIndex((label) => label >= numClasses);
  if (index !== -1) {
    throw new DatasetFormatError(
      `Cannot use ${file} for ${spec.name}: label ${index} is ${labels[index]}, expected 0..${
        numClasses - 1
      }.`,
    );
  }
}
