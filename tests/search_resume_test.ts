import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../src/engine/mod.ts";
import { runSearch, type SearchOutcome } from "../src/search/run_search.ts";
import { searchSettings } from "../src/search/settings.ts";
import { readCheckpoint } from "../src/train/checkpoint.ts";
import { setLogLevel } from "../src/util/log.ts";
import { syntheticSources } from "./search_fixtures.ts";

await initBackend("cpu");
setLogLevel("warn");

// Two steps per epoch, so the noise counter, both optimizers and the BN
// buffers all carry state across the interruption.
const SETTINGS = searchSettings({
  cells: 3,
  initChannels: 2,
  batchSize: 4,
  epochs: 2,
  vinnas: { klWarmupEpochs: 1 },
});
const data = () => syntheticSources({ size: 8, channels: 1, classes: 3, examples: 8, seed: 4 });
// The cpu backend is deterministic, so a resumed run repeats the
// uninterrupted one exactly; the tolerance only absorbs float formatting.
const TOLERANCE = 1e-6;

Deno.test("runSearch resumes a killed search to the same result", async () => {
  const folder = await Deno.makeTempDir({ prefix: "search-resume-" });
  const before = tf.memory().numTensors;

  const straight = await runSearch({
    method: "vinnas",
    settings: SETTINGS,
    data: data(),
    seed: 3,
    checkpointPath: `${folder}/straight.ckpt`,
  });

  // "Kill" the second run after its first epoch; its checkpoint stays.
  const controller = new AbortController();
  await assert.rejects(
    runSearch({
      method: "vinnas",
      settings: SETTINGS,
      data: data(),
      seed: 3,
      checkpointPath: `${folder}/resumed.ckpt`,
      signal: controller.signal,
      onEpoch: () => controller.abort(new Error("killed after epoch 1")),
    }),
    /killed after epoch 1/,
  );
  const resumed = await runSearch({
    method: "vinnas",
    settings: SETTINGS,
    data: data(),
    seed: 3,
    checkpointPath: `${folder}/resumed.ckpt`,
  });

  assert.equal(resumed.resumedFromEpoch, 1);
  assert.equal(straight.resumedFromEpoch, null);
  assert.deepEqual(resumed.genotype, straight.genotype);
  assert.equal(resumed.trajectory.length, 2);
  _assertClose(resumed.trajectory[1].trainLoss, straight.trajectory[1].trainLoss, "train loss");
  _assertClose(resumed.trajectory[1].validLoss, straight.trajectory[1].validLoss, "valid loss");
  _assertRelevanceClose(resumed, straight);

  // Every variable of the final checkpoints (weights, log σ², relevances, BN buffers).
  const a = await readCheckpoint(`${folder}/straight.ckpt`);
  const b = await readCheckpoint(`${folder}/resumed.ckpt`);
  assert.ok(a !== null);
  assert.ok(b !== null);
  assert.deepEqual(Object.keys(b.variables), Object.keys(a.variables));
  for (const [name, variable] of Object.entries(a.variables)) {
    const other = b.variables[name].values;
    variable.values.forEach((value, i) => _assertClose(other[i], value, `${name}[${i}]`));
  }
  assert.equal(tf.memory().numTensors, before);
  await Deno.remove(folder, { recursive: true });
});

Deno.test("runSearch rejects a checkpoint of other settings", async () => {
  const folder = await Deno.makeTempDir({ prefix: "search-resume-" });
  const path = `${folder}/search.ckpt`;
  const settings = searchSettings({ ...SETTINGS, batchSize: 8, epochs: 1 });
  await runSearch({ method: "vinnas", settings, data: data(), seed: 3, checkpointPath: path });

  await assert.rejects(
    runSearch({
      method: "vinnas",
      settings: { ...settings, learningRate: 0.1 },
      data: data(),
      seed: 3,
      checkpointPath: path,
    }),
    /Cannot resume from .*other settings.*Delete the checkpoint/,
  );
  await Deno.remove(folder, { recursive: true });
});

function _assertClose(actual: number, expected: number, label: string): void {
  assert.ok(
    Math.abs(actual - expected) <= TOLERANCE,
    `${label}: resumed ${actual}, uninterrupted ${expected}`,
  );
}

function _assertRelevanceClose(resumed: SearchOutcome, straight: SearchOutcome): void {
  const a = resumed.relevance;
  const b = straight.relevance;
  assert.equal(a.method, "vinnas");
  assert.equal(b.method, "vinnas");
  if (a.method !== "vinnas" || b.method !== "vinnas") return;
  for (const cell of ["normal", "reduce"] as const) {
    a[cell].theta.forEach((row, edge) =>
      row.forEach((theta, op) => _assertClose(theta, b[cell].theta[edge][op], `θ ${cell}`))
    );
  }
}
