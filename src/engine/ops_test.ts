import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { Rng } from "../util/random.ts";
import { initBackend } from "./backend.ts";
import {
  avgPool,
  batchNormInference,
  batchNormTraining,
  conv2d,
  depthwiseConv2d,
  maxPool,
  pad2d,
} from "./ops.ts";
import { skipReason, TEST_BACKENDS } from "./testing/backends.ts";
import { checkGradients } from "./testing/gradient_check.ts";
import {
  type Array4,
  referenceBatchNorm,
  referencePool,
  relativeError,
} from "./testing/reference_ops.ts";

// Forward results against float64 loops, relative to the largest entry.
const EXACT_TOLERANCE = 1e-5;
// Central differences with step 1e-2 on float32 outputs; pooling and the
// affine part are piecewise linear, batch norm is smooth at this scale.
const GRADIENT_TOLERANCE = 1e-2;

/**
 * Distinct values spaced 0.05 apart in random order, offset by half a step
 * from zero, so a ±1e-2 perturbation never changes which entry of a pooling
 * window is largest or the sign of an entry.
 */
function gridArray(shape: [number, number, number, number], rng: Rng): Array4 {
  const size = shape.reduce((a, b) => a * b, 1);
  const order = Array.from({ length: size }, (_, i) => i);
  for (let i = size - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const values = Float64Array.from(order, (k) => (k - size / 2 + 0.5) * 0.05);
  return { values, shape };
}

function toTensor(a: Array4): tf.Tensor4D {
  return tf.tensor4d(Float32Array.from(a.values), a.shape);
}

for (const backend of TEST_BACKENDS) {
  const ignore = await skipReason(backend);
  if (ignore !== undefined) console.log(`Skipping the ${backend} op tests: ${ignore}.`);

  Deno.test({
    name: `pooling matches PyTorch semantics on ${backend}`,
    ignore: ignore !== undefined,
    fn: async () => {
      await initBackend(backend);
      const rng = new Rng(5);
      const before = tf.memory().numTensors;

      for (const [height, width] of [[6, 6], [7, 5]]) {
        for (const stride of [1, 2]) {
          const x = gridArray([2, height, width, 3], rng);
          const xT = toTensor(x);
          const options = { kernel: 3, stride, padding: 1 };

          const max = maxPool(xT, options);
          const expectedMax = referencePool(x, "max", 3, stride, 1);
          assert.deepEqual(max.shape, expectedMax.shape);
          assert.ok(relativeError(await max.data(), expectedMax.values) < EXACT_TOLERANCE);

          const avg = avgPool(xT, { ...options, countIncludePad: false });
          const expectedAvg = referencePool(x, "avg", 3, stride, 1);
          assert.deepEqual(avg.shape, expectedAvg.shape);
          const avgError = relativeError(await avg.data(), expectedAvg.values);
          assert.ok(
            avgError < EXACT_TOLERANCE,
            `avg error ${avgError}, ${height}x${width}/${stride}`,
          );

          tf.dispose([xT, max, avg]);
        }
      }

      assert.equal(tf.memory().numTensors, before);
    },
  });

  Deno.test({
    name: `pooling gradients match finite differences on ${backend}`,
    ignore: ignore !== undefined,
    fn: async () => {
      await initBackend(backend);
      const before = tf.memory().numTensors;

      for (const stride of [1, 2]) {
        const initial = toTensor(gridArray([2, 6, 6, 2], new Rng(stride)));
        const x = tf.variable(initial);
        for (const kind of ["max", "avg"] as const) {
          const options = { kernel: 3, stride, padding: 1 };
          const comparisons = await checkGradients({
            output: () =>
              kind === "max"
                ? maxPool(x as tf.Tensor4D, options)
                : avgPool(x as tf.Tensor4D, { ...options, countIncludePad: false }),
            variables: [x],
            entriesPerVariable: 24,
          });
          assert.ok(
            comparisons[0].maxRelativeError < GRADIENT_TOLERANCE,
            `${kind} pool stride ${stride}: ${JSON.stringify(comparisons[0])}`,
          );
        }
        tf.dispose([x, initial]);
      }

      assert.equal(tf.memory().numTensors, before);
    },
  });

  Deno.test({
    name: `batch norm matches the definition on ${backend}`,
    ignore: ignore !== undefined,
    fn: async () => {
      await initBackend(backend);
      const before = tf.memory().numTensors;
      const x = gridArray([3, 4, 5, 2], new Rng(9));
      const expected = referenceBatchNorm(x, 1e-5);
      const xT = toTensor(x);

      const { y, mean, variance } = batchNormTraining(xT, undefined, undefined, 1e-5);
      assert.ok(relativeError(await y.data(), expected.y.values) < EXACT_TOLERANCE);
      assert.ok(relativeError(await mean.data(), expected.mean) < EXACT_TOLERANCE);
      assert.ok(relativeError(await variance.data(), expected.variance) < EXACT_TOLERANCE);

      // With the batch statistics, inference mode gives the same output; with
      // γ = 2 and β = 1 it gives 2·y + 1.
      const gamma = tf.tensor1d([2, 2]);
      const beta = tf.tensor1d([1, 1]);
      const inferred = batchNormInference(xT, mean, variance, gamma, beta, 1e-5);
      const affine = expected.y.values.map((v) => 2 * v + 1);
      assert.ok(relativeError(await inferred.data(), affine) < EXACT_TOLERANCE);

      tf.dispose([xT, y, mean, variance, gamma, beta, inferred]);
      assert.equal(tf.memory().numTensors, before);
    },
  });

  Deno.test({
    name: `batch norm gradients match finite differences on ${backend}`,
    ignore: ignore !== undefined,
    fn: async () => {
      await initBackend(backend);
      const before = tf.memory().numTensors;
      const initial = [
        toTensor(gridArray([2, 3, 3, 2], new Rng(4))),
        tf.tensor1d([0.8, 1.3]),
        tf.tensor1d([0.1, -0.2]),
      ];
      const [x, gamma, beta] = initial.map((t) => tf.variable(t));

      const comparisons = await checkGradients({
        output: () =>
          batchNormTraining(x as tf.Tensor4D, gamma as tf.Tensor1D, beta as tf.Tensor1D, 1e-5).y,
        variables: [x, gamma, beta],
        entriesPerVariable: 18,
        step: 5e-3,
      });
      for (const comparison of comparisons) {
        assert.ok(comparison.maxRelativeError < GRADIENT_TOLERANCE, JSON.stringify(comparison));
      }

      tf.dispose([x, gamma, beta, ...initial]);
      assert.equal(tf.memory().numTensors, before);
    },
  });
}

Deno.test("pad2d adds zeros on every side", async () => {
  await initBackend("cpu");
  const x = tf.ones([1, 2, 2, 1]) as tf.Tensor4D;
  const padded = pad2d(x, 1);

  assert.deepEqual(padded.shape, [1, 4, 4, 1]);
  assert.equal((await padded.sum().data())[0], 4);
  assert.equal((await padded.data())[0], 0);
  assert.equal(pad2d(x, 0), x);
  tf.dispose([x, padded]);
});

Deno.test("conv2d rejects a fractional stride", async () => {
  await initBackend("cpu");
  const x = tf.zeros([1, 4, 4, 1]) as tf.Tensor4D;
  const filter = tf.zeros([3, 3, 1, 1]) as tf.Tensor4D;

  assert.throws(
    () => conv2d(x, filter, { stride: 1.5, padding: 1, dilation: 1 }),
    { name: "RangeError", message: /stride 1\.5/ },
  );
  assert.throws(
    () => depthwiseConv2d(x, filter, { stride: 1, padding: -1, dilation: 1 }),
    { name: "RangeError", message: /padding -1/ },
  );
  tf.dispose([x, filter]);
});
