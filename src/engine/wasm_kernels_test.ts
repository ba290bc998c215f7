import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { Rng } from "../util/random.ts";
import { initBackend } from "./backend.ts";
import { maxPool } from "./ops.ts";
import {
  type Array4,
  referenceConvolution,
  referenceConvolutionGradients,
  relativeError,
} from "./testing/reference_ops.ts";

// float32 kernels against float64 loops, relative to the largest entry.
const TOLERANCE = 1e-5;

function randomValues(size: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: size }, () => rng.normal());
}

Deno.test("wasm Sum and Mean agree with cpu on every axis set", async () => {
  const shape = [3, 4, 5, 6];
  const values = randomValues(360, 1);
  const cases: Array<{ axis: number[]; keepDims: boolean }> = [
    { axis: [0], keepDims: false },
    { axis: [0, 1], keepDims: true },
    { axis: [0, 1, 2], keepDims: false },
    { axis: [2, 1, 0], keepDims: false },
    { axis: [1], keepDims: false },
    { axis: [3], keepDims: true },
    { axis: [0, 1, 2, 3], keepDims: false },
  ];

  const results = new Map<string, { shape: number[]; values: Float32Array }>();
  for (const backend of ["cpu", "wasm"] as const) {
    await initBackend(backend);
    const x = tf.tensor(values, shape);
    for (const { axis, keepDims } of cases) {
      for (const kind of ["sum", "mean"] as const) {
        const y = kind === "sum" ? tf.sum(x, axis, keepDims) : tf.mean(x, axis, keepDims);
        const key = `${kind} ${axis} ${keepDims}`;
        const result = { shape: y.shape, values: await y.data() as Float32Array };
        y.dispose();

        const expected = results.get(key);
        if (expected === undefined) {
          results.set(key, result);
          continue;
        }
        assert.deepEqual(result.shape, expected.shape, key);
        assert.ok(relativeError(result.values, expected.values) < TOLERANCE, key);
      }
    }
    x.dispose();
  }
});

Deno.test("wasm Sum keeps int32 sums exact", async () => {
  await initBackend("wasm");
  const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2], "int32");
  const y = tf.sum(x, 0);

  assert.equal(y.dtype, "int32");
  assert.deepEqual(Array.from(await y.data()), [9, 12]);
  tf.dispose([x, y]);
});

Deno.test("wasm Identity shares data that outlives its source", async () => {
  await initBackend("wasm");
  const x = tf.tensor1d([1, 2, 3]);
  const before = tf.engine().backend.numDataIds();

  const copy = tf.clone(x);
  assert.equal(tf.engine().backend.numDataIds(), before, "no new buffer");
  x.dispose();
  assert.deepEqual(Array.from(await copy.data()), [1, 2, 3]);
  copy.dispose();
  assert.equal(tf.engine().backend.numDataIds(), before - 1, "buffer freed with the last tensor");
});

Deno.test("wasm max pool gradient goes to the first maximum", async () => {
  await initBackend("wasm");
  // All values negative, with a tie (-1 twice) in the first window.
  const x = tf.tensor4d([-1, -3, -1, -2, -5, -4, -6, -7, -8], [1, 3, 3, 1]);

  const dx = tf.grad((input: tf.Tensor) =>
    tf.sum(maxPool(input as tf.Tensor4D, { kernel: 2, stride: 1, padding: 0 }))
  )(x);

  // Windows: [-1 -3 / -2 -5] → (0,0); [-3 -1 / -5 -4] → (0,2); [-2 -5 / -6 -7] → (1,0);
  // [-5 -4 / -7 -8] → (1,2).
  assert.deepEqual(Array.from(await dx.data()), [1, 0, 1, 1, 0, 1, 0, 0, 0]);
  tf.dispose([x, dx]);
});

Deno.test("wasm depthwise filter gradient handles same padding and dilation", async () => {
  await initBackend("wasm");
  const rng = new Rng(4);
  const make = (shape: [number, number, number, number]): Array4 => ({
    values: Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()),
    shape,
  });

  // 'same' at stride 2 on a 6×6 input pads 0 on top and left and 1 at the bottom and right.
  // 3 channels take the one-channel loop only, 6 the four-channel loop and the one-channel loop.
  const cases = [
    [2, 1, [0, 1, 0, 1], 3],
    [1, 2, [2, 2, 2, 2], 3],
    [2, 1, [0, 1, 0, 1], 6],
    [1, 2, [2, 2, 2, 2], 6],
  ] as const;
  for (const [stride, dilation, padding, channels] of cases) {
    const x = make([2, 6, 6, channels]);
    const filter = make([3, 3, channels, 1]);
    const options = { stride, padding: [...padding] as [number, number, number, number], dilation };
    const reference = { ...options, depthwise: true };
    const dy = make(referenceConvolution(x, filter, reference).shape);
    const expected = referenceConvolutionGradients(x, filter, dy, reference);

    const xT = tf.tensor4d(Float32Array.from(x.values), x.shape);
    const dyT = tf.tensor4d(Float32Array.from(dy.values), dy.shape);
    const dFilter = tf.engine().runKernel(
      "DepthwiseConv2dNativeBackpropFilter",
      { x: xT, dy: dyT },
      {
        strides: stride,
        dilations: dilation,
        pad: stride === 2 ? "same" : 2,
        filterShape: filter.shape,
      },
    ) as tf.Tensor;

    const error = relativeError(await dFilter.data(), expected.dFilter.values);
    assert.ok(
      error < TOLERANCE,
      `stride ${stride} dilation ${dilation} ${channels} channels: ${error}`,
    );
    tf.dispose([xT, dyT, dFilter]);
  }
});
