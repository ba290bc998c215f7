import assert from "node:assert/strict";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../engine/backend.ts";
import { syntheticDataset } from "../evaluate/testdata/synthetic_dataset.ts";
import { setLogLevel } from "../util/log.ts";
import { Rng } from "../util/random.ts";
import { genotypeHash } from "./darts_text.ts";
import { GenotypeSchema } from "./genotype.ts";
import {
  type RandomSearchOutcome,
  randomSearchSettings,
  runRandomSearch,
  sampleDistinctGenotypes,
  sampleGenotype,
} from "./random_search.ts";

await initBackend("wasm");
setLogLevel("warn");

const _DATASET = syntheticDataset(8, 1);
const _SETTINGS = randomSearchSettings({
  samples: 3,
  epochsPerSample: 2,
  cells: 3,
  initChannels: 4,
  batchSize: 16,
  learningRate: 0.05,
  cropPadding: 0,
  horizontalFlip: false,
});

Deno.test("sampleGenotype draws valid cells", () => {
  const rng = new Rng(3);
  for (let i = 0; i < 200; i++) {
    const genotype = sampleGenotype(rng);
    assert.doesNotThrow(() => GenotypeSchema.parse(genotype), `sample ${i}`);

    for (const cell of [genotype.normal, genotype.reduce]) {
      for (let node = 0; node < 4; node++) {
        const [first, second] = [cell[2 * node], cell[2 * node + 1]];
        assert.ok(first[1] < second[1], `node ${node + 2} reads distinct inputs in order`);
      }
    }
    assert.deepEqual(genotype.normalConcat, [2, 3, 4, 5]);
    assert.deepEqual(genotype.reduceConcat, [2, 3, 4, 5]);
  }
});

Deno.test("sampleGenotype is uniform over operations and inputs", () => {
  const rng = new Rng(11);
  const samples = 4000;
  const operations = new Map<string, number>();
  const lastNodePairs = new Map<string, number>();
  for (let i = 0; i < samples; i++) {
    const { normal } = sampleGenotype(rng);
    for (const [operation] of normal) {
      operations.set(operation, (operations.get(operation) ?? 0) + 1);
    }
    const pair = `${normal[6][1]},${normal[7][1]}`;
    lastNodePairs.set(pair, (lastNodePairs.get(pair) ?? 0) + 1);
  }

  // 7 operations over 8 edges per sample: expected 4571 each, standard
  // deviation ≈ 63, so ±400 is over 6 deviations.
  assert.equal(operations.size, 7);
  assert.ok(!operations.has("none"));
  for (const [operation, count] of operations) {
    assert.ok(Math.abs(count - samples * 8 / 7) < 400, `${operation}: ${count}`);
  }
  // Node 5 chooses 2 of 5 inputs: 10 pairs, expected 400 each, deviation ≈ 19.
  assert.equal(lastNodePairs.size, 10);
  for (const [pair, count] of lastNodePairs) {
    assert.ok(Math.abs(count - samples / 10) < 120, `inputs ${pair}: ${count}`);
  }
});

Deno.test("sampleDistinctGenotypes repeats per seed", () => {
  const first = sampleDistinctGenotypes(5, 42);
  const again = sampleDistinctGenotypes(5, 42);
  const other = sampleDistinctGenotypes(5, 43);

  assert.deepEqual(again, first);
  assert.notDeepEqual(other, first);
  assert.equal(new Set(first.map(genotypeHash)).size, 5);
});

function _comparable(outcome: RandomSearchOutcome): unknown {
  const { wallSeconds: _wall, resumedFromCandidate: _resumed, trajectory, ...rest } = outcome;
  return { ...rest, trajectory: trajectory.map(({ wallSeconds: _seconds, ...record }) => record) };
}

Deno.test("runRandomSearch keeps the best candidate and resumes", async () => {
  const before = tf.memory().numTensors;
  const directory = await Deno.makeTempDir({ prefix: "random-search-" });
  const checkpointPath = join(directory, "random.json");

  try {
    const uninterrupted = await runRandomSearch({
      settings: _SETTINGS,
      dataset: _DATASET,
      seed: 2,
    });

    // Stop in the middle of candidate 2, after its first epoch.
    const controller = new AbortController();
    await assert.rejects(
      runRandomSearch({
        settings: _SETTINGS,
        dataset: _DATASET,
        seed: 2,
        checkpointPath,
        signal: controller.signal,
        onCandidate: () => controller.abort(new Error("stopped")),
      }),
      /stopped/,
    );
    const resumed = await runRandomSearch({
      settings: _SETTINGS,
      dataset: _DATASET,
      seed: 2,
      checkpointPath,
    });

    const accuracies = uninterrupted.trajectory.map((record) => record.validAccuracy);
    const best = accuracies.indexOf(Math.max(...accuracies));
    assert.equal(uninterrupted.trajectory.length, 3);
    assert.equal(uninterrupted.bestCandidate, best + 1);
    assert.deepEqual(uninterrupted.genotype, uninterrupted.trajectory[best].genotype);
    assert.equal(uninterrupted.epochs, 6);
    assert.equal(uninterrupted.method, "random");
    assert.equal(resumed.resumedFromCandidate, 1);
    assert.deepEqual(_comparable(resumed), _comparable(uninterrupted));
    await assert.rejects(Deno.stat(`${checkpointPath}.candidate`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("runRandomSearch rejects another search's checkpoint", async () => {
  const directory = await Deno.makeTempDir({ prefix: "random-search-" });
  const checkpointPath = join(directory, "random.json");
  const settings = { ..._SETTINGS, samples: 1, epochsPerSample: 1 };

  try {
    await runRandomSearch({ settings, dataset: _DATASET, seed: 1, checkpointPath });
    await assert.rejects(
      runRandomSearch({ settings, dataset: _DATASET, seed: 2, checkpointPath }),
      /different settings, seed or data\. Delete it/,
    );
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});
