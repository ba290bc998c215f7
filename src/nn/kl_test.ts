import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { klDivergence, klPerWeight, logAlpha } from "./kl.ts";
import { ParameterStore } from "./parameter_store.ts";

tf.env().set("PROD", true);
await tf.setBackend("cpu");

// Reference values from /usr/bin/python3 with numpy 1.24 in float64:
//   sp = log1p(exp(-la)); ard = 0.5 * sp
//   lu = -(k1 * sigmoid(k2 + k3 * la) - 0.5 * sp - k1), k1, k2, k3 = 0.63576, 1.87320, 1.48695
const LOG_ALPHA = [-8, -3, -1, 0, 0.5, 2, 5];
const ARD = [
  4.0001677032,
  1.5242936758,
  0.65663084376,
  0.34657359028,
  0.23703849209,
  0.063464005521,
  0.0033576742446,
];
const LOG_UNIFORM = [
  4.6358994803,
  2.115590219,
  0.91387228502,
  0.43123895099,
  0.28031653525,
  0.068416546037,
  0.0034153326315,
];
// float32 evaluation: relative error below 1e-5 plus 1e-6 absolute.
const TOLERANCE = { relative: 1e-5, absolute: 1e-6 };

function assertClose(actual: number, expected: number, label: string): void {
  const allowed = TOLERANCE.absolute + TOLERANCE.relative * Math.abs(expected);
  assert.ok(
    Math.abs(actual - expected) <= allowed,
    `${label}: got ${actual}, expected ${expected} ± ${allowed}`,
  );
}

Deno.test("klPerWeight matches the ARD formula", () => {
  const before = tf.memory().numTensors;
  const input = tf.tensor1d(LOG_ALPHA);

  const kl = klPerWeight(input, "ard");
  const values = kl.dataSync();

  LOG_ALPHA.forEach((la, i) => assertClose(values[i], ARD[i], `log α = ${la}`));
  tf.dispose([input, kl]);
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("klPerWeight matches the log-uniform approximation", () => {
  const input = tf.tensor1d(LOG_ALPHA);

  const kl = klPerWeight(input, "log-uniform");
  const values = kl.dataSync();

  LOG_ALPHA.forEach((la, i) => assertClose(values[i], LOG_UNIFORM[i], `log α = ${la}`));
  tf.dispose([input, kl]);
});

Deno.test("logAlpha adds 1e-8 to θ²", () => {
  const theta = tf.tensor1d([0.5, -0.1, 0, 2]);
  const logSigma2 = tf.tensor1d([-2, -6, -10, 1]);

  const result = logAlpha(theta, logSigma2);
  const values = result.dataSync();

  // numpy: ls2 - log(theta**2 + 1e-8)
  const expected = [-0.6137056789, -1.394830814, 8.420680744, -0.3862943636];
  expected.forEach((value, i) => assertClose(values[i], value, `weight ${i}`));
  tf.dispose([theta, logSigma2, result]);
});

Deno.test("klDivergence sums the pairs of one group", () => {
  const store = new ParameterStore();
  const layer = store.scope("conv");
  const theta = layer.add("theta", tf.tensor2d([[0.5, -0.1], [0, 2]]), { role: "weight" });
  const logSigma2 = layer.add("log_sigma2", tf.tensor2d([[-2, -6], [-10, 1]]), {
    role: "log-sigma2",
  });
  store.addVariationalPair("conv", theta, logSigma2, "weight");
  const relevance = store.add("relevance", tf.tensor1d([1]), { role: "architecture" });
  const relevanceLogSigma2 = store.add("relevance_log_sigma2", tf.tensor1d([0]), {
    role: "architecture",
  });
  store.addVariationalPair("relevance", relevance, relevanceLogSigma2, "architecture");
  const before = tf.memory().numTensors;

  const ard = klDivergence(store, { prior: "ard", group: "weight" });
  const logUniform = klDivergence(store, { prior: "log-uniform", group: "weight" });
  const architecture = klDivergence(store, { prior: "ard", group: "architecture" });

  // numpy sums over the four weights of the "weight" pair.
  assertClose(ard.dataSync()[0], 1.78384207287377, "ARD sum");
  assertClose(logUniform.dataSync()[0], 2.445768994857022, "log-uniform sum");
  // log α = 0 - log(1 + 1e-8): 0.5·softplus(0) = 0.5·log 2.
  assertClose(architecture.dataSync()[0], 0.5 * Math.log(2), "architecture sum");
  tf.dispose([ard, logUniform, architecture]);
  assert.equal(tf.memory().numTensors, before);
  store.dispose();
});

Deno.test("klDivergence is 0 without pairs", () => {
  const store = new ParameterStore();

  const kl = klDivergence(store, { prior: "ard", group: "architecture" });

  assert.equal(kl.dataSync()[0], 0);
  kl.dispose();
});

Deno.test("klDivergence has the gradient of the ARD formula", () => {
  const store = new ParameterStore();
  const theta = store.add("theta", tf.tensor1d([0.5]), { role: "weight" });
  const logSigma2 = store.add("log_sigma2", tf.tensor1d([-2]), { role: "log-sigma2" });
  store.addVariationalPair("w", theta, logSigma2, "weight");

  const { grads } = tf.variableGrads(() => klDivergence(store, { prior: "ard", group: "weight" }));

  // d/d logσ² of 0.5·softplus(-la) is -0.5·sigmoid(-la), la = -2 - log(0.25 + 1e-8).
  const la = -2 - Math.log(0.25 + 1e-8);
  const expected = -0.5 / (1 + Math.exp(la));
  assertClose(grads[logSigma2.name].dataSync()[0], expected, "d KL / d log σ²");
  tf.dispose(Object.values(grads));
  store.dispose();
});
