import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { ParameterStore } from "../nn/parameter_store.ts";
import { unrolledArchitectureGradient } from "./unrolled_gradient.ts";

tf.env().set("PROD", true);
await tf.setBackend("cpu");

// The check needs a loss whose weight gradient is smooth in α. A ReLU
// supergraph does not qualify: ∇w L_train jumps whenever a ReLU or max-pool
// switches, so finite differences of the unrolled objective do not converge
// there. This two-layer tanh classifier is smooth everywhere.
const XI = 0.5;
const MOMENTUM = 0.9;
const WEIGHT_DECAY = 0.01;
// Central differences of a float32 loss of size ~1 with step 1e-2: rounding
// and truncation errors stay below 0.5% of the derivatives checked here.
const H = 1e-2;
const RELATIVE_TOLERANCE = 0.02;

function smoothProblem() {
  const store = new ParameterStore();
  const w1 = store.add("w1", tf.randomNormal([4, 5], 0, 0.8, "float32", 1), { role: "weight" });
  const w2 = store.add("w2", tf.randomNormal([5, 3], 0, 0.8, "float32", 2), { role: "weight" });
  const shift = store.add("alpha_hidden", tf.randomNormal([5], 0, 0.5, "float32", 3), {
    role: "architecture",
  });
  const bias = store.add("alpha_output", tf.randomNormal([3], 0, 0.5, "float32", 4), {
    role: "architecture",
  });

  const loss = (seed: number) => {
    const x = tf.randomNormal([8, 4], 0, 1, "float32", seed);
    const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], "int32"), 3);
    return () =>
      tf.tidy(() => {
        const hidden = tf.tanh(x.matMul(w1).add(shift));
        const logits = hidden.mul(hidden.add(1)).matMul(w2).add(bias);
        return tf.logSoftmax(logits).mul(labels).sum(1).mean().neg() as tf.Scalar;
      });
  };
  return { store, w1, w2, shift, bias, trainLoss: loss(10), validLoss: loss(11) };
}

Deno.test("unrolledArchitectureGradient matches finite differences", () => {
  const problem = smoothProblem();
  const { store, trainLoss, validLoss } = problem;
  const weights = store.entries((entry) => entry.role === "weight");
  const architecture = store.entries((entry) => entry.role === "architecture");
  const velocity = {
    w1: tf.tidy(() => tf.randomNormal([4, 5], 0, 0.3, "float32", 5).dataSync() as Float32Array),
  };
  const weightValues = weights.map((entry) => Array.from(entry.variable.dataSync()));
  const before = tf.memory().numTensors;

  const { gradients, validLoss: lossAtVirtualStep } = unrolledArchitectureGradient({
    weights,
    architecture,
    trainLoss,
    validLoss,
    learningRate: XI,
    momentum: MOMENTUM,
    weightDecay: WEIGHT_DECAY,
    velocity,
    finiteDifferenceScale: 0.01,
  });

  assert.equal(tf.memory().numTensors, before + architecture.length + 1);
  weights.forEach((entry, i) =>
    assert.deepEqual(Array.from(entry.variable.dataSync()), weightValues[i], "weights restored")
  );

  // F(α) = L_val(w − ξ(∇w L_train(w, α) + μ·v + λ·w), α), evaluated directly;
  // w2 has no momentum buffer, which counts as zero.
  const unrolledObjective = (): number => {
    const originals = weights.map((entry) => tf.clone(entry.variable));
    const { value, grads } = tf.variableGrads(trainLoss, weights.map((entry) => entry.variable));
    weights.forEach((entry, i) =>
      tf.tidy(() => {
        let direction = grads[entry.variable.name].add(originals[i].mul(WEIGHT_DECAY));
        if (entry.name === "w1") {
          direction = direction.add(tf.tensor(velocity.w1, [4, 5]).mul(MOMENTUM));
        }
        entry.variable.assign(originals[i].sub(direction.mul(XI)));
      })
    );
    const loss = tf.tidy(() => validLoss().dataSync()[0]);
    weights.forEach((entry, i) => entry.variable.assign(originals[i]));
    tf.dispose([value, ...Object.values(grads), ...originals]);
    return loss;
  };
  assert.ok(Math.abs(lossAtVirtualStep.dataSync()[0] - unrolledObjective()) < 1e-5);

  const firstOrder = tf.variableGrads(validLoss, architecture.map((entry) => entry.variable));
  for (const entry of architecture) {
    const variable = entry.variable;
    const analytic = gradients[variable.name].dataSync();
    const plain = firstOrder.grads[variable.name].dataSync();
    const numeric = Array.from({ length: variable.size }, (_, index) => {
      const values = variable.dataSync().slice();
      const at = (delta: number) => {
        const shifted = values.slice();
        shifted[index] += delta;
        tf.tidy(() => variable.assign(tf.tensor(shifted, variable.shape)));
        return unrolledObjective();
      };
      const derivative = (at(H) - at(-H)) / (2 * H);
      tf.tidy(() => variable.assign(tf.tensor(values, variable.shape)));
      return derivative;
    });

    const scale = Math.max(...numeric.map(Math.abs));
    numeric.forEach((value, index) => {
      const allowed = RELATIVE_TOLERANCE * scale;
      assert.ok(
        Math.abs(analytic[index] - value) <= allowed,
        `${entry.name}[${index}]: unrolled ${
          analytic[index]
        }, finite difference ${value} ± ${allowed}`,
      );
    });
    // The first-order gradient misses the Hessian term by far more than the tolerance.
    const firstOrderError = Math.max(
      ...numeric.map((value, index) => Math.abs(plain[index] - value)),
    );
    assert.ok(
      firstOrderError > 5 * RELATIVE_TOLERANCE * scale,
      `${entry.name}: ${firstOrderError}`,
    );
  }

  tf.dispose([...Object.values(gradients), lossAtVirtualStep, firstOrder.value]);
  tf.dispose(Object.values(firstOrder.grads));
  store.dispose();
});
