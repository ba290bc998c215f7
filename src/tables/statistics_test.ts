import assert from "node:assert/strict";
import { sampleStatistics } from "./statistics.ts";

Deno.test("sampleStatistics uses the n − 1 divisor", () => {
  const statistics = sampleStatistics([1, 2, 3, 4]);

  assert.equal(statistics.n, 4);
  assert.equal(statistics.mean, 2.5);
  // sqrt(((1.5² + 0.5²) · 2) / 3) = sqrt(5 / 3); tolerance 1e-12.
  assert.ok(Math.abs(statistics.std! - Math.sqrt(5 / 3)) < 1e-12);
});

Deno.test("sampleStatistics has no spread for one value", () => {
  const statistics = sampleStatistics([2.5]);

  assert.equal(statistics.n, 1);
  assert.equal(statistics.mean, 2.5);
  assert.equal(statistics.std, null);
});

Deno.test("sampleStatistics rejects empty and non-finite input", () => {
  assert.throws(() => sampleStatistics([]), {
    name: "RangeError",
    message: /no values: pass at least one value/,
  });
  assert.throws(() => sampleStatistics([1, Number.NaN]), {
    name: "RangeError",
    message: /non-finite value NaN/,
  });
});
