import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { initBackend } from "./backend.ts";
import { lrtConvolution } from "./lrt_convolution.ts";
import { lrtMixture } from "./lrt_mixture.ts";
import { lrtSample } from "./lrt_sample.ts";
import { conv2d, type ConvolutionOpOptions, depthwiseConv2d } from "./ops.ts";
import { fillNormal, seededNormal } from "./random_normal.ts";

// The fused operations and tfjs's automatic gradient of the same formula
// sum the same float32 terms in another order: relative to the largest
// entry, they agree to a few float32 roundings.
const TOLERANCE = 1e-4;
const EPSILON = 1e-8;

type Shape4 = [number, number, number, number];

function maxRelativeError(actual: tf.Tensor, expected: tf.Tensor): number {
  const a = actual.dataSync();
  const e = expected.dataSync();
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < e.length; i++) scale = Math.max(scale, Math.abs(e[i]));
  for (let i = 0; i < e.length; i++) worst = Math.max(worst, Math.abs(a[i] - e[i]));
  return worst / Math.max(scale, 1e-30);
}

/** A noise function that always returns the same draw for a shape. */
function fixedNoise(seed: number): (shape: Shape4) => tf.Tensor4D {
  return (shape) => seededNormal<tf.Rank.R4>(shape, seed);
}

const CONVOLUTION_CASES: Array<
  { kind: "full" | "depthwise"; kernel: number; options: ConvolutionOpOptions }
> = [
  { kind: "full", kernel: 1, options: { stride: 1, padding: 0, dilation: 1 } },
  { kind: "full", kernel: 3, options: { stride: 2, padding: 1, dilation: 1 } },
  { kind: "depthwise", kernel: 3, options: { stride: 1, padding: 1, dilation: 1 } },
  { kind: "depthwise", kernel: 5, options: { stride: 2, padding: 4, dilation: 2 } },
  { kind: "depthwise", kernel: 3, options: { stride: 1, padding: 2, dilation: 2 } },
];

for (const backend of ["cpu", "wasm"] as const) {
  for (const { kind, kernel, options } of CONVOLUTION_CASES) {
    const label = `${kind} ${kernel}x${kernel} s${options.stride} d${options.dilation}`;
    Deno.test(`lrtConvolution ${label} matches automatic gradients on ${backend}`, async () => {
      await initBackend(backend);
      const before = tf.memory().numTensors;
      const channels = 3;
      const outChannels = kind === "full" ? 4 : 1;
      const x = tf.randomNormal([2, 9, 9, channels], 0, 1, "float32", 1) as tf.Tensor4D;
      const theta = tf.randomNormal([kernel, kernel, channels, outChannels], 0, 0.5, "float32", 2);
      const logSigma2 = tf.randomUniform(theta.shape, -4, -1, "float32", 3);
      const weights = tf.randomNormal([1, 9, 9, 1], 0, 1, "float32", 4);
      const convolve = kind === "full" ? conv2d : depthwiseConv2d;

      // The loss weights the output so every gradient path is non-trivial.
      const loss = (y: tf.Tensor4D) => {
        const [, h, w, c] = y.shape;
        return tf.sum(tf.mul(y, tf.slice(tf.tile(weights, [1, 1, 1, c]), 0, [1, h, w, c])));
      };
      const fused = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
        loss(lrtConvolution(
          a as tf.Tensor4D,
          b as tf.Tensor4D,
          c as tf.Tensor4D,
          () => 9,
          { kind, ...options, varianceEpsilon: EPSILON },
        ))
      );
      const reference = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => {
        const input = a as tf.Tensor4D;
        const mean = convolve(input, b as tf.Tensor4D, options);
        const variance = convolve(tf.square(input), tf.exp(c) as tf.Tensor4D, options);
        const epsilon = fixedNoise(9)(mean.shape);
        return loss(tf.add(mean, tf.mul(epsilon, tf.sqrt(tf.add(variance, EPSILON)))));
      });

      const actual = fused([x, theta, logSigma2]);
      const expected = reference([x, theta, logSigma2]);
      for (const [i, name] of ["x", "θ", "log σ²"].entries()) {
        const error = maxRelativeError(actual[i], expected[i]);
        assert.ok(error < TOLERANCE, `d${name}: relative error ${error}`);
      }

      tf.dispose([...actual, ...expected, x, theta, logSigma2, weights]);
      assert.equal(tf.memory().numTensors, before);
    });
  }

  Deno.test(`lrtMixture matches automatic gradients on ${backend}`, async () => {
    await initBackend(backend);
    const before = tf.memory().numTensors;
    // 486 values: two blocks of the wasm kernel's 256 and a remainder of 2 after SIMD groups of 4.
    const outputs = [0, 1, 2].map((i) =>
      tf.randomNormal([2, 9, 9, 3], 0, 1, "float32", 10 + i) as tf.Tensor4D
    );
    const means = [0.3, -0.2, 0.5].map((v) => tf.scalar(v));
    const variances = [0.1, 0.4, 0.02].map((v) => tf.scalar(v));
    const weights = tf.randomNormal([2, 9, 9, 3], 0, 1, "float32", 20);

    const fused = tf.grads((...args: tf.Tensor[]) =>
      tf.sum(tf.mul(
        weights,
        lrtMixture(
          args.slice(0, 3) as tf.Tensor4D[],
          args.slice(3, 6) as tf.Scalar[],
          args.slice(6) as tf.Scalar[],
          () => 5,
          EPSILON,
        ),
      ))
    );
    const reference = tf.grads((...args: tf.Tensor[]) => {
      const os = args.slice(0, 3);
      const mean = tf.addN(os.map((o, k) => tf.mul(o, args[3 + k])));
      const variance = tf.addN(os.map((o, k) => tf.mul(tf.square(o), args[6 + k])));
      const epsilon = fixedNoise(5)(mean.shape as Shape4);
      return tf.sum(
        tf.mul(weights, tf.add(mean, tf.mul(epsilon, tf.sqrt(tf.add(variance, EPSILON))))),
      );
    });

    const inputs = [...outputs, ...means, ...variances];
    const actual = fused(inputs);
    const expected = reference(inputs);
    actual.forEach((gradient, i) => {
      const error = maxRelativeError(gradient, expected[i]);
      assert.ok(error < TOLERANCE, `gradient of input ${i}: relative error ${error}`);
    });

    tf.dispose([...actual, ...expected, ...inputs, weights]);
    assert.equal(tf.memory().numTensors, before);
  });
}

