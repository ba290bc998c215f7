import assert from "node:assert/strict";
import { range, shuffled } from "./shuffled.ts";

Deno.test("shuffled permutes a copy", () => {
  const indices = range(50);

  const a = shuffled(indices, 5);

  assert.deepEqual(Array.from(indices), Array.from(range(50)), "input unchanged");
  assert.deepEqual(Array.from(a).sort((x, y) => x - y), Array.from(indices));
  assert.notDeepEqual(a, indices);
  assert.deepEqual(shuffled(indices, 5), a);
});

Deno.test("range counts from zero", () => {
  assert.deepEqual(Array.from(range(4)), [0, 1, 2, 3]);
  assert.equal(range(0).length, 0);
});
