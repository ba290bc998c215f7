import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { type Batch, batches } from "./batches.ts";
import type { Dataset } from "./dataset.ts";
import { range } from "./shuffled.ts";
import { Rng } from "../util/random.ts";

tf.env().set("PROD", true);
await tf.setBackend("cpu");

const SIDE = 8;
const CHANNELS = 3;
const PIXELS = SIDE * SIDE * CHANNELS;

/** Builds a dataset of `count` random 8x8x3 train images and an empty test split. */
function fakeDataset(count: number): Dataset {
  const rng = new Rng(77);
  const images = Uint8Array.from({ length: count * PIXELS }, () => 1 + rng.int(255));
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
  const empty = { images: new Uint8Array(0), labels: new Uint8Array(0), count: 0 };
  return {
    name: "cifar10",
    height: SIDE,
    width: SIDE,
    channels: CHANNELS,
    numClasses: 10,
    classNames: [],
    train: { images, labels, count },
    test: empty,
    mean: [0.5, 0.4, 0.3],
    std: [0.25, 0.2, 0.1],
    digests: {},
  };
}

/** Reads and disposes every batch. */
async function collect(
  generator: Generator<Batch>,
): Promise<{ x: Float32Array; y: Int32Array; shape: number[] }[]> {
  const result = [];
  for (const batch of generator) {
    result.push({
      x: (await batch.x.data()) as Float32Array,
      y: (await batch.y.data()) as Int32Array,
      shape: batch.x.shape,
    });
    assert.equal(batch.x.dtype, "float32");
    assert.equal(batch.y.dtype, "int32");
    tf.dispose([batch.x, batch.y]);
  }
  return result;
}

function normalized(value: number, channel: number, dataset: Dataset): number {
  return (value / 255 - dataset.mean[channel]) / dataset.std[channel];
}

/** Normalised pixel (y, x, c) of image `index`, or the padding value outside the image. */
function expectedPixel(dataset: Dataset, index: number, y: number, x: number, c: number): number {
  const inside = y >= 0 && y < SIDE && x >= 0 && x < SIDE;
  const value = inside ? dataset.train.images[index * PIXELS + (y * SIDE + x) * CHANNELS + c] : 0;
  return normalized(value, c, dataset);
}