for (const backend of ["cpu", "wasm"] as const) {
  Deno.test(`lrtSample's fused kernel matches the formula on ${backend}`, async () => {
    await initBackend(backend);
    const before = tf.memory().numTensors;
    const mean = tf.randomNormal([3, 5, 5, 2], 0, 1, "float32", 30);
    const variance = tf.randomUniform([3, 5, 5, 2], 0, 2, "float32", 31);

    const [y, ratio] = lrtSample(mean, variance, 77, EPSILON);
    const [expectedY, expectedRatio] = tf.tidy(() => {
      const epsilon = seededNormal(mean.shape, 77);
      const std = tf.sqrt(tf.add(variance, EPSILON));
      return [tf.add(mean, tf.mul(epsilon, std)), tf.div(epsilon, std)];
    });

    // float64 arithmetic in the kernel against float32 kernels: a few roundings.
    assert.ok(maxRelativeError(y, expectedY) < 1e-6, "y");
    assert.ok(maxRelativeError(ratio, expectedRatio) < 1e-6, "ratio");
    tf.dispose([mean, variance, y, ratio, expectedY, expectedRatio]);
    assert.equal(tf.memory().numTensors, before);
  });
}

Deno.test("lrtSample rejects a variance of another shape", () => {
  const mean = tf.zeros([2, 3]);
  const variance = tf.zeros([3, 2]);
  assert.throws(() => lrtSample(mean, variance, 1, EPSILON), /shapes must be equal/);
  tf.dispose([mean, variance]);
});

Deno.test("lrtMixture rejects a missing variance", () => {
  const output = tf.zeros([1, 1, 1, 1]) as tf.Tensor4D;
  const mean = tf.scalar(1);
  assert.throws(
    () => lrtMixture([output], [mean], [], () => 1, EPSILON),
    /Cannot mix 1 outputs with 1 means and 0 variances/,
  );
  tf.dispose([output, mean]);
});

Deno.test("fillNormal draws standard normal values", () => {
  // 200 000 draws: the sample mean has standard error 0.0022 and the sample
  // variance about 0.0032; 5 standard errors are allowed.
  const values = new Float32Array(200_000);
  fillNormal(values, 42);
  let sum = 0;
  let squares = 0;
  let below = 0;
  for (const value of values) {
    sum += value;
    squares += value * value;
    if (value < -1.959964) below += 1;
  }
  const mean = sum / values.length;
  const variance = squares / values.length - mean * mean;
  assert.ok(Math.abs(mean) < 0.011, `mean ${mean}`);
  assert.ok(Math.abs(variance - 1) < 0.016, `variance ${variance}`);
  // P(Z < −1.96) = 0.025, standard error 0.00035.
  assert.ok(
    Math.abs(below / values.length - 0.025) < 0.0018,
    `lower tail ${below / values.length}`,
  );
});

Deno.test("fillNormal repeats a seed and differs between seeds", () => {
  const first = new Float32Array(64);
  const again = new Float32Array(64);
  const other = new Float32Array(64);
  fillNormal(first, 7);
  fillNormal(again, 7);
  fillNormal(other, 8);
  assert.deepEqual(first, again);
  assert.notDeepEqual(first, other);
});
