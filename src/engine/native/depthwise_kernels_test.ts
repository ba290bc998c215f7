import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { Rng } from "../../util/random.ts";
import { initBackend } from "../backend.ts";
import { lrtConvolution } from "../lrt_convolution.ts";
import {
  type Array4,
  outputSize,
  referenceConvolutionGradients,
  relativeError,
} from "../testing/reference_ops.ts";
import { LRT_DEPTHWISE_KERNELS } from "./depthwise_kernels.ts";

// float32 kernels against float64 loops, relative to the largest entry: the
// filter gradients sum up to 2·9·9 float32 products per row.
const TOLERANCE = 1e-5;

type Shape4 = [number, number, number, number];

interface _Case {
  kernel: number;
  stride: number;
  padding: number;
  dilation: number;
  channels: number;
}

// Channel counts divisible by 4 take the WebAssembly kernels on wasm; 6
// checks that other counts still reach the fallback.
const _CASES: _Case[] = [
  { kernel: 3, stride: 1, padding: 1, dilation: 1, channels: 4 },
  { kernel: 5, stride: 2, padding: 2, dilation: 1, channels: 8 },
  { kernel: 3, stride: 2, padding: 1, dilation: 1, channels: 4 },
  { kernel: 3, stride: 1, padding: 2, dilation: 2, channels: 8 },
  { kernel: 5, stride: 1, padding: 4, dilation: 2, channels: 16 },
  { kernel: 3, stride: 1, padding: 1, dilation: 1, channels: 6 },
];

function _random(shape: Shape4, rng: Rng, scale = 1): Array4 {
  const size = shape.reduce((p, q) => p * q, 1);
  return { values: Float64Array.from({ length: size }, () => rng.normal() * scale), shape };
}

function _tensor(array: Array4): tf.Tensor4D {
  return tf.tensor4d(Float32Array.from(array.values), array.shape);
}

/** Rounds to float32, so that the reference gets exactly the kernel's inputs. */
function _rounded(array: Array4): Array4 {
  return { values: Float64Array.from(Float32Array.from(array.values)), shape: array.shape };
}

function _map(a: Array4, f: (value: number, i: number) => number): Array4 {
  return { values: a.values.map(f), shape: a.shape };
}

function _label({ kernel, stride, padding, dilation, channels }: _Case): string {
  return `${kernel}x${kernel} s${stride} p${padding} d${dilation} C${channels}`;
}

function _shapes(c: _Case): { input: Shape4; filter: Shape4; output: Shape4 } {
  const size = 9;
  const out = outputSize(size, c.kernel, c.stride, c.padding, c.dilation);
  return {
    input: [2, size, size, c.channels],
    filter: [c.kernel, c.kernel, c.channels, 1],
    output: [2, out, out, c.channels],
  };
}

