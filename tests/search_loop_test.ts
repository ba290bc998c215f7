import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../src/engine/mod.ts";
import { GenotypeSchema } from "../src/search/genotype.ts";
import { runSearch } from "../src/search/run_search.ts";
import { searchSettings, type SearchSettingsInput } from "../src/search/settings.ts";
import { setLogLevel } from "../src/util/log.ts";
import { syntheticSources } from "./search_fixtures.ts";

await initBackend("cpu");
setLogLevel("warn");

// A tiny supergraph (one normal and two reduction cells, C = 2) on 8×8
// synthetic images: one step per epoch, so each search takes seconds.
const TINY: SearchSettingsInput = { cells: 3, initChannels: 2, batchSize: 8, epochs: 2 };
const data = () => syntheticSources({ size: 8, channels: 1, classes: 3, examples: 8, seed: 4 });

Deno.test("runSearch vinnas records every epoch", async () => {
  const before = tf.memory().numTensors;
  const records: number[] = [];

  const outcome = await runSearch({
    method: "vinnas",
    settings: searchSettings({ ...TINY, vinnas: { klWarmupEpochs: 2 } }),
    data: data(),
    seed: 1,
    onEpoch: (record) => records.push(record.epoch),
  });

  assert.deepEqual(records, [1, 2]);
  assert.equal(outcome.epochs, 2);
  assert.equal(GenotypeSchema.safeParse(outcome.genotype).success, true);
  const [first, second] = outcome.trajectory;
  assert.equal(first.beta, 0);
  assert.equal(second.beta, 0.5);
  assert.equal(first.learningRate, 0.025);
  assert.ok(second.learningRate < first.learningRate);
  assert.ok(second.kl.weights > 0);
  assert.ok(second.kl.architecture > 0);
  assert.equal(second.relevance.method, "vinnas");
  assert.deepEqual(second.relevance.operations.length, 7);
  assert.ok(Number.isFinite(second.validLoss));
  assert.ok(second.strengthEntropy > 0);
  assert.ok(second.strengthEntropy <= Math.log(7) + 1e-9);
  assert.ok(outcome.supergraphParameters.nonZero <= outcome.supergraphParameters.total);
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("runSearch vinnas single level moves the relevances", async () => {
  const settings = searchSettings({ ...TINY, epochs: 1, vinnas: { levels: "single" } });

  const outcome = await runSearch({ method: "vinnas", settings, data: data(), seed: 1 });

  const relevance = outcome.relevance;
  assert.equal(relevance.method, "vinnas");
  if (relevance.method !== "vinnas") return;
  // θ starts at exactly 1/7; one Adam step moves every reached entry by about the learning rate.
  const moved = relevance.normal.theta.flat().filter((theta) => Math.abs(theta - 1 / 7) > 1e-5);
  assert.ok(moved.length > 0);
});

Deno.test("runSearch vinnas prunes operations and forces edges", async () => {
  // log σ² = 2 gives log α = 2 − log(1/49) ≈ 5.9 > 3: everything is pruned
  // after the first epoch, and the second epoch computes no operation.
  const settings = searchSettings({
    ...TINY,
    vinnas: { relevanceInit: { logSigma2: 2 } },
  });

  const outcome = await runSearch({ method: "vinnas", settings, data: data(), seed: 1 });

  const [first, second] = outcome.trajectory;
  assert.equal(first.prunedOperations, 2 * 14 * 7);
  assert.equal(second.prunedOperations, 2 * 14 * 7);
  assert.equal(second.forcedEdges.length, 16);
  assert.ok(Number.isFinite(second.trainLoss));
  assert.equal(GenotypeSchema.safeParse(outcome.genotype).success, true);
});

for (const method of ["darts-first-order", "darts-second-order"] as const) {
  Deno.test(`runSearch ${method} derives a genotype`, async () => {
    const before = tf.memory().numTensors;

    const outcome = await runSearch({
      method,
      settings: searchSettings(TINY),
      data: data(),
      seed: 1,
    });

    assert.equal(GenotypeSchema.safeParse(outcome.genotype).success, true);
    const last = outcome.trajectory[1];
    assert.equal(last.relevance.method, "darts");
    assert.equal(last.relevance.operations[0], "none");
    assert.equal(last.beta, 0);
    assert.deepEqual(last.kl, { weights: 0, architecture: 0 });
    assert.equal(last.prunedOperations, 0);
    if (last.relevance.method === "darts") {
      const row = last.relevance.normal.weights[0];
      assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5);
    }
    assert.equal(tf.memory().numTensors, before);
  });
}
