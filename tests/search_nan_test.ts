import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../src/engine/mod.ts";
import { runSearch } from "../src/search/run_search.ts";
import { NonFiniteLossError } from "../src/search/search_epoch.ts";
import { searchSettings } from "../src/search/settings.ts";
import { readCheckpoint } from "../src/train/checkpoint.ts";
import { setLogLevel } from "../src/util/log.ts";
import { syntheticSources } from "./search_fixtures.ts";

await initBackend("cpu");
setLogLevel("warn");

Deno.test("runSearch stops at a NaN loss and keeps the checkpoint", async () => {
  const folder = await Deno.makeTempDir({ prefix: "search-nan-" });
  const path = `${folder}/search.ckpt`;
  // The second epoch's training images are NaN, so its first step's loss is NaN.
  const data = syntheticSources({
    size: 8,
    channels: 1,
    classes: 3,
    examples: 8,
    seed: 4,
    nanEpoch: 1,
  });
  const settings = searchSettings({ cells: 3, initChannels: 2, batchSize: 8, epochs: 3 });
  let saved: Uint8Array | null = null;
  const before = tf.memory().numTensors;

  const error = await runSearch({
    method: "darts-first-order",
    settings,
    data,
    seed: 1,
    checkpointPath: path,
    onEpoch: () => saved = Deno.readFileSync(path),
  }).then(() => null, (reason: unknown) => reason);

  assert.ok(error instanceof NonFiniteLossError, `expected NonFiniteLossError, got ${error}`);
  assert.match(error.message, /epoch 2, step 1/);
  assert.match(error.message, /training loss is NaN/);
  assert.match(error.message, /last finite training loss was \d/);
  assert.match(error.message, /Lower the learning rate/);
  assert.ok(saved !== null);
  assert.deepEqual(Deno.readFileSync(path), saved);
  const checkpoint = await readCheckpoint<{ completedEpochs: number }>(path);
  assert.equal(checkpoint?.meta.completedEpochs, 1);
  assert.equal(tf.memory().numTensors, before);
  await Deno.remove(folder, { recursive: true });
});
