import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { conv2d, depthwiseConv2d } from "../engine/ops.ts";
import { forwardContext, NoiseSource } from "./context.ts";
import { countParameters } from "./count_parameters.ts";
import { ParameterStore } from "./parameter_store.ts";
import { createVariationalConvolutions, VariationalConvolution } from "./variational_conv.ts";

tf.env().set("PROD", true);
await tf.setBackend("cpu");

// Monte Carlo samples per check. The sample mean of N draws has standard
// error sqrt(var / N), and the sample variance has a relative standard error
// of about sqrt(2 / N). The checks allow 5 standard errors, so a correct
// layer fails with probability below 1e-5 per element.
const SAMPLES = 4000;
const STANDARD_ERRORS = 5;

function assertMomentsMatch(
  samples: Float32Array,
  count: number,
  mean: Float32Array,
  variance: Float32Array,
  label: string,
): void {
  const size = mean.length;
  for (let j = 0; j < size; j++) {
    let sum = 0;
    let sumSquares = 0;
    for (let i = 0; i < count; i++) {
      const value = samples[i * size + j];
      sum += value;
      sumSquares += value * value;
    }
    const empiricalMean = sum / count;
    const empiricalVariance = sumSquares / count - empiricalMean ** 2;

    const meanError = STANDARD_ERRORS * Math.sqrt(variance[j] / count);
    assert.ok(
      Math.abs(empiricalMean - mean[j]) <= meanError,
      `${label} mean of element ${j}: got ${empiricalMean}, expected ${mean[j]} ± ${meanError}`,
    );
    const varianceError = STANDARD_ERRORS * Math.sqrt(2 / count) * variance[j];
    assert.ok(
      Math.abs(empiricalVariance - variance[j]) <= varianceError,
      `${label} variance of element ${j}: got ${empiricalVariance}, expected ${
        variance[j]
      } ± ${varianceError}`,
    );
  }
}

/** Builds a store with one layer whose θ and log σ² are seeded random values. */
function buildLayer(depthwise: boolean) {
  const store = new ParameterStore();
  const factory = createVariationalConvolutions({ seed: 3 });
  const options = { kernelSize: 3, stride: 2, padding: 2, dilation: 2 };
  const layer = depthwise
    ? factory.depthwise(store, "conv", { channels: 2, ...options })
    : factory.conv2d(store, "conv", { inChannels: 2, outChannels: 3, ...options });
  const { theta, logSigma2 } = (layer as VariationalConvolution).kernel;
  logSigma2.assign(tf.randomUniform(theta.shape, -4, -1, "float32", 11));
  return { store, layer, theta, logSigma2, options };
}

for (const depthwise of [false, true]) {
  const kind = depthwise ? "depthwise" : "full";

  Deno.test(`VariationalConvolution ${kind} LRT matches weight sampling`, () => {
    const { store, layer, theta, logSigma2, options } = buildLayer(depthwise);
    const x = tf.randomNormal([1, 6, 6, 2], 0, 1, "float32", 5) as tf.Tensor4D;
    const convolve = depthwise ? depthwiseConv2d : conv2d;
    const before = tf.memory().numTensors;

    // Analytic LRT moments: μ = conv(x, θ), s² = conv(x², σ²).
    const mean = tf.tidy(() => convolve(x, theta as tf.Tensor4D, options));
    const variance = tf.tidy(() => convolve(x.square(), logSigma2.exp() as tf.Tensor4D, options));

    // The layer's training output for SAMPLES copies of x.
    const context = forwardContext(true, new NoiseSource(7));
    const layerSamples = tf.tidy(() => layer.forward(tf.tile(x, [SAMPLES, 1, 1, 1]), context));

    // Weight sampling: w = θ + σ·ξ for each sample, one convolution per sample.
    const weightSamples = tf.tidy(() => {
      const outputs: tf.Tensor4D[] = [];
      const sigma = logSigma2.mul(0.5).exp();
      for (let i = 0; i < SAMPLES / 4; i++) {
        const noise = tf.randomNormal(theta.shape, 0, 1, "float32", 100 + i);
        outputs.push(convolve(x, theta.add(sigma.mul(noise)) as tf.Tensor4D, options));
      }
      return tf.concat(outputs, 0);
    });

    const meanValues = mean.dataSync() as Float32Array;
    const varianceValues = variance.dataSync() as Float32Array;
    assertMomentsMatch(
      layerSamples.dataSync() as Float32Array,
      SAMPLES,
      meanValues,
      varianceValues,
      "LRT output",
    );
    assertMomentsMatch(
      weightSamples.dataSync() as Float32Array,
      SAMPLES / 4,
      meanValues,
      varianceValues,
      "weight sampling",
    );
    tf.dispose([mean, variance, layerSamples, weightSamples]);
    assert.equal(tf.memory().numTensors, before);
    x.dispose();
    store.dispose();
  });
}

