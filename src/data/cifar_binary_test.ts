import assert from "node:assert/strict";
import { CIFAR_RECORD_BYTES, decodeCifarRecords, encodeCifarRecords } from "./cifar_binary.ts";
import { DatasetFormatError } from "./errors.ts";

Deno.test("decodeCifarRecords moves planes to NHWC", () => {
  const records = new Uint8Array(2 * CIFAR_RECORD_BYTES);
  records[0] = 3;
  records[1] = 10; // red of pixel 0
  records[1 + 1024] = 20; // green of pixel 0
  records[1 + 2048] = 30; // blue of pixel 0
  records[1 + 33] = 40; // red of pixel 33 (y 1, x 1)
  records[CIFAR_RECORD_BYTES] = 9;
  records[CIFAR_RECORD_BYTES + 1 + 2048 + 1023] = 50; // blue of the last pixel of image 1

  const batch = decodeCifarRecords(records, "data_batch_1.bin");

  assert.equal(batch.count, 2);
  assert.deepEqual(Array.from(batch.labels), [3, 9]);
  assert.deepEqual(Array.from(batch.images.subarray(0, 3)), [10, 20, 30]);
  assert.equal(batch.images[(32 + 1) * 3], 40);
  assert.equal(batch.images[3072 + 1023 * 3 + 2], 50);
});

Deno.test("encodeCifarRecords inverts decodeCifarRecords", () => {
  const records = Uint8Array.from({ length: 3 * CIFAR_RECORD_BYTES }, (_, i) => (i * 13) % 256);
  for (let i = 0; i < 3; i++) records[i * CIFAR_RECORD_BYTES] = i + 4;

  const batch = decodeCifarRecords(records, "x.bin");

  assert.deepEqual(encodeCifarRecords(batch.images, batch.labels), records);
});

Deno.test("decodeCifarRecords rejects a partial record", () => {
  assert.throws(
    () => decodeCifarRecords(new Uint8Array(CIFAR_RECORD_BYTES + 5), "test_batch.bin"),
    (error: Error) => {
      assert.ok(error instanceof DatasetFormatError);
      assert.match(error.message, /test_batch\.bin/);
      assert.match(error.message, /3078 bytes is not a multiple of the 3073-byte record/);
      return true;
    },
  );
});

Deno.test("decodeCifarRecords rejects a label above 9", () => {
  const records = new Uint8Array(CIFAR_RECORD_BYTES);
  records[0] = 10;

  assert.throws(
    () => decodeCifarRecords(records, "b.bin"),
    /record 0 has label 10, expected 0\.\.9/,
  );
});
