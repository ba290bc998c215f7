import assert from "node:assert/strict";
import { join } from "node:path";
import { loadDataset } from "./load_dataset.ts";
import { DatasetUnavailableError } from "./errors.ts";
import type { DatasetProgressEvent } from "./progress.ts";
import {
  cifarArchive,
  eventRecorder,
  fakeCifarFiles,
  fakeIdxFiles,
  gzip,
} from "./testdata/fixtures.ts";

/** Serves `files` by path on 127.0.0.1 and counts the requests. */
function serve(files: Map<string, Uint8Array>) {
  const requests: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    const path = new URL(request.url).pathname;
    requests.push(path);
    const body = files.get(path);
    return body === undefined
      ? new Response("not found", { status: 404 })
      : new Response(body as Uint8Array<ArrayBuffer>);
  });
  return { server, requests, baseUrl: `http://127.0.0.1:${server.addr.port}/mirror/` };
}

async function gzippedIdx(files: Map<string, Uint8Array>): Promise<Map<string, Uint8Array>> {
  const served = new Map<string, Uint8Array>();
  for (const [name, bytes] of files) served.set(`/mirror/${name}.gz`, await gzip(bytes));
  return served;
}

Deno.test("network source downloads and verifies IDX files", async () => {
  const fake = await fakeIdxFiles(20, 10, 21);
  const { server, requests, baseUrl } = serve(await gzippedIdx(fake.files));
  const cacheDir = await Deno.makeTempDir({ prefix: "vinnas-data-test-" });
  const { events, onProgress } = eventRecorder<DatasetProgressEvent>();

  const dataset = await loadDataset("mnist", {
    cacheDir,
    allowPackages: false,
    allowNetwork: true,
    baseUrl,
    digests: fake.digests,
    onProgress,
  });

  assert.equal(dataset.train.count, 20);
  assert.deepEqual(dataset.digests, fake.digests);
  assert.deepEqual(requests.sort(), [
    "/mirror/t10k-images-idx3-ubyte.gz",
    "/mirror/t10k-labels-idx1-ubyte.gz",
    "/mirror/train-images-idx3-ubyte.gz",
    "/mirror/train-labels-idx1-ubyte.gz",
  ]);
  const downloads = events.filter((event) => event.kind === "download");
  const last = downloads.findLast((event) => event.url.endsWith("train-images-idx3-ubyte.gz"));
  assert.ok(last?.kind === "download", "a download event for train-images-idx3-ubyte.gz");
  assert.notEqual(last.totalBytes, undefined);
  assert.equal(last.bytes, last.totalBytes);
  await server.shutdown();
  await Deno.remove(cacheDir, { recursive: true });
});

Deno.test("network source reads the CIFAR-10 archive", async () => {
  const fake = await fakeCifarFiles(4, 22);
  const served = new Map([["/mirror/cifar-10-binary.tar.gz", await cifarArchive(fake.files)]]);
  const { server, baseUrl } = serve(served);
  const cacheDir = await Deno.makeTempDir({ prefix: "vinnas-data-test-" });

  const dataset = await loadDataset("cifar10", {
    cacheDir,
    allowPackages: false,
    allowNetwork: true,
    baseUrl,
    digests: fake.digests,
  });

  assert.equal(dataset.train.count, 20);
  assert.equal(dataset.test.count, 4);
  await server.shutdown();
  await Deno.remove(cacheDir, { recursive: true });
});

Deno.test("network source rejects a corrupted download", async () => {
  const fake = await fakeIdxFiles(20, 10, 23);
  const served = await gzippedIdx(fake.files);
  const labels = fake.files.get("t10k-labels-idx1-ubyte")!.slice();
  labels[9] ^= 1;
  served.set("/mirror/t10k-labels-idx1-ubyte.gz", await gzip(labels));
  const { server, baseUrl } = serve(served);
  const cacheDir = await Deno.makeTempDir({ prefix: "vinnas-data-test-" });

  const error = await loadDataset("mnist", {
    cacheDir,
    allowPackages: false,
    allowNetwork: true,
    baseUrl,
    digests: fake.digests,
  }).then(() => undefined, (error: Error) => error);

  assert.ok(error instanceof DatasetUnavailableError, `got ${error}`);
  assert.match(
    error.message,
    new RegExp(`t10k-labels-idx1-ubyte from ${baseUrl}t10k-labels-idx1-ubyte\\.gz`),
  );
  assert.match(
    error.message,
    new RegExp(`expected sha256 ${fake.digests["t10k-labels-idx1-ubyte"]}`),
  );
  await assert.rejects(Deno.stat(join(cacheDir, "mnist", "manifest.json")), Deno.errors.NotFound);
  await server.shutdown();
  await Deno.remove(cacheDir, { recursive: true });
});

Deno.test("network source reports an HTTP error", async () => {
  const fake = await fakeIdxFiles(20, 10, 24);
  const { server, baseUrl } = serve(new Map());
  const cacheDir = await Deno.makeTempDir({ prefix: "vinnas-data-test-" });

  const error = await loadDataset("fashion-mnist", {
    cacheDir,
    allowPackages: false,
    allowNetwork: true,
    baseUrl,
    digests: fake.digests,
  }).then(() => undefined, (error: Error) => error);

  assert.ok(error instanceof DatasetUnavailableError, `got ${error}`);
  assert.match(
    error.message,
    /GET http:\/\/127\.0\.0\.1:\d+\/mirror\/train-images-idx3-ubyte\.gz failed with HTTP 404/,
  );
  await server.shutdown();
  await Deno.remove(cacheDir, { recursive: true });
});

Deno.test("network source stays unused unless allowed", async () => {
  const fake = await fakeIdxFiles(20, 10, 25);
  const { server, requests, baseUrl } = serve(await gzippedIdx(fake.files));
  const cacheDir = await Deno.makeTempDir({ prefix: "vinnas-data-test-" });

  await assert.rejects(
    loadDataset("mnist", { cacheDir, allowPackages: false, baseUrl, digests: fake.digests }),
    DatasetUnavailableError,
  );

  assert.equal(requests.length, 0);
  await server.shutdown();
  await Deno.remove(cacheDir, { recursive: true });
});
