import assert from "node:assert/strict";
import { Rng } from "./random.ts";

Deno.test("Rng repeats a stream for one seed", () => {
  const first = new Rng(42);
  const second = new Rng(42);

  for (let i = 0; i < 1000; i++) {
    assert.equal(first.nextUint32(), second.nextUint32());
  }
});

Deno.test("Rng keeps its first outputs across versions", () => {
  // Recorded from this implementation; a change here changes every seeded run.
  const rng = new Rng(1);
  const words = [rng.nextUint32(), rng.nextUint32(), rng.nextUint32(), rng.nextUint32()];

  assert.deepEqual(words, [587941090, 3698788925, 2524488572, 3535790054]);
});

Deno.test("Rng gives unrelated streams for adjacent seeds", () => {
  const a = new Rng(7);
  const b = new Rng(8);
  let equal = 0;

  for (let i = 0; i < 1000; i++) {
    if (a.nextUint32() === b.nextUint32()) equal++;
  }

  assert.equal(equal, 0);
});

Deno.test("Rng.next stays in [0, 1) with mean near 0.5", () => {
  const rng = new Rng(3);
  const n = 100_000;
  let sum = 0;

  for (let i = 0; i < n; i++) {
    const u = rng.next();
    assert.ok(u >= 0 && u < 1, `draw ${i} is ${u}`);
    sum += u;
  }

  // The standard error of the mean is sqrt(1/12/n) = 0.0009; allow 5 of them.
  assert.ok(Math.abs(sum / n - 0.5) < 0.0046, `mean ${sum / n}`);
});

Deno.test("Rng.int covers [0, n) evenly", () => {
  const rng = new Rng(5);
  const counts = new Array(6).fill(0);
  const n = 60_000;

  for (let i = 0; i < n; i++) counts[rng.int(6)]++;

  // Each count is binomial with sd sqrt(n p (1 - p)) = 91; allow 5 sd.
  for (const count of counts) assert.ok(Math.abs(count - n / 6) < 456, `counts ${counts}`);
});

Deno.test("Rng.int rejects invalid bounds", () => {
  const rng = new Rng(5);

  assert.throws(() => rng.int(0), /integer in \[1, 2\^32\]/);
  assert.throws(() => rng.int(2.5), /integer in \[1, 2\^32\]/);
});

Deno.test("Rng.normal has mean 0 and variance 1", () => {
  const rng = new Rng(11);
  const n = 100_000;
  let sum = 0;
  let sumOfSquares = 0;

  for (let i = 0; i < n; i++) {
    const z = rng.normal();
    sum += z;
    sumOfSquares += z * z;
  }

  const mean = sum / n;
  const variance = sumOfSquares / n - mean * mean;

  // Standard errors: 1/sqrt(n) = 0.0032 for the mean, sqrt(2/n) = 0.0045 for the variance.
  assert.ok(Math.abs(mean) < 0.016, `mean ${mean}`);
  assert.ok(Math.abs(variance - 1) < 0.023, `variance ${variance}`);
});

Deno.test("Rng.fromState resumes the stream", () => {
  const rng = new Rng(99);
  for (let i = 0; i < 17; i++) rng.next();

  const resumed = Rng.fromState(rng.state());

  for (let i = 0; i < 100; i++) assert.equal(resumed.nextUint32(), rng.nextUint32());
});

Deno.test("Rng.fromState rejects malformed state", () => {
  assert.throws(() => Rng.fromState([1, 2, 3]), /four 32-bit unsigned integers/);
  assert.throws(() => Rng.fromState([1, 2, 3, -1]), /four 32-bit unsigned integers/);
});

Deno.test("Rng rejects a non-finite seed", () => {
  assert.throws(() => new Rng(Number.NaN), /finite number/);
});
