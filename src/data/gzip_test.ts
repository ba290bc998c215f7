import assert from "node:assert/strict";
import { gunzip, isGzip } from "./gzip.ts";
import { DatasetFormatError } from "./errors.ts";
import { gzip } from "./testdata/fixtures.ts";

Deno.test("gunzip restores compressed bytes", async () => {
  const original = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7) % 251);

  const restored = await gunzip(await gzip(original), "x.gz");

  assert.deepEqual(restored, original);
});

Deno.test("gunzip rejects data without the gzip magic number", async () => {
  await assert.rejects(
    gunzip(Uint8Array.of(1, 2, 3), "labels.gz"),
    (error: Error) => {
      assert.ok(error instanceof DatasetFormatError);
      assert.match(error.message, /Cannot decompress labels\.gz/);
      assert.match(error.message, /gzip magic number/);
      return true;
    },
  );
});

Deno.test("gunzip rejects a truncated file", async () => {
  const original = Uint8Array.from({ length: 20_000 }, (_, i) => (i * 31) % 256);
  const compressed = await gzip(original);

  await assert.rejects(
    gunzip(compressed.subarray(0, compressed.length - 100), "train-images-idx3-ubyte.gz"),
    (error: Error) => {
      assert.ok(error instanceof DatasetFormatError);
      assert.match(error.message, /train-images-idx3-ubyte\.gz/);
      assert.match(error.message, /truncated or corrupted/);
      return true;
    },
  );
});

Deno.test("isGzip checks the magic number", () => {
  assert.equal(isGzip(Uint8Array.of(0x1f, 0x8b, 8)), true);
  assert.equal(isGzip(Uint8Array.of(0x1f)), false);
  assert.equal(isGzip(Uint8Array.of(0, 0, 8, 1)), false);
});
