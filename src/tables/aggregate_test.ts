import assert from "node:assert/strict";
import { aggregateResults, describeDevice } from "./aggregate.ts";
import { makeRecord } from "./testdata/make_record.ts";

const _failure = { stage: "evaluation" as const, message: "out of memory\nat line 3", stack: null };

function _vinnasRuns() {
  return [
    makeRecord({
      seed: 0,
      testError: 2,
      totalParameters: 1_000,
      nonZeroParameters: 400,
      searchSeconds: 3600,
      skipConnections: 1,
    }),
    makeRecord({
      seed: 1,
      testError: 3,
      totalParameters: 2_000,
      nonZeroParameters: 600,
      searchSeconds: 7200,
      skipConnections: 4,
    }),
    makeRecord({
      seed: 2,
      testError: 4,
      totalParameters: 3_000,
      nonZeroParameters: 800,
      searchSeconds: 10800,
      skipConnections: 1,
    }),
    makeRecord({ seed: 3, failure: _failure }),
  ];
}

Deno.test("aggregateResults computes mean, sample std and n over seeds", () => {
  const [summary] = aggregateResults(_vinnasRuns());

  assert.equal(summary.testError?.n, 3);
  assert.equal(summary.testError?.mean, 3);
  // Sample std of 2, 3, 4 is exactly 1; tolerance 1e-12.
  assert.ok(Math.abs(summary.testError!.std! - 1) < 1e-12);
  assert.deepEqual(summary.seeds, [0, 1, 2]);
  assert.equal(summary.totalParameters, 2_000);
  assert.equal(summary.nonZeroParameters, 600);
  assert.equal(summary.searchHours, 2);
  assert.deepEqual(summary.skipConnections, { mean: 2, max: 4 });
  assert.deepEqual(summary.devices, ["wasm (2-core CPU)"]);
});

Deno.test("aggregateResults excludes and lists failed runs", () => {
  const [summary] = aggregateResults(_vinnasRuns());

  assert.equal(summary.testError?.n, 3);
  assert.equal(summary.failures.length, 1);
  assert.equal(summary.failures[0].seed, 3);
  assert.equal(summary.failures[0].stage, "evaluation");
  assert.equal(summary.failures[0].message, "out of memory\nat line 3");
});

Deno.test("aggregateResults keeps a group whose runs all failed", () => {
  const [summary] = aggregateResults([makeRecord({ method: "random", failure: _failure })]);

  assert.equal(summary.method, "random");
  assert.equal(summary.testError, null);
  assert.equal(summary.totalParameters, null);
  assert.equal(summary.searchHours, null);
  assert.equal(summary.skipConnections, null);
  assert.deepEqual(summary.seeds, []);
  assert.equal(summary.failures.length, 1);
});

Deno.test("aggregateResults groups by experiment, method and profile", () => {
  const records = [
    makeRecord({ method: "random", profile: "full" }),
    makeRecord({ method: "vinnas", profile: "smoke" }),
    makeRecord({ method: "darts-second-order", profile: "smoke" }),
    makeRecord({ method: "vinnas", profile: "full" }),
    makeRecord({ method: "darts-first-order", profile: "smoke" }),
    makeRecord({ experiment: "mnist", dataset: "mnist", method: "random" }),
  ];

  const keys = aggregateResults(records).map((s) => `${s.experiment}/${s.method}/${s.profile}`);

  assert.deepEqual(keys, [
    "cifar10/vinnas/full",
    "cifar10/vinnas/smoke",
    "cifar10/darts-first-order/smoke",
    "cifar10/darts-second-order/smoke",
    "cifar10/random/full",
    "mnist/random/smoke",
  ]);
});

Deno.test("aggregateResults ignores the input order", () => {
  // Values whose floating-point sum depends on the order of addition.
  const records = [0.1, 0.7, 0.2, 1e-16, 0.3].map((testError, seed) => {
    return makeRecord({ seed, testError, searchSeconds: 1000 + seed });
  });
  const expected = aggregateResults(records);

  for (const order of [[4, 3, 2, 1, 0], [2, 0, 4, 1, 3], [1, 4, 0, 3, 2]]) {
    assert.deepEqual(aggregateResults(order.map((index) => records[index])), expected);
  }
});

Deno.test("aggregateResults rejects a complete run without evaluation", () => {
  const record = makeRecord({ seed: 5 });
  record.evaluation = null;

  assert.throws(() => aggregateResults([record]), {
    message: new RegExp(`run ${record.runId} .*complete but its evaluation summary is null`),
  });
});

Deno.test("aggregateResults rejects two complete runs of one seed", () => {
  const first = makeRecord({ seed: 1 });
  const second = { ...makeRecord({ seed: 1 }), runId: "ffffffffffffffff" };

  assert.throws(() => aggregateResults([first, second]), {
    message: new RegExp(`seed 1 has two complete runs \\(${first.runId} and ffffffffffffffff\\)`),
  });
});

Deno.test("describeDevice names backend and device", () => {
  const cpu = makeRecord().provenance;
  const unknownCores = makeRecord({ backend: "cpu", cpuCount: null }).provenance;
  const gpu = makeRecord({
    backend: "webgpu",
    adapter: {
      description: "NVIDIA H200",
      vendor: "nvidia",
      architecture: "hopper",
      isFallbackAdapter: false,
    },
  }).provenance;
  const unnamed = makeRecord({
    backend: "webgpu",
    adapter: {
      description: " ",
      vendor: "nvidia",
      architecture: "hopper",
      isFallbackAdapter: true,
    },
  }).provenance;

  assert.equal(describeDevice(cpu), "wasm (2-core CPU)");
  assert.equal(describeDevice(unknownCores), "cpu (CPU)");
  assert.equal(describeDevice(gpu), "webgpu (NVIDIA H200)");
  assert.equal(describeDevice(unnamed), "webgpu (nvidia hopper, fallback adapter)");
});
