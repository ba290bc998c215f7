import assert from "node:assert/strict";
import { encode } from "fast-png";
import { cifarRecordsFromPngStrip } from "./cifar_png.ts";
import { CIFAR_RECORD_BYTES } from "./cifar_binary.ts";
import { DatasetFormatError } from "./errors.ts";

function strip(rows: number): { png: Uint8Array; pixels: Uint8Array } {
  const pixels = Uint8Array.from({ length: rows * 1024 * 3 }, (_, i) => (i * 7 + 3) % 256);
  return {
    png: encode({ width: 1024, height: rows, data: pixels, channels: 3, depth: 8 }),
    pixels,
  };
}

Deno.test("cifarRecordsFromPngStrip rebuilds records row by row", () => {
  const { png, pixels } = strip(3);

  const records = cifarRecordsFromPngStrip(png, [7, 0, 2], "data_batch_1.png");

  assert.equal(records.length, 3 * CIFAR_RECORD_BYTES);
  assert.deepEqual([records[0], records[CIFAR_RECORD_BYTES], records[2 * CIFAR_RECORD_BYTES]], [
    7,
    0,
    2,
  ]);
  // Row 1, column 100 contains pixel 100 (y 3, x 4) of image 1, in the order R, G, B.
  const record = CIFAR_RECORD_BYTES;
  const column = (1 * 1024 + 100) * 3;
  assert.equal(records[record + 1 + 100], pixels[column]);
  assert.equal(records[record + 1 + 1024 + 100], pixels[column + 1]);
  assert.equal(records[record + 1 + 2048 + 100], pixels[column + 2]);
});

Deno.test("cifarRecordsFromPngStrip rejects a height that differs from the labels", () => {
  const { png } = strip(2);

  assert.throws(
    () => cifarRecordsFromPngStrip(png, [1, 2, 3], "test_batch.png"),
    (error: Error) => {
      assert.ok(error instanceof DatasetFormatError);
      assert.match(error.message, /test_batch\.png/);
      assert.match(error.message, /height 3/);
      assert.match(error.message, /height 2/);
      return true;
    },
  );
});

Deno.test("cifarRecordsFromPngStrip rejects a corrupted PNG", () => {
  const { png } = strip(2);

  assert.throws(
    () => cifarRecordsFromPngStrip(png.subarray(0, png.length / 2), [1, 2], "data_batch_2.png"),
    /Cannot decode data_batch_2\.png as PNG/,
  );
});
