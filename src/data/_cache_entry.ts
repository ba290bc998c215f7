/**
 * Reading and writing one cache entry: four raw uint8 arrays and a manifest.
 * Reading does no decoding and no hashing, so a warm load costs four file
 * reads; `verifyDataset` re-hashes the arrays on request.
 */

import { join } from "node:path";
import type { DatasetSpec } from "./catalog.ts";
import {
  CACHE_VERSION,
  CACHED_ARRAYS,
  type CacheManifest,
  CacheManifestSchema,
  MANIFEST_FILE,
} from "./cache_manifest.ts";
import type { Dataset, Split } from "./dataset.ts";
import { sha256Hex } from "./_sha256.ts";

/** Suffix of files being written; they are renamed into place when complete. */
const _PARTIAL_SUFFIX = ".partial";

/** A partial file older than this is left over from a crashed writer (milliseconds). */
const _STALE_PARTIAL_MS = 60 * 60 * 1000;

/** The outcome of reading a cache entry: the dataset, or why the entry cannot be used. */
export type CacheReadResult = { dataset: Dataset; reason?: undefined } | {
  dataset?: undefined;
  reason: string;
};

/**
 * Reads a cache entry and checks it against the dataset's shape and the
 * expected source digests. Returns a reason instead of throwing when the
 * entry is missing, incomplete or stale, so the caller can rebuild it.
 */
export async function readCacheEntry(
  directory: string,
  spec: DatasetSpec,
  expectedDigests: Record<string, string>,
): Promise<CacheReadResult> {
  const parsed = await readManifest(directory);
  if (parsed.reason !== undefined) return { reason: parsed.reason };

  const manifest = parsed.manifest;
  const problem = manifestProblem(manifest, spec, expectedDigests);
  if (problem !== undefined) return { reason: problem };

  const arrays: Partial<Record<string, Uint8Array>> = {};
  for (const { key } of CACHED_ARRAYS) {
    const entry = manifest.arrays[key];
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(join(directory, entry.file));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return { reason: `${entry.file} is missing` };
      throw error;
    }

    if (bytes.length !== entry.bytes) {
      return {
        reason: `${entry.file} has ${bytes.length} bytes but the manifest records ${entry.bytes}`,
      };
    }
    arrays[key] = bytes;
  }

  const train: Split = {
    images: arrays.trainImages!,
    labels: arrays.trainLabels!,
    count: manifest.trainCount,
  };
  const test: Split = {
    images: arrays.testImages!,
    labels: arrays.testLabels!,
    count: manifest.testCount,
  };

  return {
    dataset: {
      name: spec.name,
      height: manifest.height,
      width: manifest.width,
      channels: manifest.channels,
      numClasses: spec.classNames.length,
      classNames: spec.classNames,
      train,
      test,
      mean: manifest.mean,
      std: manifest.std,
      digests: { ...manifest.sourceDigests },
    },
  };
}

/** Reads and validates `manifest.json`, or returns why it cannot be used. */
export async function readManifest(
  directory: string,
): Promise<{ manifest: CacheManifest; reason?: undefined } | { reason: string }> {
  let text: string;
  try {
    text = await Deno.readTextFile(join(directory, MANIFEST_FILE));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      return {
        reason: `${MANIFEST_FILE} is missing, so the entry was never built or not finished`,
      };
    }
    throw error;
  }

  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { reason: `${MANIFEST_FILE} is not valid JSON (${(error as Error).message})` };
  }

  const result = CacheManifestSchema.safeParse(json);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    return {
      reason: `${MANIFEST_FILE} does not match cache version ${CACHE_VERSION} (${
        issues.join("; ")
      })`,
    };
  }

  return { manifest: result.data };
}

