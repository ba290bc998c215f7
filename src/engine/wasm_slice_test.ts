import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { Rng } from "../util/random.ts";
import { initBackend } from "./backend.ts";

// Copies are exact, so results must equal cpu's bit for bit.

interface _Case {
  name: string;
  run: (x: tf.Tensor) => tf.Tensor | tf.Tensor[];
}

const _SHAPE = [3, 5, 6, 4];

const _CASES: _Case[] = [
  { name: "whole tensor", run: (x) => tf.slice(x, [0, 0, 0, 0], _SHAPE) },
  { name: "contiguous batch rows", run: (x) => tf.slice(x, [1, 0, 0, 0], [2, -1, -1, -1]) },
  { name: "inner window", run: (x) => tf.slice(x, [0, 1, 1, 0], [-1, 4, 5, -1]) },
  { name: "channel range", run: (x) => tf.slice(x, [0, 0, 0, 1], [-1, -1, -1, 2]) },
  { name: "one element", run: (x) => tf.slice(x, [2, 4, 5, 3], [1, 1, 1, 1]) },
  { name: "empty", run: (x) => tf.slice(x, [0, 0, 0, 0], [0, -1, -1, -1]) },
  { name: "split on channels", run: (x) => tf.split(x, [1, 3], 3) },
  { name: "split on rows", run: (x) => tf.split(x, [2, 1, 2], 1) },
  { name: "split of a flat vector", run: (x) => tf.split(x.reshape([-1]), [100, 7, 253]) },
  { name: "unstack the batch", run: (x) => tf.unstack(x, 0) },
  { name: "unstack channels", run: (x) => tf.unstack(x, -1) },
  { name: "long runs", run: (x) => tf.slice(x.reshape([3, 120]), [1, 10], [2, 100]) },
];

async function _results(
  backend: "cpu" | "wasm",
  dtype: "float32" | "int32" | "bool",
): Promise<Map<string, Array<{ shape: number[]; values: number[] }>>> {
  await initBackend(backend);
  const rng = new Rng(7);
  const size = _SHAPE.reduce((p, q) => p * q, 1);
  const values = Array.from({ length: size }, () => rng.normal());
  const x = dtype === "bool"
    ? tf.tensor(values.map((v) => v > 0), _SHAPE, "bool")
    : tf.tensor(values, _SHAPE, dtype);

  const results = new Map<string, Array<{ shape: number[]; values: number[] }>>();
  const before = tf.memory().numTensors;
  for (const { name, run } of _CASES) {
    const output = tf.tidy(() => run(x));
    const outputs = Array.isArray(output) ? output : [output];
    const read = [];
    for (const t of outputs) read.push({ shape: t.shape, values: Array.from(await t.data()) });
    tf.dispose(outputs);
    results.set(name, read);
  }
  assert.equal(tf.memory().numTensors, before, `${backend} ${dtype}: tensors leaked`);
  x.dispose();
  return results;
}

for (const dtype of ["float32", "int32", "bool"] as const) {
  Deno.test(`wasm Slice, SplitV and Unpack equal cpu's on ${dtype}`, async () => {
    const expected = await _results("cpu", dtype);
    const actual = await _results("wasm", dtype);
    for (const { name } of _CASES) {
      assert.deepEqual(actual.get(name), expected.get(name), `${dtype}: ${name}`);
    }
  });
}

Deno.test("wasm Slice leaves its input intact", async () => {
  await initBackend("wasm");
  const x = tf.range(0, 24).reshape([2, 3, 4]);
  const piece = tf.slice(x, [1, 1, 1], [1, 2, 2]);
  assert.deepEqual(Array.from(await piece.data()), [17, 18, 21, 22]);
  assert.deepEqual(Array.from(await x.data()), Array.from({ length: 24 }, (_, i) => i));
  tf.dispose([x, piece]);
});