for (const c of _CASES) {
  Deno.test(`wasm depthwise gradients match float64 loops, ${_label(c)}`, async () => {
    await initBackend("wasm");
    const rng = new Rng(c.kernel * 100 + c.channels);
    const { input, filter, output } = _shapes(c);
    const x = _rounded(_random(input, rng));
    const theta = _rounded(_random(filter, rng));
    const dy = _rounded(_random(output, rng));
    const options = { ...c, depthwise: true };
    const expected = referenceConvolutionGradients(x, theta, dy, options);

    const xt = _tensor(x);
    const thetaT = _tensor(theta);
    const dyT = _tensor(dy);
    const before = tf.memory().numTensors;
    const dFilter = tf.engine().runKernel(
      "DepthwiseConv2dNativeBackpropFilter",
      { x: xt, dy: dyT },
      {
        strides: c.stride,
        pad: c.padding,
        dilations: c.dilation,
        filterShape: filter,
      } as unknown as tf.NamedAttrMap,
    ) as tf.Tensor;
    const dx = tf.engine().runKernel(
      "DepthwiseConv2dNativeBackpropInput",
      { dy: dyT, filter: thetaT },
      {
        strides: c.stride,
        pad: c.padding,
        dilations: c.dilation,
        inputShape: input,
      } as unknown as tf.NamedAttrMap,
    ) as tf.Tensor;

    const filterError = relativeError(
      await dFilter.data() as Float32Array,
      expected.dFilter.values,
    );
    const inputError = relativeError(await dx.data() as Float32Array, expected.dx.values);
    assert.ok(filterError < TOLERANCE, `filter gradient: relative error ${filterError}`);
    assert.ok(inputError < TOLERANCE, `input gradient: relative error ${inputError}`);
    tf.dispose([dFilter, dx]);
    assert.equal(tf.memory().numTensors, before, "tensors leaked");
    tf.dispose([xt, thetaT, dyT]);
  });

  Deno.test(`wasm LRT depthwise gradients match float64 loops, ${_label(c)}`, async () => {
    await initBackend("wasm");
    const rng = new Rng(c.kernel * 1000 + c.channels);
    const { input, filter, output } = _shapes(c);
    const x = _rounded(_random(input, rng));
    const theta = _rounded(_random(filter, rng, 0.5));
    const logSigma2 = _rounded(_map(_random(filter, rng), (v) => -3 + 0.5 * v));
    const weights = _rounded(_random(output, rng));

    // The fused operation with a recorded ratio r, so the reference can use
    // the same noise: dx = convᵀ(w, θ) + x·convᵀ(w·r, σ²), dθ = dW(x, w),
    // d log σ² = ½σ²·dW(x², w·r) for the loss Σ w·y.
    const xt = _tensor(x);
    const thetaT = _tensor(theta);
    const logSigma2T = _tensor(logSigma2);
    const weightsT = _tensor(weights);
    const convolution = {
      kind: "depthwise" as const,
      stride: c.stride,
      padding: c.padding,
      dilation: c.dilation,
      varianceEpsilon: 1e-8,
    };
    const { value, grads } = tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor, d: tf.Tensor) =>
      tf.sum(tf.mul(
        lrtConvolution(a as tf.Tensor4D, b as tf.Tensor4D, d as tf.Tensor4D, () => 5, convolution),
        weightsT,
      ))
    )([xt, thetaT, logSigma2T]);

    // r from the same draw: y − μ = ε·s, and r = ε / s, so r = (y − μ) / s².
    const mean = tf.depthwiseConv2d(xt, thetaT, c.stride, c.padding, "NHWC", c.dilation);
    const variance = tf.depthwiseConv2d(
      tf.square(xt),
      tf.exp(logSigma2T) as tf.Tensor4D,
      c.stride,
      c.padding,
      "NHWC",
      c.dilation,
    );
    const y = lrtConvolution(xt, thetaT, logSigma2T, () => 5, convolution);
    const ratio = Float64Array.from(
      await tf.div(tf.sub(y, mean), tf.add(variance, 1e-8)).data() as Float32Array,
    );
    const sigma2 = _map(logSigma2, Math.exp);
    const options = { ...c, depthwise: true };
    const g = _map(weights, (w, i) => w * ratio[i]);
    const meanPath = referenceConvolutionGradients(x, theta, weights, options);
    const variancePath = referenceConvolutionGradients(_map(x, (v) => v * v), sigma2, g, options);
    const varianceInput = referenceConvolutionGradients(x, sigma2, g, options).dx.values;
    const expectedDx = meanPath.dx.values.map((v, i) => v + x.values[i] * varianceInput[i]);
    const expectedLogSigma2 = variancePath.dFilter.values.map((v, i) => 0.5 * sigma2.values[i] * v);

    const errors = [
      relativeError(await grads[0].data() as Float32Array, expectedDx),
      relativeError(await grads[1].data() as Float32Array, meanPath.dFilter.values),
      relativeError(await grads[2].data() as Float32Array, expectedLogSigma2),
    ];
    // The ratio is recovered through a division, so allow a little more.
    for (const [i, name] of ["x", "θ", "log σ²"].entries()) {
      assert.ok(errors[i] < 1e-4, `d${name}: relative error ${errors[i]}`);
    }
    const native = tf.getKernel(LRT_DEPTHWISE_KERNELS.filter, "wasm") !== undefined;
    assert.ok(native, "the LRT depthwise kernels are not registered on wasm");

    tf.dispose([value, ...grads, mean, variance, y, xt, thetaT, logSigma2T, weightsT]);
  });
}

Deno.test("wasm LRT depthwise kernels reject mismatched operands", async () => {
  await initBackend("wasm");
  const x = tf.zeros([1, 5, 5, 4]);
  const filter = tf.zeros([3, 3, 4, 1]);
  const wrongDy = tf.zeros([1, 4, 5, 4]);
  const attrs = {
    strides: 1,
    pad: 1,
    dilations: 1,
    inputShape: [1, 5, 5, 4],
    filterShape: [3, 3, 4, 1],
  } as unknown as tf.NamedAttrMap;

  assert.throws(
    () =>
      tf.engine().runKernel(
        LRT_DEPTHWISE_KERNELS.filter,
        { x, dy: wrongDy, ratio: wrongDy, variance: filter },
        attrs,
      ),
    /dy is float32 \[1,4,5,4\], expected float32 \[1,5,5,4\]/,
  );
  tf.dispose([x, filter, wrongDy]);
});
