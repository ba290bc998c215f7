/**
 * The reproduce pipeline around the training code: which units run, which
 * are skipped or resumed, how a failure is recorded, and that result files
 * survive a killed writer.
 */

import assert from "node:assert/strict";
import type { BackendInfo } from "../src/engine/backend.ts";
import { planReproduce, type ReproduceOptions } from "../src/pipeline/reproduce.ts";
import { executeRunUnit } from "../src/pipeline/run_unit.ts";
import { type ResultRecord, ResultRecordSchema } from "../src/results/record.ts";
import { readResult, resultPath, writeResult } from "../src/results/store.ts";

const EXPERIMENT = new URL("../experiments/mnist.json", import.meta.url).pathname;

function options(dir: string): ReproduceOptions {
  return {
    experiments: [EXPERIMENT],
    profile: "smoke",
    backend: "cpu",
    dryRun: true,
    force: false,
    resultsDir: `${dir}/results`,
    checkpointsDir: `${dir}/checkpoints`,
    tablesDir: `${dir}/tables`,
    referencesPath: "paper-tables/reference.json",
    skipTables: true,
    dataOptions: {},
  };
}

function record(
  runId: string,
  status: "complete" | "failed",
  overrides: Partial<ResultRecord> = {},
): ResultRecord {
  const genotypeEdges = Array.from(
    { length: 8 },
    (_, index) => ["sep_conv_3x3", Math.floor(index / 2)] as ["sep_conv_3x3", number],
  );
  return {
    version: 1,
    runId,
    experiment: "mnist",
    dataset: "mnist",
    method: "vinnas",
    seed: 0,
    profile: "smoke",
    status,
    config: {},
    provenance: {
      gitCommit: null,
      gitDirty: null,
      codeVersion: "test",
      deno: "x",
      v8: "x",
      typescript: "x",
      tfjs: "x",
      backend: "cpu",
      adapter: null,
      tfjsFlags: {},
      platform: "linux-x86_64",
      cpuCount: 2,
      dataDigests: {},
      seed: 0,
      startedAt: "2026-01-01T00:00:00.000Z",
      finishedAt: "2026-01-01T00:01:00.000Z",
      wallSeconds: 60,
      peakMemoryBytes: 1,
    },
    search: status === "complete"
      ? {
        genotype: {
          version: 1,
          normal: genotypeEdges,
          normalConcat: [2, 3, 4, 5],
          reduce: genotypeEdges,
          reduceConcat: [2, 3, 4, 5],
        },
        genotypeHash: "0",
        epochs: 1,
        wallSeconds: 1,
        skipConnectionsInNormalCell: 0,
        trajectory: [],
      }
      : null,
    evaluation: status === "complete"
      ? {
        testError: 10,
        totalParameters: 100,
        nonZeroParameters: 50,
        multiplyAccumulates: 1000,
        epochs: 1,
        wallSeconds: 1,
        curves: [],
      }
      : null,
    failure: status === "failed" ? { stage: "search", message: "loss is NaN", stack: null } : null,
    ...overrides,
  };
}

Deno.test("plan skips complete and resumes partial runs", async () => {
  const dir = await Deno.makeTempDir();
  const base = options(dir);
  const fresh = await planReproduce(base);
  assert.equal(fresh.length, 4);
  assert.ok(fresh.every((entry) => entry.action === "run"));

  const [complete, failed, partial] = fresh.map((entry) => entry.unit.runId);
  await writeResult(base.resultsDir, record(complete, "complete"));
  await writeResult(base.resultsDir, record(failed, "failed"));
  await Deno.mkdir(`${base.checkpointsDir}/${partial}`, { recursive: true });

  const actions = new Map(
    (await planReproduce(base)).map((entry) => [entry.unit.runId, entry.action]),
  );
  assert.equal(actions.get(complete), "skip");
  assert.equal(actions.get(failed), "rerun-failed");
  assert.equal(actions.get(partial), "resume");
  assert.equal(actions.get(fresh[3].unit.runId), "run");

  const forced = await planReproduce({ ...base, force: true });
  assert.equal(forced.find((entry) => entry.unit.runId === complete)?.action, "run");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("plan selects a run by id prefix", async () => {
  const dir = await Deno.makeTempDir();
  const base = options(dir);
  const [first] = await planReproduce(base);

  const selected = await planReproduce({ ...base, runId: first.unit.runId.slice(0, 6) });
  assert.equal(selected.length, 1);
  assert.equal(selected[0].unit.runId, first.unit.runId);
  await assert.rejects(() => planReproduce({ ...base, runId: "zzzz" }), /No planned run has an id/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("run unit records a data failure", async () => {
  const dir = await Deno.makeTempDir();
  const [{ unit }] = await planReproduce(options(dir));
  const backend = {
    backend: "cpu",
    adapter: null,
    tfjsVersion: "4.22.0",
    flags: {},
    engine: { backend: "cpu", replacedKernels: [], nativeBackprop: true },
  } as BackendInfo;

  const written = await executeRunUnit(unit, {
    resultsDir: `${dir}/results`,
    checkpointsDir: `${dir}/checkpoints`,
    backend,
    dataOptions: { cacheDir: `${dir}/empty-cache`, allowPackages: false, allowNetwork: false },
    git: { commit: null, dirty: null },
  });

  assert.equal(written.status, "failed");
  assert.equal(written.failure?.stage, "data");
  assert.match(written.failure?.message ?? "", /mnist/i);
  assert.equal(written.evaluation, null);
  const onDisk = await readResult(resultPath(`${dir}/results`, "mnist", unit.runId));
  assert.deepEqual(onDisk, written);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("result schema rejects inconsistent status", () => {
  const complete = record("0123456789abcdef", "complete");
  assert.equal(ResultRecordSchema.safeParse(complete).success, true);
  assert.equal(ResultRecordSchema.safeParse({ ...complete, evaluation: null }).success, false);
  assert.equal(
    ResultRecordSchema.safeParse({ ...record("0123456789abcdef", "failed"), failure: null })
      .success,
    false,
  );
});

// A child process rewrites one file atomically in a loop with two contents
// of different lengths and is killed at a varying moment. The file must then
// contain one of the two contents in full, never a mix or a prefix.
Deno.test("atomic write survives a killed writer", async () => {
  const dir = await Deno.makeTempDir();
  const target = `${dir}/result.json`;
  const writer = new URL("../src/train/checkpoint.ts", import.meta.url).href;
  const script = `
    import { writeFileAtomic } from "${writer}";
    const a = "a".repeat(3_000_000);
    const b = "b".repeat(2_000_000);
    for (let i = 0; ; i++) await writeFileAtomic(${JSON.stringify(target)}, i % 2 === 0 ? a : b);
  `;

  for (let trial = 0; trial < 5; trial++) {
    const child = new Deno.Command("deno", {
      args: ["eval", "--no-prompt", `--allow-read=${dir}`, `--allow-write=${dir}`, script],
      stdout: "null",
      stderr: "null",
    }).spawn();
    await new Promise((resolve) => setTimeout(resolve, 400 + 150 * trial));
    child.kill("SIGKILL");
    await child.status;

    const text = await Deno.readTextFile(target).catch(() => null);
    if (text === null) continue;
    const allA = text.length === 3_000_000 && !/[^a]/.test(text);
    const allB = text.length === 2_000_000 && !/[^b]/.test(text);
    assert.ok(allA || allB, `trial ${trial}: file has ${text.length} characters of mixed content`);
  }
  await Deno.remove(dir, { recursive: true });
});
