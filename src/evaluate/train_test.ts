import assert from "node:assert/strict";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../engine/backend.ts";
import { PUBLISHED_GENOTYPES } from "../search/published.ts";
import { type EvaluationOutcome, type EvaluationRequest, runEvaluation } from "./train.ts";
import { evaluationSettings, type EvaluationSettingsInput } from "./settings.ts";
import { TrainingDivergedError } from "./training_diverged_error.ts";
import { syntheticDataset } from "./testdata/synthetic_dataset.ts";
import { setLogLevel, setLogSink } from "../util/log.ts";
import { readCheckpoint, writeCheckpoint } from "../train/checkpoint.ts";

await initBackend("wasm");
setLogLevel("warn");

const _DATASET = syntheticDataset(6, 3);

function _request(overrides: EvaluationSettingsInput = {}): EvaluationRequest {
  return {
    genotype: PUBLISHED_GENOTYPES.DARTS_V2.genotype,
    dataset: _DATASET,
    seed: 5,
    settings: evaluationSettings({
      cells: 3,
      initChannels: 4,
      batchSize: 16,
      epochs: 3,
      learningRate: 0.05,
      cutoutLength: 6,
      cropPadding: 2,
      horizontalFlip: false,
      ...overrides,
    }),
  };
}

/** Drops the wall-clock fields, which differ between runs. */
function _withoutTimes(outcome: EvaluationOutcome): unknown {
  const { wallSeconds: _wall, resumedFromEpoch: _resumed, curves, ...rest } = outcome;
  return { ...rest, curves: curves.map(({ seconds: _seconds, ...record }) => record) };
}

Deno.test("runEvaluation trains and reports metrics", async () => {
  const before = tf.memory().numTensors;
  const lines: number[] = [];

  const outcome = await runEvaluation({
    ..._request({ epochs: 2, testEveryEpochs: 2 }),
    onEpoch: (record) => lines.push(record.epoch),
  });

  assert.deepEqual(lines, [1, 2]);
  assert.equal(outcome.curves.length, 2);
  assert.equal(
    outcome.curves[0].testAccuracy,
    null,
    "epoch 1 is not tested with testEveryEpochs 2",
  );
  assert.equal(typeof outcome.curves[1].testAccuracy, "number");
  assert.equal(outcome.testError, 100 * (1 - (outcome.curves[1].testAccuracy as number)));
  assert.equal(outcome.trainExamples, 60);
  assert.equal(outcome.testExamples, 30);
  assert.equal(outcome.nonZeroParameters, outcome.totalParameters);
  assert.equal(outcome.nonZeroMultiplyAccumulates, outcome.multiplyAccumulates);
  assert.ok(outcome.multiplyAccumulates > 0);
  assert.equal(
    outcome.curves[0].learningRate,
    0.05,
    "the cosine schedule starts at the initial rate",
  );
  assert.equal(outcome.curves[1].dropPathProbability, 0.2 * 1 / 2, "drop path ramps as p·e/E");
  assert.equal(outcome.curves[0].kl, null);
  assert.equal(outcome.resumedFromEpoch, 0);
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("resumed evaluation ends like an uninterrupted one", async () => {
  const before = tf.memory().numTensors;
  const directory = await Deno.makeTempDir({ prefix: "evaluate-resume-" });
  const variational = { weights: "variational", variational: { klWarmupEpochs: 1 } } as const;

  try {
    const uninterrupted = await runEvaluation(_request(variational));

    const checkpointPath = join(directory, "checkpoint.bin");
    const controller = new AbortController();
    await assert.rejects(
      runEvaluation({
        ..._request(variational),
        checkpointPath,
        signal: controller.signal,
        onEpoch: (record) => {
          if (record.epoch === 1) controller.abort(new Error("stopped after epoch 1"));
        },
      }),
      /stopped after epoch 1/,
    );
    const resumed = await runEvaluation({ ..._request(variational), checkpointPath });

    assert.equal(resumed.resumedFromEpoch, 1);
    assert.deepEqual(_withoutTimes(resumed), _withoutTimes(uninterrupted));
    assert.equal(typeof resumed.curves[2].kl, "number", "variational runs report the KL");
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("checkpoint of another request is rejected", async () => {
  const directory = await Deno.makeTempDir({ prefix: "evaluate-fingerprint-" });
  const checkpointPath = join(directory, "checkpoint.bin");

  try {
    await runEvaluation({ ..._request({ epochs: 1 }), checkpointPath });
    await assert.rejects(
      runEvaluation({ ..._request({ epochs: 1, learningRate: 0.01 }), checkpointPath }),
      /written by an evaluation with a different genotype, settings, seed or dataset/,
    );
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});

Deno.test("diverged loss names the step and keeps the checkpoint", async () => {
  const before = tf.memory().numTensors;
  const directory = await Deno.makeTempDir({ prefix: "evaluate-diverged-" });
  const checkpointPath = join(directory, "checkpoint.bin");

  try {
    const controller = new AbortController();
    await assert.rejects(
      runEvaluation({
        ..._request(),
        checkpointPath,
        signal: controller.signal,
        onEpoch: () => controller.abort(new Error("stopped")),
      }),
      /stopped/,
    );

    // Poison the classifier with NaN, so the first step of epoch 2 has a NaN loss.
    const checkpoint = await readCheckpoint<unknown>(checkpointPath);
    assert.ok(checkpoint !== null);
    checkpoint.variables["classifier.weight"].values.fill(NaN);
    await writeCheckpoint(checkpointPath, checkpoint);
    const poisoned = await Deno.readFile(checkpointPath);

    const error = await runEvaluation({ ..._request(), checkpointPath }).then(
      () => assert.fail("expected the run to diverge"),
      (caught: unknown) => caught,
    );

    assert.ok(error instanceof TrainingDivergedError, `${error}`);
    assert.equal(error.details.epoch, 2);
    assert.equal(error.details.step, 1);
    assert.ok(Number.isNaN(error.details.loss));
    assert.match(error.message, /epoch 2, step 1: the loss is NaN/);
    assert.match(error.message, /no finite loss since the run started or resumed/);
    assert.match(error.message, /Lower the learning rate \(evaluation\.learningRate\)/);
    assert.deepEqual(await Deno.readFile(checkpointPath), poisoned, "the checkpoint is unchanged");
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("runEvaluation measures a validation part", async () => {
  const trainIndices = Int32Array.from({ length: 40 }, (_, i) => i);
  const validIndices = Int32Array.from({ length: 20 }, (_, i) => 40 + i);

  const outcome = await runEvaluation({
    ..._request({ epochs: 1, trainSubsetPerClass: 1 }),
    validation: { trainIndices, validIndices },
  });

  assert.equal(outcome.measuredOn, "validation");
  assert.equal(outcome.trainExamples, 40, "the subset setting is ignored");
  assert.equal(outcome.testExamples, 20);
});

Deno.test("runEvaluation logs one labelled line per epoch", async () => {
  const lines: string[] = [];
  const previous = setLogSink((_level, tag, message) => {
    if (tag === "evaluate" && message.startsWith("epoch")) lines.push(message);
  });
  setLogLevel("info");

  try {
    await runEvaluation(_request({ epochs: 1 }));
  } finally {
    setLogSink(previous);
    setLogLevel("warn");
  }

  assert.equal(lines.length, 1);
  assert.match(
    lines[0],
    /^epoch 1\/1 {2}train_loss \d\.\d{3} {2}train_acc \d\.\d{3} {2}test_acc \d\.\d{4} {2}lr 0\.0500 {2}nonzero \d+ {2}\d+\.\ds$/,
  );
});