/** Returns why a manifest does not describe the expected dataset, or undefined if it does. */
export function manifestProblem(
  manifest: CacheManifest,
  spec: DatasetSpec,
  expectedDigests: Record<string, string>,
): string | undefined {
  if (manifest.dataset !== spec.name) {
    return `${MANIFEST_FILE} describes ${manifest.dataset}, not ${spec.name}`;
  }

  const shape = [manifest.height, manifest.width, manifest.channels];
  const expectedShape = [spec.height, spec.width, spec.channels];
  if (shape.join("x") !== expectedShape.join("x")) {
    return `${MANIFEST_FILE} records images of ${shape.join("x")}, expected ${
      expectedShape.join("x")
    }`;
  }

  for (const file of spec.files) {
    const recorded = manifest.sourceDigests[file.name];
    if (recorded !== expectedDigests[file.name]) {
      return `${MANIFEST_FILE} records sha256 ${recorded ?? "(none)"} for ${file.name}, ` +
        `expected ${expectedDigests[file.name]}`;
    }
  }

  const pixels = spec.height * spec.width * spec.channels;
  const expectedBytes: Record<string, number> = {
    trainImages: manifest.trainCount * pixels,
    trainLabels: manifest.trainCount,
    testImages: manifest.testCount * pixels,
    testLabels: manifest.testCount,
  };
  for (const { key } of CACHED_ARRAYS) {
    if (manifest.arrays[key].bytes !== expectedBytes[key]) {
      return `${MANIFEST_FILE} records ${manifest.arrays[key].bytes} bytes for ${key}, ` +
        `expected ${expectedBytes[key]} from the image counts`;
    }
  }

  if (manifest.mean.length !== spec.channels || manifest.std.length !== spec.channels) {
    return `${MANIFEST_FILE} records statistics for ${manifest.mean.length} channels, expected ${spec.channels}`;
  }

  return undefined;
}

/**
 * Writes a dataset as a cache entry. The old manifest is removed first and
 * the new one is renamed into place last, so a reader never sees a manifest
 * next to arrays it does not describe. Each file is written under a
 * temporary name and renamed, so concurrent writers cannot tear a file.
 */
export async function writeCacheEntry(
  directory: string,
  dataset: Dataset,
  source: string,
): Promise<CacheManifest> {
  await Deno.mkdir(directory, { recursive: true });
  await _removeIfPresent(join(directory, MANIFEST_FILE));
  await _removeStalePartials(directory);

  const contents: Record<string, Uint8Array> = {
    trainImages: dataset.train.images,
    trainLabels: dataset.train.labels,
    testImages: dataset.test.images,
    testLabels: dataset.test.labels,
  };

  const arrays: Partial<CacheManifest["arrays"]> = {};
  for (const { key, file } of CACHED_ARRAYS) {
    const bytes = contents[key];
    arrays[key] = { file, bytes: bytes.length, sha256: await sha256Hex(bytes) };
    await _writeFileAtomic(join(directory, file), bytes);
  }

  const manifest: CacheManifest = {
    version: CACHE_VERSION,
    dataset: dataset.name,
    source,
    createdAt: new Date().toISOString(),
    height: dataset.height,
    width: dataset.width,
    channels: dataset.channels,
    trainCount: dataset.train.count,
    testCount: dataset.test.count,
    arrays: arrays as CacheManifest["arrays"],
    sourceDigests: { ...dataset.digests },
    mean: [...dataset.mean],
    std: [...dataset.std],
  };
  const text = JSON.stringify(manifest, null, 2) + "\n";
  await _writeFileAtomic(join(directory, MANIFEST_FILE), new TextEncoder().encode(text));

  return manifest;
}

async function _writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const temporary = `${path}.${crypto.randomUUID()}${_PARTIAL_SUFFIX}`;
  try {
    await Deno.writeFile(temporary, bytes);
    await Deno.rename(temporary, path);
  } catch (error) {
    await _removeIfPresent(temporary);
    throw error;
  }
}

async function _removeIfPresent(path: string): Promise<void> {
  try {
    await Deno.remove(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

/** Removes partial files left by a writer that crashed; recent ones may belong to a live writer. */
async function _removeStalePartials(directory: string): Promise<void> {
  const now = Date.now();
  for await (const entry of Deno.readDir(directory)) {
    if (!entry.isFile || !entry.name.endsWith(_PARTIAL_SUFFIX)) continue;

    const path = join(directory, entry.name);
    const info = await Deno.stat(path).catch(() => undefined);
    const modified = info?.mtime?.getTime();
    if (modified !== undefined && now - modified > _STALE_PARTIAL_MS) await _removeIfPresent(path);
  }
}
