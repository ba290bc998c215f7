import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { Rng } from "../../util/random.ts";
import { initBackend } from "../backend.ts";
import { lrtConvolution } from "../lrt_convolution.ts";
import { referenceConvolutionGradients, relativeError } from "../testing/reference_ops.ts";
import type { Array4 } from "../testing/reference_ops.ts";

// The WebAssembly kernels against float64 loops for the loss Σ w·y, with the
// noise recovered from the output: y − μ = ε·s and r = ε / s, so r = (y − μ) / s².
// Recovering r costs a division and a subtraction, hence 1e-4 relative.
const TOLERANCE = 1e-4;

type Shape4 = [number, number, number, number];

function _random(shape: Shape4, rng: Rng, f: (v: number) => number = (v) => v): Array4 {
  const size = shape.reduce((p, q) => p * q, 1);
  const values = Float32Array.from({ length: size }, () => f(rng.normal()));
  return { values: Float64Array.from(values), shape };
}

function _tensor(array: Array4): tf.Tensor4D {
  return tf.tensor4d(Float32Array.from(array.values), array.shape);
}

// 4 → 8 and 8 → 4 take the kernels; 6 → 4 checks the composed fallback.
for (const [inChannels, outChannels] of [[4, 8], [8, 4], [6, 4]]) {
  Deno.test(`wasm LRT 1×1 gradients match float64 loops, ${inChannels} → ${outChannels}`, async () => {
    await initBackend("wasm");
    const rng = new Rng(inChannels * 10 + outChannels);
    // 3·7·9 = 189 pixels: more than one float32 block of 64 in the filter gradient.
    const x = _random([3, 7, 9, inChannels], rng);
    const theta = _random([1, 1, inChannels, outChannels], rng, (v) => 0.5 * v);
    const logSigma2 = _random([1, 1, inChannels, outChannels], rng, (v) => -3 + 0.5 * v);
    const weights = _random([3, 7, 9, outChannels], rng);
    const tensors = [x, theta, logSigma2, weights].map(_tensor);
    const [xt, thetaT, logSigma2T, weightsT] = tensors;
    const options = {
      kind: "full" as const,
      stride: 1,
      padding: 0,
      dilation: 1,
      varianceEpsilon: 1e-8,
    };
    const before = tf.memory().numTensors;

    const { value, grads } = tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor, d: tf.Tensor) =>
      tf.sum(tf.mul(
        lrtConvolution(a as tf.Tensor4D, b as tf.Tensor4D, d as tf.Tensor4D, () => 3, options),
        weightsT,
      ))
    )([xt, thetaT, logSigma2T]);
    const actual = await Promise.all(grads.map((g) => g.data() as Promise<Float32Array>));
    tf.dispose([value, ...grads]);
    assert.equal(tf.memory().numTensors, before, "tensors leaked");

    const ratio = tf.tidy(() => {
      const y = lrtConvolution(xt, thetaT, logSigma2T, () => 3, options);
      const mean = tf.conv2d(xt, thetaT, 1, 0);
      const variance = tf.conv2d(tf.square(xt), tf.exp(logSigma2T) as tf.Tensor4D, 1, 0);
      return tf.div(tf.sub(y, mean), tf.add(variance, 1e-8));
    });
    const r = Float64Array.from(await ratio.data() as Float32Array);
    ratio.dispose();

    const reference = { stride: 1, padding: 0, dilation: 1, depthwise: false };
    const sigma2 = { values: logSigma2.values.map(Math.exp), shape: logSigma2.shape };
    const g = { values: weights.values.map((w, i) => w * r[i]), shape: weights.shape };
    const square = { values: x.values.map((v) => v * v), shape: x.shape };
    const meanPath = referenceConvolutionGradients(x, theta, weights, reference);
    const varianceInput = referenceConvolutionGradients(x, sigma2, g, reference).dx.values;
    const varianceFilter =
      referenceConvolutionGradients(square, sigma2, g, reference).dFilter.values;
    const expected = [
      meanPath.dx.values.map((v, i) => v + x.values[i] * varianceInput[i]),
      meanPath.dFilter.values,
      varianceFilter.map((v, i) => 0.5 * sigma2.values[i] * v),
    ];

    for (const [i, name] of ["x", "θ", "log σ²"].entries()) {
      const error = relativeError(actual[i], expected[i]);
      assert.ok(error < TOLERANCE, `d${name}: relative error ${error}`);
    }
    tf.dispose(tensors);
  });
}

Deno.test("wasm LRT 1×1 kernels reject unsupported operands", async () => {
  await initBackend("wasm");
  const x = tf.zeros([1, 2, 2, 6]);
  const dy = tf.zeros([1, 2, 2, 4]);
  const filter = tf.zeros([1, 1, 6, 4]);
  const wrongDy = tf.zeros([1, 2, 3, 8]);
  const filter8 = tf.zeros([1, 1, 4, 8]);
  const x4 = tf.zeros([1, 2, 2, 4]);

  assert.throws(
    () =>
      tf.engine().runKernel("EngineLrtPointwiseBackpropInput", {
        dy,
        ratio: dy,
        x,
        theta: filter,
        variance: filter,
      }),
    /channel counts divisible by 4/,
  );
  assert.throws(
    () =>
      tf.engine().runKernel("EngineLrtPointwiseBackpropFilter", {
        x: x4,
        dy: wrongDy,
        ratio: wrongDy,
        variance: filter8,
      }),
    /dy is float32 \[1,2,3,8\], expected float32 \[1,2,2,8\]/,
  );
  tf.dispose([x, dy, filter, wrongDy, filter8, x4]);
});
