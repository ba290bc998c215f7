import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../src/engine/mod.ts";
import { forwardContext, NoiseSource } from "../src/nn/context.ts";
import { searchLoss } from "../src/search/search_objective.ts";
import { buildSearchNetwork } from "../src/search/search_network.ts";
import { searchSettings } from "../src/search/settings.ts";
import { unrolledArchitectureGradient } from "../src/search/unrolled_gradient.ts";
import { syntheticSources } from "./search_fixtures.ts";

await initBackend("cpu");

// The finite-difference check of the second-order formula runs on a smooth
// model in src/search/unrolled_gradient_test.ts. On a ReLU supergraph,
// ∇w L_train jumps whenever a ReLU or max-pool switches, so finite
// differences of the unrolled objective do not converge. Measured on this
// network, the estimates for one α ranged from 0.16 to -0.83 for steps from
// 1e-2 to 1e-3. This file checks the wiring on a real supergraph instead.

function tinySearch() {
  const settings = searchSettings({ cells: 3, initChannels: 2 });
  const sources = syntheticSources({ size: 8, channels: 1, classes: 3, examples: 6, seed: 2 });
  const network = buildSearchNetwork("darts-second-order", settings, sources, 5);
  const [trainBatch] = [...sources.train.batches(0, 6, false)];
  const [validBatch] = [...sources.valid.batches(0, 6, false)];
  const context = forwardContext(true, new NoiseSource(1));
  const { store, supergraph } = network;
  return {
    store,
    weights: store.entries((entry) => entry.role === "weight"),
    architecture: store.entries((entry) => entry.role === "architecture"),
    trainLoss: searchLoss(supergraph, store, trainBatch, context, null),
    validLoss: searchLoss(supergraph, store, validBatch, context, null),
    dispose: () => {
      tf.dispose([trainBatch.x, trainBatch.y, validBatch.x, validBatch.y]);
      store.dispose();
    },
  };
}

Deno.test("unrolled supergraph gradient equals first order at ξ = 0", () => {
  const search = tinySearch();
  const before = tf.memory().numTensors;

  const unrolled = unrolledArchitectureGradient({
    ...search,
    learningRate: 0,
    momentum: 0.9,
    weightDecay: 3e-4,
    velocity: {},
    finiteDifferenceScale: 0.01,
  });
  const firstOrder = tf.variableGrads(
    search.validLoss,
    search.architecture.map((entry) => entry.variable),
  );

  // Same forward and backward computations: equal to float32 rounding.
  for (const entry of search.architecture) {
    const expected = firstOrder.grads[entry.variable.name].dataSync();
    const actual = unrolled.gradients[entry.variable.name].dataSync();
    expected.forEach((value, i) => assert.ok(Math.abs(actual[i] - value) <= 1e-6, `${i}`));
  }
  assert.ok(Math.abs(unrolled.validLoss.dataSync()[0] - firstOrder.value.dataSync()[0]) <= 1e-6);
  tf.dispose([unrolled.validLoss, firstOrder.value]);
  tf.dispose([...Object.values(unrolled.gradients), ...Object.values(firstOrder.grads)]);
  assert.equal(tf.memory().numTensors, before);
  search.dispose();
});

Deno.test("unrolled supergraph gradient restores the weights", () => {
  const search = tinySearch();
  const values = search.weights.map((entry) => Array.from(entry.variable.dataSync()));
  const firstOrder = tf.variableGrads(
    search.validLoss,
    search.architecture.map((entry) => entry.variable),
  );

  const unrolled = unrolledArchitectureGradient({
    ...search,
    learningRate: 0.025,
    momentum: 0.9,
    weightDecay: 3e-4,
    velocity: {},
    finiteDifferenceScale: 0.01,
  });

  search.weights.forEach((entry, i) =>
    assert.deepEqual(Array.from(entry.variable.dataSync()), values[i], entry.name)
  );
  // Both cell types get a gradient, and the Hessian term changes it.
  assert.equal(Object.keys(unrolled.gradients).length, 2);
  const change = tf.tidy(() =>
    tf.addN(search.architecture.map((entry) => {
      const name = entry.variable.name;
      return unrolled.gradients[name].sub(firstOrder.grads[name]).abs().sum();
    })).dataSync()[0]
  );
  assert.ok(change > 1e-6, `second-order term changed the gradient by only ${change}`);
  tf.dispose([unrolled.validLoss, firstOrder.value]);
  tf.dispose([...Object.values(unrolled.gradients), ...Object.values(firstOrder.grads)]);
  search.dispose();
});
