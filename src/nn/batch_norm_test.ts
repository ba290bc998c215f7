import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { initBackend } from "../engine/backend.ts";
import { BatchNorm } from "./batch_norm.ts";
import { forwardContext, NoiseSource } from "./context.ts";
import { ParameterStore } from "./parameter_store.ts";

const TOLERANCE = 1e-5;

function close(actual: ArrayLike<number>, expected: number[], message: string): void {
  assert.equal(actual.length, expected.length, message);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(
      Math.abs(actual[i] - expected[i]) < TOLERANCE,
      `${message}: ${actual[i]} vs ${expected[i]}`,
    );
  }
}

Deno.test("BatchNorm updates running statistics like PyTorch", async () => {
  await initBackend("cpu");
  const store = new ParameterStore();
  const batchNorm = new BatchNorm(store, "bn", { channels: 2, affine: false });
  // Channel 0 contains 1, 2, 3, 4 (mean 2.5, unbiased variance 5/3) and channel 1 four zeros.
  const x = tf.tensor4d([1, 0, 2, 0, 3, 0, 4, 0], [2, 2, 1, 2]);

  const y = batchNorm.forward(x, forwardContext(true, new NoiseSource(0)));

  // running = 0.9 · running + 0.1 · batch statistic, starting from mean 0 and variance 1.
  close(await batchNorm.runningMean.data(), [0.25, 0], "running mean");
  close(await batchNorm.runningVariance.data(), [0.9 + 0.1 * 5 / 3, 0.9], "running variance");
  // The output uses the biased variance 1.25.
  const scale = 1 / Math.sqrt(1.25 + 1e-5);
  close(
    await y.data(),
    [-1.5 * scale, 0, -0.5 * scale, 0, 0.5 * scale, 0, 1.5 * scale, 0],
    "output",
  );

  tf.dispose([x, y]);
  store.dispose();
});

Deno.test("BatchNorm uses running statistics at inference", async () => {
  await initBackend("cpu");
  const store = new ParameterStore();
  const batchNorm = new BatchNorm(store, "bn", { channels: 1, affine: true });
  const x = tf.tensor4d([2, 4], [1, 1, 2, 1]);
  const before = tf.memory().numTensors;

  // Fresh statistics are mean 0 and variance 1, γ = 1 and β = 0: nearly the identity.
  const y = batchNorm.forward(x, forwardContext(false, new NoiseSource(0)));
  close(await y.data(), [2 / Math.sqrt(1 + 1e-5), 4 / Math.sqrt(1 + 1e-5)], "output");
  close(await batchNorm.runningMean.data(), [0], "running mean stays");

  y.dispose();
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
  store.dispose();
});

Deno.test("BatchNorm registers weights and buffers by role", async () => {
  await initBackend("cpu");
  const store = new ParameterStore();
  new BatchNorm(store, "affine", { channels: 3, affine: true });
  new BatchNorm(store, "plain", { channels: 3, affine: false });

  assert.deepEqual(store.entries((e) => e.role === "weight").map((e) => e.name), [
    "affine.weight",
    "affine.bias",
  ]);
  assert.deepEqual(store.entries((e) => e.role === "buffer").map((e) => e.name), [
    "affine.running_mean",
    "affine.running_var",
    "plain.running_mean",
    "plain.running_var",
  ]);
  store.dispose();
});