Deno.test("batches yields NHWC float32 and int32 labels", async () => {
  const dataset = fakeDataset(10);
  const before = tf.memory().numTensors;

  const result = await collect(batches(dataset, dataset.train, range(10), 4, { seed: 1 }));

  assert.deepEqual(result.map((batch) => batch.shape), [[4, 8, 8, 3], [4, 8, 8, 3], [2, 8, 8, 3]]);
  assert.deepEqual(Array.from(result[2].y), [8, 9]);
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("batches drops a short last batch on request", async () => {
  const dataset = fakeDataset(10);

  const result = await collect(
    batches(dataset, dataset.train, range(10), 4, { seed: 1, dropLast: true }),
  );

  assert.equal(result.length, 2);
});

Deno.test("batches normalises with the dataset mean and std", async () => {
  const dataset = fakeDataset(3);
  const indices = Int32Array.of(2, 0);

  const [batch] = await collect(batches(dataset, dataset.train, indices, 2, { seed: 1 }));

  // Tolerance 1e-5: float32 rounding of values of magnitude up to 10.
  for (const [row, index] of indices.entries()) {
    for (let p = 0; p < SIDE * SIDE; p++) {
      for (let c = 0; c < CHANNELS; c++) {
        const expected = expectedPixel(dataset, index, Math.floor(p / SIDE), p % SIDE, c);
        const actual = batch.x[row * PIXELS + p * CHANNELS + c];
        assert.ok(Math.abs(actual - expected) < 1e-5, `image ${index} pixel ${p} channel ${c}`);
      }
    }
  }
  assert.deepEqual(Array.from(batch.y), [2, 0]);
});

Deno.test("batches repeats augmentation for one seed and varies across seeds", async () => {
  const dataset = fakeDataset(16);
  const augment = { cropPadding: 2, horizontalFlip: true, cutoutLength: 4 };

  const a = await collect(batches(dataset, dataset.train, range(16), 8, { seed: 5, augment }));
  const b = await collect(batches(dataset, dataset.train, range(16), 8, { seed: 5, augment }));
  const c = await collect(batches(dataset, dataset.train, range(16), 8, { seed: 6, augment }));

  assert.deepEqual(a.map((batch) => batch.x), b.map((batch) => batch.x));
  assert.notDeepEqual(a.map((batch) => batch.x), c.map((batch) => batch.x));
  assert.deepEqual(a[0].shape, [8, 8, 8, 3]);
});

Deno.test("batches crops within the padding", async () => {
  const dataset = fakeDataset(40);
  const padding = 2;
  const augment = { cropPadding: padding, horizontalFlip: false, cutoutLength: 0 };

  const [batch] = await collect(
    batches(dataset, dataset.train, range(40), 40, { seed: 9, augment }),
  );

  const shifts = new Set<string>();
  for (let i = 0; i < 40; i++) {
    const match = _findShift(dataset, i, batch.x.subarray(i * PIXELS, (i + 1) * PIXELS), padding);
    assert.ok(match !== undefined, `image ${i} is no shifted copy within ${padding} pixels`);
    shifts.add(match);
  }
  // 40 draws from 25 shifts: a generator stuck on few shifts would show fewer than 10.
  assert.ok(shifts.size >= 10, `only ${shifts.size} distinct shifts`);
});

Deno.test("batches flips about half of the images", async () => {
  const dataset = fakeDataset(200);
  const augment = { cropPadding: 0, horizontalFlip: true, cutoutLength: 0 };

  const [batch] = await collect(
    batches(dataset, dataset.train, range(200), 200, { seed: 3, augment }),
  );

  let flipped = 0;
  for (let i = 0; i < 200; i++) {
    const image = batch.x.subarray(i * PIXELS, (i + 1) * PIXELS);
    const isFlipped = _matches(dataset, i, image, (y, x) => [y, SIDE - 1 - x]);
    const isOriginal = _matches(dataset, i, image, (y, x) => [y, x]);
    assert.ok(isFlipped !== isOriginal, `image ${i} must be exactly one of original or mirrored`);
    if (isFlipped) flipped++;
  }
  // Binomial(200, 0.5) has sd 7.1; allow 5 sd.
  assert.ok(Math.abs(flipped - 100) < 36, `${flipped} of 200 flipped`);
});

Deno.test("batches cuts out one clipped square", async () => {
  const dataset = fakeDataset(30);
  const length = 4;
  const augment = { cropPadding: 0, horizontalFlip: false, cutoutLength: length };

  const [batch] = await collect(
    batches(dataset, dataset.train, range(30), 30, { seed: 4, augment }),
  );

  for (let i = 0; i < 30; i++) {
    const zeroed: [number, number][] = [];
    for (let p = 0; p < SIDE * SIDE; p++) {
      const y = Math.floor(p / SIDE);
      const x = p % SIDE;
      const values = [0, 1, 2].map((c) => batch.x[i * PIXELS + p * CHANNELS + c]);
      if (values.every((value) => value === 0)) {
        zeroed.push([y, x]);
        continue;
      }
      for (let c = 0; c < CHANNELS; c++) {
        assert.ok(
          Math.abs(values[c] - expectedPixel(dataset, i, y, x, c)) < 1e-5,
          `image ${i} pixel ${p}`,
        );
      }
    }

    // The zeroed pixels form a rectangle of at most length x length, and at least one pixel.
    const ys = zeroed.map(([y]) => y);
    const xs = zeroed.map(([, x]) => x);
    const height = Math.max(...ys) - Math.min(...ys) + 1;
    const width = Math.max(...xs) - Math.min(...xs) + 1;
    assert.ok(zeroed.length >= 1, `image ${i} has no cutout`);
    assert.ok(height <= length, `image ${i} cutout height ${height}`);
    assert.ok(width <= length, `image ${i} cutout width ${width}`);
    assert.equal(zeroed.length, height * width, `image ${i} cutout is not a rectangle`);
  }
});

Deno.test("batches shuffles deterministically on request", async () => {
  const dataset = fakeDataset(10);

  const [a] = await collect(
    batches(dataset, dataset.train, range(10), 10, { seed: 2, shuffle: true }),
  );
  const [b] = await collect(
    batches(dataset, dataset.train, range(10), 10, { seed: 2, shuffle: true }),
  );

  assert.deepEqual(a.y, b.y);
  assert.notDeepEqual(Array.from(a.y), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(Array.from(a.y).sort((x, y) => x - y), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

Deno.test("batches leaks no tensor when stopped early", () => {
  const dataset = fakeDataset(10);
  const before = tf.memory().numTensors;

  for (const batch of batches(dataset, dataset.train, range(10), 2, { seed: 1 })) {
    tf.dispose([batch.x, batch.y]);
    break;
  }

  assert.equal(tf.memory().numTensors, before);
});

Deno.test("batches rejects an index outside the split", () => {
  const dataset = fakeDataset(10);

  assert.throws(
    () => batches(dataset, dataset.train, Int32Array.of(0, 10), 2, { seed: 1 }).next(),
    /Cannot batch index 10 at position 1: expected 0\.\.9/,
  );
  assert.throws(
    () => batches(dataset, dataset.train, range(2), 0, { seed: 1 }).next(),
    /batches of size 0/,
  );
  assert.throws(
    () =>
      batches(dataset, dataset.train, range(2), 2, {
        seed: 1,
        augment: { cropPadding: -1, horizontalFlip: false, cutoutLength: 0 },
      }).next(),
    /cropPadding -1/,
  );
});

/** Returns the shift "dy,dx" that maps image `index` onto `image`, if any. */
function _findShift(
  dataset: Dataset,
  index: number,
  image: Float32Array,
  padding: number,
): string | undefined {
  for (let dy = -padding; dy <= padding; dy++) {
    for (let dx = -padding; dx <= padding; dx++) {
      if (_matches(dataset, index, image, (y, x) => [y + dy, x + dx])) return `${dy},${dx}`;
    }
  }
  return undefined;
}

/** Checks whether `image` equals image `index` read through `sourceOf` (tolerance 1e-5). */
function _matches(
  dataset: Dataset,
  index: number,
  image: Float32Array,
  sourceOf: (y: number, x: number) => [number, number],
): boolean {
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const [sourceY, sourceX] = sourceOf(y, x);
      for (let c = 0; c < CHANNELS; c++) {
        const expected = expectedPixel(dataset, index, sourceY, sourceX, c);
        if (Math.abs(image[(y * SIDE + x) * CHANNELS + c] - expected) >= 1e-5) return false;
      }
    }
  }
  return true;
}
