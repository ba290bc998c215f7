import assert from "node:assert/strict";
import { join } from "node:path";
import { setLogSink } from "../util/log.ts";
import { loadDataset } from "./load_dataset.ts";
import { DatasetIntegrityError, DatasetUnavailableError } from "./errors.ts";
import type { DatasetProgressEvent } from "./progress.ts";
import { decodeCifarRecords } from "./cifar_binary.ts";
import { sha256Hex } from "./_sha256.ts";
import {
  cifarArchive,
  eventRecorder,
  fakeCifarFiles,
  fakeIdxFiles,
  writeFiles,
} from "./testdata/fixtures.ts";

/** Options that keep a test away from packages, the network and the user's cache. */
async function isolated(digests: Record<string, string>) {
  const root = await Deno.makeTempDir({ prefix: "vinnas-data-test-" });
  return {
    root,
    cacheDir: join(root, "cache"),
    sourceDir: join(root, "source"),
    options: { allowPackages: false, allowNetwork: false, digests },
  };
}

Deno.test("loadDataset reads plain IDX files from a source directory", async () => {
  const fake = await fakeIdxFiles(20, 10, 1);
  const { root, cacheDir, sourceDir, options } = await isolated(fake.digests);
  await writeFiles(sourceDir, fake.files, false);

  const dataset = await loadDataset("mnist", { ...options, cacheDir, sourceDir });

  assert.equal(dataset.train.count, 20);
  assert.equal(dataset.test.count, 10);
  assert.equal(dataset.train.images.length, 20 * 28 * 28);
  assert.deepEqual(dataset.train.images, fake.files.get("train-images-idx3-ubyte")!.subarray(16));
  assert.deepEqual(Array.from(dataset.test.labels), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(dataset.digests, fake.digests);
  assert.equal(dataset.channels, 1);
  assert.equal(dataset.numClasses, 10);
  await Deno.stat(join(cacheDir, "mnist", "manifest.json"));
  await Deno.remove(root, { recursive: true });
});

Deno.test("loadDataset reads gzipped IDX files from a dataset subfolder", async () => {
  const fake = await fakeIdxFiles(20, 10, 2);
  const { root, cacheDir, sourceDir, options } = await isolated(fake.digests);
  await writeFiles(join(sourceDir, "fashion-mnist"), fake.files, true);
  const { events, onProgress } = eventRecorder<DatasetProgressEvent>();

  const dataset = await loadDataset("fashion-mnist", {
    ...options,
    cacheDir,
    sourceDir,
    onProgress,
  });

  assert.deepEqual(dataset.train.labels, fake.files.get("train-labels-idx1-ubyte")!.subarray(8));
  assert.equal(events.filter((event) => event.kind === "verify" && event.ok).length, 4);
  assert.equal(events.filter((event) => event.kind === "decode").length, 4);
  assert.ok(events.some((event) => event.kind === "cache" && event.status === "written"));
  await Deno.remove(root, { recursive: true });
});

Deno.test("loadDataset loads a warm cache without decoding", async () => {
  const fake = await fakeIdxFiles(20, 10, 3);
  const { root, cacheDir, sourceDir, options } = await isolated(fake.digests);
  await writeFiles(sourceDir, fake.files, false);
  const cold = await loadDataset("mnist", { ...options, cacheDir, sourceDir });
  await Deno.remove(sourceDir, { recursive: true });
  const { events, onProgress } = eventRecorder<DatasetProgressEvent>();

  const warm = await loadDataset("mnist", { ...options, cacheDir, onProgress });

  assert.deepEqual(events.map((event) => event.kind), ["cache"]);
  assert.equal(events[0].kind === "cache" ? events[0].status : undefined, "hit");
  assert.deepEqual(warm.train.images, cold.train.images);
  assert.deepEqual(warm.test.labels, cold.test.labels);
  assert.deepEqual(warm.mean, cold.mean);
  assert.deepEqual(warm.std, cold.std);
  assert.deepEqual(warm.digests, cold.digests);
  await Deno.remove(root, { recursive: true });
});

for (const damage of ["corrupted", "truncated"] as const) {
  Deno.test(`loadDataset rejects a ${damage} source file and caches nothing`, async () => {
    const fake = await fakeIdxFiles(20, 10, 4);
    const { root, cacheDir, sourceDir, options } = await isolated(fake.digests);
    const original = fake.files.get("train-images-idx3-ubyte")!;
    const damaged = damage === "corrupted"
      ? original.map((byte, i) => (i === 500 ? byte ^ 1 : byte))
      : original.subarray(0, original.length - 100);
    await writeFiles(
      sourceDir,
      new Map([...fake.files, ["train-images-idx3-ubyte", damaged]]),
      false,
    );
    const { events, onProgress } = eventRecorder<DatasetProgressEvent>();

    const error = await loadDataset("mnist", { ...options, cacheDir, sourceDir, onProgress })
      .then(() => undefined, (error: Error) => error);

    assert.ok(error instanceof DatasetUnavailableError, `got ${error}`);
    assert.match(error.message, /train-images-idx3-ubyte/);
    assert.match(
      error.message,
      new RegExp(`expected sha256 ${fake.digests["train-images-idx3-ubyte"]}`),
    );
    assert.match(error.message, new RegExp(`but got ${await sha256Hex(damaged)}`));
    assert.ok(
      events.some((event) => event.kind === "verify" && !event.ok),
      "a failed verify event",
    );
    assert.match(error.message, new RegExp(`${damaged.length} bytes`));
    assert.ok(!events.some((event) => event.kind === "decode"), "no decoding of unverified data");
    await assert.rejects(Deno.stat(join(cacheDir, "mnist", "manifest.json")), Deno.errors.NotFound);
    await Deno.remove(root, { recursive: true });
  });
}

Deno.test("DatasetIntegrityError names file, origin and both digests", () => {
  const error = new DatasetIntegrityError(
    "test_batch.bin",
    "/data/test_batch.bin",
    "aa",
    "bb",
    10,
    30,
  );

  assert.match(error.message, /Cannot use test_batch\.bin from \/data\/test_batch\.bin/);
  assert.match(error.message, /expected sha256 aa but got bb \(10 bytes, expected 30\)/);
  assert.match(error.message, /deno task data fetch/);
});

Deno.test("loadDataset rebuilds an entry without manifest", async () => {
  const fake = await fakeIdxFiles(20, 10, 5);
  const { root, cacheDir, sourceDir, options } = await isolated(fake.digests);
  await writeFiles(sourceDir, fake.files, false);
  await loadDataset("mnist", { ...options, cacheDir, sourceDir });
  await Deno.remove(join(cacheDir, "mnist", "manifest.json"));
  const { events, onProgress } = eventRecorder<DatasetProgressEvent>();

  const dataset = await loadDataset("mnist", { ...options, cacheDir, sourceDir, onProgress });

  const miss = events.find((event) => event.kind === "cache" && event.status === "miss");
  assert.ok(
    miss?.kind === "cache" && /manifest\.json is missing/.test(miss.detail),
    JSON.stringify(miss),
  );
  assert.ok(events.some((event) => event.kind === "cache" && event.status === "written"));
  assert.equal(dataset.train.count, 20);
  await Deno.stat(join(cacheDir, "mnist", "manifest.json"));
  await Deno.remove(root, { recursive: true });
});

Deno.test("loadDataset rebuilds an entry with a short array file", async () => {
  const fake = await fakeIdxFiles(20, 10, 6);
  const { root, cacheDir, sourceDir, options } = await isolated(fake.digests);
  await writeFiles(sourceDir, fake.files, false);
  const first = await loadDataset("mnist", { ...options, cacheDir, sourceDir });
  const arrayPath = join(cacheDir, "mnist", "train-images.u8");
  await Deno.truncate(arrayPath, 1000);
  const { events, onProgress } = eventRecorder<DatasetProgressEvent>();

  const rebuilt = await loadDataset("mnist", { ...options, cacheDir, sourceDir, onProgress });

  const miss = events.find((event) => event.kind === "cache" && event.status === "miss");
  assert.ok(
    miss?.kind === "cache" && /train-images\.u8 has 1000 bytes/.test(miss.detail),
    JSON.stringify(miss),
  );
  assert.deepEqual(rebuilt.train.images, first.train.images);
  assert.equal((await Deno.stat(arrayPath)).size, 20 * 28 * 28);
  await Deno.remove(root, { recursive: true });
});

Deno.test("loadDataset rebuilds an entry built from other source files", async () => {
  const old = await fakeIdxFiles(20, 10, 7);
  const fresh = await fakeIdxFiles(30, 10, 8);
  const { root, cacheDir, sourceDir, options } = await isolated(old.digests);
  await writeFiles(sourceDir, old.files, false);
  await loadDataset("mnist", { ...options, cacheDir, sourceDir });
  await writeFiles(sourceDir, fresh.files, false);

  const dataset = await loadDataset("mnist", {
    ...options,
    cacheDir,
    sourceDir,
    digests: fresh.digests,
  });

  assert.equal(dataset.train.count, 30);
  assert.deepEqual(dataset.digests, fresh.digests);
  await Deno.remove(root, { recursive: true });
});

Deno.test("loadDataset lists every source tried and the remedies", async () => {
  const { root, cacheDir } = await isolated({});

  const error = await loadDataset("fashion-mnist", { cacheDir, allowPackages: false })
    .then(() => undefined, (error: Error) => error);

  assert.ok(error instanceof DatasetUnavailableError, `got ${error}`);
  assert.deepEqual(error.attempts.map((attempt) => attempt.source), [
    "cache",
    "source directory",
    "package",
    "package",
    "network",
  ]);
  assert.match(error.message, /Cannot load dataset fashion-mnist/);
  assert.match(error.message, /manifest\.json is missing/);
  assert.match(
    error.message,
    /source directory \(no directory given\): skipped \(set the option sourceDir/,
  );
  assert.match(error.message, /disabled \(option allowPackages\)/);
  assert.match(
    error.message,
    /network .*disabled \(option allowNetwork, CLI flag --allow-download\)/,
  );
  assert.match(error.message, /sudo apt-get update && sudo apt-get install dataset-fashion-mnist/);
  assert.match(error.message, /--source-dir DIR/);
  assert.match(error.message, /--allow-download/);
  await Deno.remove(root, { recursive: true });
});

Deno.test("loadDataset reports missing files of a source directory", async () => {
  const fake = await fakeIdxFiles(20, 10, 9);
  const { root, cacheDir, sourceDir, options } = await isolated(fake.digests);
  fake.files.delete("t10k-labels-idx1-ubyte");
  await writeFiles(sourceDir, fake.files, false);

  const error = await loadDataset("mnist", { ...options, cacheDir, sourceDir })
    .then(() => undefined, (error: Error) => error);

  assert.ok(error instanceof DatasetUnavailableError);
  assert.match(error.message, /found no t10k-labels-idx1-ubyte \(plain or \.gz\)/);
  await Deno.remove(root, { recursive: true });
});

Deno.test("loadDataset reads CIFAR-10 batches from cifar-10-batches-bin", async () => {
  const fake = await fakeCifarFiles(12, 10);
  const { root, cacheDir, sourceDir, options } = await isolated(fake.digests);
  await writeFiles(join(sourceDir, "cifar-10-batches-bin"), fake.files, false);

  const dataset = await loadDataset("cifar10", { ...options, cacheDir, sourceDir });

  const batch3 = decodeCifarRecords(fake.files.get("data_batch_3.bin")!, "data_batch_3.bin");
  assert.equal(dataset.train.count, 60);
  assert.equal(dataset.test.count, 12);
  assert.deepEqual(dataset.train.images.subarray(24 * 3072, 36 * 3072), batch3.images);
  assert.deepEqual(dataset.train.labels.subarray(24, 36), batch3.labels);
  assert.equal(dataset.mean.length, 3);
  assert.equal(dataset.classNames[0], "airplane");
  await Deno.remove(root, { recursive: true });
});

Deno.test("loadDataset reads CIFAR-10 from cifar-10-binary.tar.gz", async () => {
  const fake = await fakeCifarFiles(5, 11);
  const { root, cacheDir, sourceDir, options } = await isolated(fake.digests);
  await Deno.mkdir(sourceDir, { recursive: true });
  await Deno.writeFile(join(sourceDir, "cifar-10-binary.tar.gz"), await cifarArchive(fake.files));

  const dataset = await loadDataset("cifar10", { ...options, cacheDir, sourceDir });

  const test = decodeCifarRecords(fake.files.get("test_batch.bin")!, "test_batch.bin");
  assert.deepEqual(dataset.test.images, test.images);
  assert.deepEqual(dataset.digests, fake.digests);
  await Deno.remove(root, { recursive: true });
});

Deno.test("loadDataset rejects an unknown dataset name", async () => {
  await assert.rejects(
    loadDataset("svhn" as "mnist", { cacheDir: "/nonexistent" }),
    /Cannot load dataset "svhn": expected one of mnist, fashion-mnist, cifar10/,
  );
});

Deno.test("loadDataset warns when the given source directory fails", async () => {
  const fake = await fakeIdxFiles(20, 10, 5);
  const { root, cacheDir, sourceDir, options } = await isolated(fake.digests);
  const lines: string[] = [];
  const previous = setLogSink((level, tag, message) => lines.push(`${level} [${tag}] ${message}`));

  try {
    await assert.rejects(
      loadDataset("mnist", { ...options, cacheDir, sourceDir }),
      DatasetUnavailableError,
    );
  } finally {
    setLogSink(previous);
  }

  const warning = lines.find((line) => line.startsWith("warn"));
  assert.ok(warning !== undefined, `no warning among ${JSON.stringify(lines)}`);
  assert.match(warning, /source directory .*source failed: .*not an existing directory/);
  await Deno.remove(root, { recursive: true });
});

Deno.test("loadDataset says when the cache makes the source directory unused", async () => {
  const fake = await fakeIdxFiles(20, 10, 6);
  const { root, cacheDir, sourceDir, options } = await isolated(fake.digests);
  await writeFiles(sourceDir, fake.files, false);
  await loadDataset("mnist", { ...options, cacheDir, sourceDir });
  const lines: string[] = [];
  const previous = setLogSink((level, tag, message) => lines.push(`${level} [${tag}] ${message}`));

  try {
    await loadDataset("mnist", { ...options, cacheDir, sourceDir: "/elsewhere" });
  } finally {
    setLogSink(previous);
  }

  const note = lines.find((line) => line.includes("/elsewhere"));
  assert.ok(note !== undefined, `no line names the source directory: ${JSON.stringify(lines)}`);
  assert.match(note, /^info .*used the verified cache .* and did not read \/elsewhere/);
  await Deno.remove(root, { recursive: true });
});
