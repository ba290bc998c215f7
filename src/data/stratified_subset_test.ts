import assert from "node:assert/strict";
import { stratifiedSubset } from "./stratified_subset.ts";
import type { Split } from "./dataset.ts";

/** Builds a split of `count` one-pixel images whose labels cycle over `numClasses`. */
function cyclicSplit(count: number, numClasses: number): Split {
  const labels = Uint8Array.from({ length: count }, (_, i) => i % numClasses);
  return { images: new Uint8Array(count), labels, count };
}

Deno.test("stratifiedSubset draws the same number per class", () => {
  const split = cyclicSplit(1000, 10);

  const subset = stratifiedSubset(split, 7, 1, 10);

  assert.equal(subset.length, 70);
  const perClass = new Array(10).fill(0);
  for (const index of subset) perClass[split.labels[index]]++;
  assert.deepEqual(perClass, new Array(10).fill(7));
  assert.equal(new Set(subset).size, 70, "no index twice");
  assert.ok(subset.every((index, i) => i === 0 || subset[i - 1] < index), "ascending");
});

Deno.test("stratifiedSubset repeats for one seed and varies across seeds", () => {
  const split = cyclicSplit(1000, 10);

  const a = stratifiedSubset(split, 5, 123, 10);
  const b = stratifiedSubset(split, 5, 123, 10);
  const c = stratifiedSubset(split, 5, 124, 10);

  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

Deno.test("stratifiedSubset rejects a class with too few images", () => {
  const split = cyclicSplit(25, 10);

  assert.throws(
    () => stratifiedSubset(split, 3, 0, 10),
    /draw 3 images of class 5: the split has only 2/,
  );
});

Deno.test("stratifiedSubset rejects a label outside numClasses", () => {
  const split = cyclicSplit(20, 10);

  assert.throws(() => stratifiedSubset(split, 1, 0, 5), /label 5 is not below numClasses 5/);
});