Deno.test("VariationalConvolution inference zeroes pruned weights", () => {
  const store = new ParameterStore();
  const layer = createVariationalConvolutions().conv2d(store, "conv", {
    inChannels: 1,
    outChannels: 1,
    kernelSize: 1,
    stride: 1,
    padding: 0,
    dilation: 1,
  }) as VariationalConvolution;
  layer.kernel.theta.assign(tf.tensor4d([0.5], [1, 1, 1, 1]));
  const x = tf.ones([1, 2, 2, 1]) as tf.Tensor4D;
  const context = forwardContext(false, new NoiseSource(1));

  // log α = log σ² − log θ² = -10 − log 0.25 ≈ -8.6: kept.
  const kept = layer.forward(x, context);
  // log α = 3.5 − log 0.25 ≈ 4.9 > 3: pruned.
  layer.kernel.logSigma2.assign(tf.tensor4d([3.5], [1, 1, 1, 1]));
  const pruned = layer.forward(x, context);

  assert.deepEqual(Array.from(kept.dataSync()), [0.5, 0.5, 0.5, 0.5]);
  assert.deepEqual(Array.from(pruned.dataSync()), [0, 0, 0, 0]);
  tf.dispose([x, kept, pruned]);
  store.dispose();
});

Deno.test("VariationalConvolution trains θ and log σ²", () => {
  const { store, layer, theta, logSigma2 } = buildLayer(false);
  const x = tf.randomNormal([2, 6, 6, 2], 0, 1, "float32", 5) as tf.Tensor4D;
  const context = forwardContext(true, new NoiseSource(7));

  const { grads } = tf.variableGrads(() => layer.forward(x, context).square().sum() as tf.Scalar);

  assert.ok(tf.tidy(() => grads[theta.name].abs().sum().dataSync()[0]) > 0);
  assert.ok(tf.tidy(() => grads[logSigma2.name].abs().sum().dataSync()[0]) > 0);
  tf.dispose([x, ...Object.values(grads)]);
  store.dispose();
});

Deno.test("createVariationalConvolutions registers a weight pair", () => {
  const store = new ParameterStore();
  createVariationalConvolutions({ logSigma2Init: -7 }).depthwise(store.scope("cell"), "dw", {
    channels: 4,
    kernelSize: 5,
    stride: 1,
    padding: 2,
    dilation: 1,
  });

  const [pair] = store.variationalPairs("weight");
  assert.equal(pair.name, "cell.dw");
  assert.deepEqual(pair.theta.shape, [5, 5, 4, 1]);
  assert.equal(store.get("cell.dw.theta")?.role, "weight");
  assert.equal(store.get("cell.dw.log_sigma2")?.role, "log-sigma2");
  assert.equal(pair.logSigma2.dataSync()[0], -7);
  store.dispose();
});

Deno.test("createVariationalConvolutions is reproducible per seed", () => {
  const draw = (seed: number) => {
    const store = new ParameterStore();
    const options = { inChannels: 2, outChannels: 2, kernelSize: 3, stride: 1, padding: 1 };
    createVariationalConvolutions({ seed }).conv2d(store, "conv", { ...options, dilation: 1 });
    const values = Array.from(store.variationalPairs()[0].theta.dataSync());
    store.dispose();
    return values;
  };

  assert.deepEqual(draw(1), draw(1));
  assert.notDeepEqual(draw(1), draw(2));
  // PyTorch's default bound 1/√fanIn with fanIn = 2·3².
  assert.ok(draw(1).every((value) => Math.abs(value) <= 1 / Math.sqrt(18)));
});

Deno.test("countParameters counts weights with log α ≤ threshold", async () => {
  const store = new ParameterStore();
  const layer = createVariationalConvolutions().conv2d(store, "conv", {
    inChannels: 1,
    outChannels: 4,
    kernelSize: 1,
    stride: 1,
    padding: 0,
    dilation: 1,
  }) as VariationalConvolution;
  layer.kernel.theta.assign(tf.tensor4d([1, 1, 1, 0], [1, 1, 1, 4]));
  // log α = log σ² − log(θ² + 1e-8): 2.9 (kept), 3 (kept, at the threshold),
  // 3.1 (pruned), and -10 + 18.4 for θ = 0 (pruned).
  layer.kernel.logSigma2.assign(tf.tensor4d([2.9, 3, 3.1, -10], [1, 1, 1, 4]));
  store.add("classifier.weight", tf.zeros([3, 5]), { role: "weight" });
  store.scope("head", { auxiliary: true }).add("weight", tf.zeros([7]), { role: "weight" });
  store.add("bn.running_mean", tf.zeros([4]), { role: "buffer" });
  store.add("alpha", tf.zeros([14, 8]), { role: "architecture" });
  const before = tf.memory().numTensors;

  const counts = await countParameters(store, { threshold: 3 });

  assert.equal(counts.total, 4 + 15);
  assert.equal(counts.nonZero, 2 + 15);
  assert.equal(tf.memory().numTensors, before);
  store.dispose();
});
