import assert from "node:assert/strict";
import { searchSplit } from "./search_split.ts";
import { range } from "./shuffled.ts";

Deno.test("searchSplit partitions the indices", () => {
  const indices = range(101);

  const { train, valid } = searchSplit(indices, 0.5, 9);

  assert.equal(train.length, 50);
  assert.equal(valid.length, 51);
  const union = [...train, ...valid].sort((a, b) => a - b);
  assert.deepEqual(union, Array.from(indices));
});

Deno.test("searchSplit repeats for one seed and varies across seeds", () => {
  const indices = range(200);

  const a = searchSplit(indices, 0.5, 1);
  const b = searchSplit(indices, 0.5, 1);
  const c = searchSplit(indices, 0.5, 2);

  assert.deepEqual(a.train, b.train);
  assert.deepEqual(a.valid, b.valid);
  assert.notDeepEqual(a.train, c.train);
});

Deno.test("searchSplit rejects portions that leave a part empty", () => {
  assert.throws(() => searchSplit(range(10), 1, 0), /expected a value in \(0, 1\)/);
  assert.throws(() => searchSplit(range(10), 0.05, 0), /one part would be empty/);
});
