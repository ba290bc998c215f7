/**
 * An end-to-end search on real MNIST with a tiny supergraph on the wasm
 * backend: VINNAS, then DARTS first order on the same split, two epochs of
 * five steps each. A 100-image stratified subset and C = 2 keep the file at
 * 40-80 s, measured on 2 cores shared with other test runs (load average 4
 * to 6).
 */

import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { loadDataset, resolveCacheDir } from "../src/data/mod.ts";
import { initBackend } from "../src/engine/mod.ts";
import { GenotypeSchema } from "../src/search/genotype.ts";
import { runSearch } from "../src/search/run_search.ts";
import { searchSettings } from "../src/search/settings.ts";
import { setLogLevel } from "../src/util/log.ts";

await initBackend("wasm");
setLogLevel("warn");
const mnist = await loadDataset("mnist", { cacheDir: resolveCacheDir() });

// 10 images per class: 50 train the weights and 50 the architecture, in
// five batches of 10 each epoch. Fewer, larger batches leave the BN running
// statistics (momentum 0.1) too far from the batch statistics for the
// inference-mode validation loss to move within two epochs.
const SETTINGS = searchSettings({
  cells: 3,
  initChannels: 2,
  batchSize: 10,
  epochs: 2,
  trainSubsetPerClass: 10,
  vinnas: { klWarmupEpochs: 2 },
});

Deno.test("VINNAS search on MNIST lowers the validation loss", async () => {
  const before = tf.memory().numTensors;

  const outcome = await runSearch({
    method: "vinnas",
    settings: SETTINGS,
    data: { dataset: mnist },
    seed: 1,
  });

  const losses = outcome.trajectory.map((record) => record.validLoss);
  assert.equal(losses.length, 2);
  assert.ok(losses[1] < losses[0], `validation loss by epoch: ${losses.join(", ")}`);
  assert.ok(outcome.trajectory[1].trainAccuracy > 0.1);
  assert.equal(GenotypeSchema.safeParse(outcome.genotype).success, true);
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("DARTS first order searches the same MNIST split", async () => {
  const outcome = await runSearch({
    method: "darts-first-order",
    settings: SETTINGS,
    data: { dataset: mnist },
    seed: 1,
  });

  const [first, second] = outcome.trajectory;
  assert.ok(
    second.trainLoss < first.trainLoss,
    `train loss ${first.trainLoss}, ${second.trainLoss}`,
  );
  assert.ok(Number.isFinite(first.validLoss));
  assert.ok(Number.isFinite(second.validLoss));
  assert.equal(GenotypeSchema.safeParse(outcome.genotype).success, true);
});
