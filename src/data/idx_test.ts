import assert from "node:assert/strict";
import { decodeIdx } from "./idx.ts";
import { DatasetFormatError } from "./errors.ts";
import { encodeIdx } from "./testdata/fixtures.ts";

Deno.test("decodeIdx reads labels", () => {
  const file = encodeIdx([4], Uint8Array.of(5, 0, 4, 1));

  const decoded = decodeIdx(file, "labels", 1);

  assert.deepEqual(decoded.dims, [4]);
  assert.deepEqual(Array.from(decoded.data), [5, 0, 4, 1]);
});

Deno.test("decodeIdx reads images row-major", () => {
  const pixels = Uint8Array.from({ length: 2 * 3 * 2 }, (_, i) => i);
  const file = encodeIdx([2, 3, 2], pixels);

  const decoded = decodeIdx(file, "images", 3);

  assert.deepEqual(decoded.dims, [2, 3, 2]);
  assert.deepEqual(Array.from(decoded.data), Array.from(pixels));
  assert.notEqual(decoded.data.buffer, file.buffer, "the data must be a copy");
});

Deno.test("decodeIdx rejects the wrong magic number", () => {
  const labels = encodeIdx([2], Uint8Array.of(1, 2));

  assert.throws(
    () => decodeIdx(labels, "train-images-idx3-ubyte", 3),
    (error: Error) => {
      assert.ok(error instanceof DatasetFormatError);
      assert.match(error.message, /train-images-idx3-ubyte/);
      assert.match(error.message, /expected magic number 0x00000803/);
      assert.match(error.message, /got 0x00000801/);
      return true;
    },
  );
});

Deno.test("decodeIdx rejects a truncated file", () => {
  const file = encodeIdx([3, 2, 2], new Uint8Array(12)).subarray(0, 20);

  assert.throws(
    () => decodeIdx(file, "t10k-images-idx3-ubyte", 3),
    /t10k-images-idx3-ubyte.*\[3, 2, 2\] need 28 bytes but the file has 20/,
  );
});

Deno.test("decodeIdx rejects trailing bytes", () => {
  const file = new Uint8Array([...encodeIdx([2], Uint8Array.of(1, 2)), 0]);

  assert.throws(() => decodeIdx(file, "labels", 1), /need 10 bytes but the file has 11/);
});

Deno.test("decodeIdx rejects a short header", () => {
  assert.throws(() => decodeIdx(Uint8Array.of(0, 0), "x", 1), /fewer than the 4-byte magic/);
  assert.throws(() => decodeIdx(Uint8Array.of(0, 0, 8, 3, 0, 0), "x", 3), /header needs 16 bytes/);
});
