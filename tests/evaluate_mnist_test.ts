import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { loadDataset } from "../src/data/load_dataset.ts";
import { initBackend } from "../src/engine/backend.ts";
import { evaluationSettings } from "../src/evaluate/settings.ts";
import { runEvaluation } from "../src/evaluate/train.ts";
import { DARTS_V2 } from "../src/search/published.ts";
import { setLogLevel } from "../src/util/log.ts";

await initBackend("wasm");
setLogLevel("warn");

// Chance is 90 % error for 10 classes. On 500 test images a network at
// chance has a standard deviation of √(0.9·0.1/500) ≈ 1.3 points, so 60 %
// is more than 20 deviations below chance. Two epochs at DARTS's learning
// rate reached 29.6 % and 36.4 % on wasm with two builds of the engine whose
// gradients differ only in float32 summation order. One short epoch at
// lr 0.05 was too chaotic to test: 49.0 % and 77.4 % for the same builds,
// and PyTorch 1.13 reached 80.0 % on a comparable budget.
const _MAX_TEST_ERROR = 60;

Deno.test("DARTS_V2 learns MNIST in two short epochs", async () => {
  const dataset = await loadDataset("mnist");
  const before = tf.memory().numTensors;

  // 3 cells, C = 8, 300 images per class, 2 epochs, batch 32: about 188
  // steps, 30 to 60 seconds on one wasm thread.
  const outcome = await runEvaluation({
    genotype: DARTS_V2.genotype,
    dataset,
    seed: 0,
    settings: evaluationSettings({
      cells: 3,
      initChannels: 8,
      batchSize: 32,
      epochs: 2,
      learningRate: 0.025,
      cutoutLength: 0,
      cropPadding: 0,
      horizontalFlip: false,
      dropPathProbability: 0,
      auxiliaryWeight: 0,
      trainSubsetPerClass: 300,
      testSubsetPerClass: 50,
    }),
  });

  assert.equal(outcome.trainExamples, 3000);
  assert.equal(outcome.testExamples, 500);
  assert.equal(outcome.measuredOn, "test");
  assert.ok(
    outcome.testError < _MAX_TEST_ERROR,
    `test error ${outcome.testError.toFixed(1)} % is not below ${_MAX_TEST_ERROR} %`,
  );
  assert.equal(tf.memory().numTensors, before);
});
