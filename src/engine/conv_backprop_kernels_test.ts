import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { Rng } from "../util/random.ts";
import { initBackend } from "./backend.ts";
import { conv2d, depthwiseConv2d } from "./ops.ts";
import { skipReason, TEST_BACKENDS } from "./testing/backends.ts";
import { checkGradients } from "./testing/gradient_check.ts";
import {
  type Array4,
  referenceConvolution,
  referenceConvolutionGradients,
  relativeError,
} from "./testing/reference_ops.ts";

// Outputs and gradients against float64 loops: the largest absolute error
// relative to the largest reference entry. float32 sums of at most a few
// hundred products stay well within 1e-5.
const EXACT_TOLERANCE = 1e-5;

// [kernel, stride, padding, dilation]: DARTS's cases (sep_conv, dil_conv,
// FactorizedReduce at stride 1 and 2), a dilation that is not a multiple of
// the stride, and padding beyond the kernel extent.
const CASES: Array<[number, number, number, number]> = [
  [1, 1, 0, 1],
  [1, 2, 0, 1],
  [3, 1, 1, 1],
  [3, 2, 1, 1],
  [3, 2, 0, 1],
  [5, 1, 2, 1],
  [5, 2, 2, 1],
  [3, 1, 2, 2],
  [5, 1, 4, 2],
  [3, 2, 2, 2],
  [5, 2, 4, 2],
  [3, 3, 2, 2],
  [3, 1, 3, 1],
  [3, 2, 3, 1],
];

function randomArray(shape: [number, number, number, number], rng: Rng): Array4 {
  const size = shape.reduce((a, b) => a * b, 1);
  return { values: Float64Array.from({ length: size }, () => rng.next() * 2 - 1), shape };
}

function toTensor(a: Array4): tf.Tensor4D {
  return tf.tensor4d(Float32Array.from(a.values), a.shape);
}

for (const backend of TEST_BACKENDS) {
  const ignore = await skipReason(backend);
  if (ignore !== undefined) console.log(`Skipping the ${backend} kernel tests: ${ignore}.`);

  for (const depthwise of [false, true]) {
    const kind = depthwise ? "depthwise" : "conv2d";

    Deno.test({
      name: `${kind} gradients match float64 loops on ${backend}`,
      ignore: ignore !== undefined,
      fn: async () => {
        await initBackend(backend);
        const rng = new Rng(7);
        const before = tf.memory().numTensors;

        for (const [kernel, stride, padding, dilation] of CASES) {
          const label = `k${kernel} s${stride} p${padding} d${dilation}`;
          const x = randomArray([2, 7, 8, 3], rng);
          const filter = randomArray(
            depthwise ? [kernel, kernel, 3, 1] : [kernel, kernel, 3, 4],
            rng,
          );
          const options = { stride, padding, dilation, depthwise };
          const y = referenceConvolution(x, filter, options);
          const dy = randomArray(y.shape, rng);
          const expected = referenceConvolutionGradients(x, filter, dy, options);

          const op = depthwise ? depthwiseConv2d : conv2d;
          const [xT, filterT, dyT] = [toTensor(x), toTensor(filter), toTensor(dy)];
          const gradients = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
            tf.sum(tf.mul(op(a as tf.Tensor4D, b as tf.Tensor4D, options), dyT))
          );
          const [dx, dFilter] = gradients([xT, filterT]);
          const output = op(xT, filterT, options);

          assert.deepEqual(output.shape, y.shape, `output shape, ${label}`);
          const outputError = relativeError(await output.data(), y.values);
          assert.ok(outputError < EXACT_TOLERANCE, `output error ${outputError}, ${label}`);
          const dxError = relativeError(await dx.data(), expected.dx.values);
          assert.ok(dxError < EXACT_TOLERANCE, `input gradient error ${dxError}, ${label}`);
          const dFilterError = relativeError(await dFilter.data(), expected.dFilter.values);
          assert.ok(
            dFilterError < EXACT_TOLERANCE,
            `filter gradient error ${dFilterError}, ${label}`,
          );

          tf.dispose([xT, filterT, dyT, dx, dFilter, output]);
        }

        assert.equal(tf.memory().numTensors, before);
      },
    });
  }

  Deno.test({
    name: `standard backprop kernels accept same padding on ${backend}`,
    ignore: ignore !== undefined,
    fn: async () => {
      await initBackend(backend);
      const rng = new Rng(11);
      const before = tf.memory().numTensors;

      // 'same' at stride 2 on an even size pads 0 on top and 1 at the bottom.
      const x = randomArray([2, 6, 6, 3], rng);
      const filter = randomArray([3, 3, 3, 4], rng);
      const options = { stride: 2, padding: [0, 1, 0, 1] as [number, number, number, number] };
      const reference = { ...options, dilation: 1, depthwise: false };
      const y = referenceConvolution(x, filter, reference);
      const dy = randomArray(y.shape, rng);
      const expected = referenceConvolutionGradients(x, filter, dy, reference);

      const [xT, filterT, dyT] = [toTensor(x), toTensor(filter), toTensor(dy)];
      const dx = tf.conv2dTranspose(dyT, filterT, x.shape, 2, "same");
      const dFilter = tf.engine().runKernel("Conv2DBackpropFilter", { x: xT, dy: dyT }, {
        strides: 2,
        pad: "same",
        dataFormat: "NHWC",
        filterShape: filter.shape,
      }) as tf.Tensor;

      assert.ok(relativeError(await dx.data(), expected.dx.values) < EXACT_TOLERANCE);
      assert.ok(
        relativeError(await dFilter.data(), expected.dFilter.values) < EXACT_TOLERANCE,
      );
      tf.dispose([xT, filterT, dyT, dx, dFilter]);
      assert.equal(tf.memory().numTensors, before);
    },
  });
}

Deno.test("dilated strided gradients match finite differences", async () => {
  await initBackend("cpu");
  const rng = new Rng(3);
  const before = tf.memory().numTensors;

  for (const depthwise of [false, true]) {
    const xInitial = toTensor(randomArray([2, 8, 8, 3], rng));
    const filterInitial = toTensor(randomArray(depthwise ? [5, 5, 3, 1] : [3, 3, 3, 2], rng));
    const x = tf.variable(xInitial);
    const filter = tf.variable(filterInitial);
    const op = depthwise ? depthwiseConv2d : conv2d;
    const options = { stride: 2, padding: depthwise ? 4 : 2, dilation: 2 };

    // The function is linear in each variable, so the central difference is
    // exact up to float32 rounding of the outputs: 1e-3 relative.
    const comparisons = await checkGradients({
      output: () => op(x as tf.Tensor4D, filter as tf.Tensor4D, options),
      variables: [x, filter],
      step: 1e-2,
    });
    for (const comparison of comparisons) {
      assert.ok(comparison.maxRelativeError < 1e-3, JSON.stringify(comparison));
    }
    tf.dispose([x, filter, xInitial, filterInitial]);
  }

  assert.equal(tf.memory().numTensors, before);
});
