import assert from "node:assert/strict";
import { readTar } from "./tar.ts";
import { DatasetFormatError } from "./errors.ts";
import { encodePax, encodeTar } from "./testdata/fixtures.ts";

const encoder = new TextEncoder();

Deno.test("readTar lists files and directories", () => {
  const archive = encodeTar([
    { name: "package/", typeFlag: "5" },
    { name: "package/a.txt", data: encoder.encode("hello") },
    { name: "./package/b.bin", data: new Uint8Array(700).fill(3) },
  ]);

  const entries = readTar(archive, "x.tar");

  assert.deepEqual(entries.map((entry) => [entry.name, entry.type]), [
    ["package/", "directory"],
    ["package/a.txt", "file"],
    ["package/b.bin", "file"],
  ]);
  assert.equal(new TextDecoder().decode(entries[1].data), "hello");
  assert.equal(entries[2].data.length, 700);
  assert.ok(entries[2].data.every((byte) => byte === 3));
});

Deno.test("readTar joins the ustar prefix", () => {
  const archive = encodeTar([{ name: "file.bin", prefix: "deep/folder", data: Uint8Array.of(1) }]);

  assert.equal(readTar(archive, "x.tar")[0].name, "deep/folder/file.bin");
});

Deno.test("readTar applies pax and GNU long names", () => {
  const longName = "a/".repeat(80) + "long.bin";
  const archive = encodeTar([
    { name: "PaxHeader", typeFlag: "x", data: encodePax({ path: longName }) },
    { name: "short-a", data: Uint8Array.of(1) },
    { name: "././@LongLink", typeFlag: "L", data: encoder.encode("gnu/" + longName + "\0") },
    { name: "short-b", data: Uint8Array.of(2) },
    { name: "plain", data: Uint8Array.of(3) },
  ]);

  const names = readTar(archive, "x.tar").map((entry) => entry.name);

  assert.deepEqual(names, [longName, "gnu/" + longName, "plain"]);
});

Deno.test("readTar rejects a bad header checksum", () => {
  const archive = encodeTar([{ name: "a", data: Uint8Array.of(1) }]);
  archive[10] ^= 0xff;

  assert.throws(
    () => readTar(archive, "cifar.tar"),
    (error: Error) => {
      assert.ok(error instanceof DatasetFormatError);
      assert.match(error.message, /cifar\.tar/);
      assert.match(error.message, /checksum/);
      return true;
    },
  );
});

Deno.test("readTar rejects a truncated member", () => {
  const archive = encodeTar([{ name: "a", data: new Uint8Array(2000) }]);

  assert.throws(
    () => readTar(archive.subarray(0, 1024), "cut.tar"),
    /cut\.tar: the member at byte 0 needs 2000 bytes but only 512 remain/,
  );
});
