import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { forwardContext, NoiseSource } from "../nn/context.ts";
import { klDivergence } from "../nn/kl.ts";
import { ParameterStore } from "../nn/parameter_store.ts";
import { searchCandidates } from "./architecture.ts";
import { VinnasArchitecture } from "./vinnas_architecture.ts";

tf.env().set("PROD", true);
await tf.setBackend("cpu");

const CANDIDATES = searchCandidates(false);

function build(logSigma2Init = -10) {
  const store = new ParameterStore();
  const architecture = new VinnasArchitecture(store.scope("architecture"), {
    candidates: CANDIDATES,
    meanInit: "uniform",
    logSigma2Init,
    pruneThreshold: 3,
    selection: "snr",
  });
  return { store, architecture };
}

/** Sets entry [edge][op] of a [14, 7] variable. */
function setEntry(variable: tf.Variable, edge: number, op: number, value: number): void {
  const values = variable.dataSync().slice();
  values[edge * CANDIDATES.length + op] = value;
  tf.tidy(() => variable.assign(tf.tensor(values, variable.shape)));
}

Deno.test("VinnasArchitecture registers relevances as architecture pairs", () => {
  const { store, architecture } = build();

  const pairs = store.variationalPairs("architecture");

  assert.deepEqual(pairs.map((pair) => pair.name), [
    "architecture.relevance_normal",
    "architecture.relevance_reduce",
  ]);
  assert.deepEqual(architecture.theta.normal.shape, [14, 7]);
  assert.equal(store.get("architecture.theta_normal")?.role, "architecture");
  assert.ok(Math.abs(architecture.theta.reduce.dataSync()[0] - 1 / 7) < 1e-7);
  assert.equal(store.variationalPairs("weight").length, 0);
  store.dispose();
});

Deno.test("VinnasArchitecture mixing matches sampled relevances", () => {
  const { store, architecture } = build();
  // Edge 3 mixes two operations with θ = (0.5, -0.2), σ² = (0.09, 0.04).
  setEntry(architecture.theta.normal, 3, 0, 0.5);
  setEntry(architecture.theta.normal, 3, 4, -0.2);
  setEntry(architecture.logSigma2.normal, 3, 0, Math.log(0.09));
  setEntry(architecture.logSigma2.normal, 3, 4, Math.log(0.04));
  const samples = 4000;
  const first = tf.fill([samples, 1, 1, 2], 2) as tf.Tensor4D;
  const second = tf.fill([samples, 1, 1, 2], -3) as tf.Tensor4D;
  const before = tf.memory().numTensors;

  const mixed = tf.tidy(() =>
    architecture.mixer(forwardContext(true, new NoiseSource(4))).mix("normal", 3, [
      { op: 0, output: first },
      { op: 4, output: second },
    ])
  );

  // z ~ N(θ, σ²) per operation: mean 0.5·2 + (-0.2)(-3) = 1.6,
  // variance 0.09·4 + 0.04·9 = 0.72. Tolerance: 5 standard errors.
  const values = Array.from(mixed.dataSync());
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
  assert.ok(Math.abs(mean - 1.6) < 5 * Math.sqrt(0.72 / values.length), `mean ${mean}`);
  assert.ok(Math.abs(variance - 0.72) < 5 * Math.sqrt(2 / samples) * 0.72, `variance ${variance}`);
  mixed.dispose();
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([first, second]);
  store.dispose();
});

Deno.test("VinnasArchitecture inference drops operations above the threshold", () => {
  const { store, architecture } = build();
  setEntry(architecture.theta.reduce, 0, 1, 0.5);
  // log α = 1 − log 0.25 ≈ 2.4: kept. The second operation: log α ≈ 5.9.
  setEntry(architecture.logSigma2.reduce, 0, 1, 1);
  setEntry(architecture.logSigma2.reduce, 0, 2, 2);
  const ones = tf.ones([1, 1, 1, 1]) as tf.Tensor4D;

  const mixed = tf.tidy(() =>
    architecture.mixer(forwardContext(false, new NoiseSource(4))).mix("reduce", 0, [
      { op: 1, output: ones },
      { op: 2, output: ones },
    ])
  );

  assert.ok(Math.abs(mixed.dataSync()[0] - 0.5) < 1e-6);
  tf.dispose([ones, mixed]);
  store.dispose();
});

Deno.test("VinnasArchitecture pruning is permanent", async () => {
  const { store, architecture } = build();
  setEntry(architecture.logSigma2.normal, 5, 2, 2);

  const removed = await architecture.prune();
  setEntry(architecture.logSigma2.normal, 5, 2, -10);
  const removedAgain = await architecture.prune();

  assert.equal(removed, 1);
  assert.equal(removedAgain, 0);
  assert.equal(architecture.prunedCount(), 1);
  assert.equal(architecture.isComputed("normal", 5, 2), false);
  assert.equal(architecture.isComputed("normal", 5, 3), true);
  assert.equal(architecture.isComputed("reduce", 5, 2), true);
  const relevance = await architecture.relevance();
  assert.equal(relevance.normal.pruned[5][2], true);
  store.dispose();
});

Deno.test("VinnasArchitecture restores pruning masks", () => {
  const { store, architecture } = build();
  const masks = architecture.pruningMasks();
  masks.reduce[13][6] = true;

  architecture.setPruningMasks(masks);
  masks.reduce[13][5] = true;

  assert.equal(architecture.isComputed("reduce", 13, 6), false);
  assert.equal(architecture.isComputed("reduce", 13, 5), true);
  assert.throws(
    () => architecture.setPruningMasks({ normal: masks.normal, reduce: masks.reduce.slice(1) }),
    /Cannot restore the pruning masks of the reduce cell: expected 14 rows of 7 flags/,
  );
  store.dispose();
});

Deno.test("VinnasArchitecture KL counts every relevance", () => {
  const { store } = build();

  const kl = klDivergence(store, { prior: "ard", group: "architecture" });

  // 2·14·7 relevances, each log α = -10 − log(1/49 + 1e-8): 0.5·softplus(−log α).
  const logAlpha = -10 - Math.log(1 / 49 + 1e-8);
  const expected = 196 * 0.5 * Math.log1p(Math.exp(-logAlpha));
  assert.ok(Math.abs(kl.dataSync()[0] - expected) < 1e-4 * expected);
  kl.dispose();
  store.dispose();
});
