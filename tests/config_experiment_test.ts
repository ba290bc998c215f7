import assert from "node:assert/strict";
import { z } from "zod";
import { UserError } from "../src/config/errors.ts";
import { parseExperiment, type SettingsSchemas } from "../src/config/load_experiment.ts";
import { planRuns, runId, selectShard } from "../src/config/plan.ts";

// Small stand-ins for the real settings schemas: every key has a default, as
// the real ones do, so a partial block validates on its own.
const schemas: SettingsSchemas = {
  search: z.strictObject({
    epochs: z.int().min(1).default(50),
    cells: z.int().min(1).default(8),
    vinnas: z.strictObject({ prior: z.enum(["ard", "log-uniform"]).default("ard") }).prefault({}),
  }),
  evaluation: z.strictObject({ epochs: z.int().min(1).default(600) }),
  randomSearch: z.strictObject({ samples: z.int().min(1).default(8) }),
};

function experiment(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: 1,
    name: "mnist",
    title: "MNIST",
    table: "VINNAS paper, MNIST table",
    dataset: "mnist",
    methods: ["vinnas", "darts-first-order", "random"],
    seeds: [0, 1],
    defaultProfile: "quick",
    search: { epochs: 10 },
    profiles: {
      quick: { description: "reduced", hardware: "2-core CPU", search: { cells: 3 } },
      smoke: { description: "CI", hardware: "2-core CPU", seeds: [0], search: { epochs: 1 } },
    },
    ...overrides,
  };
}

function parseError(data: unknown): UserError {
  const text = typeof data === "string" ? data : JSON.stringify(data);
  try {
    parseExperiment(text, "experiments/test.json", schemas);
  } catch (error) {
    assert.ok(error instanceof UserError, `expected a UserError, got ${error}`);
    return error;
  }
  assert.fail("expected the experiment to be rejected");
}

const identity = { harnessVersion: "0.0.0-test", dataDigests: { "a.bin": "00" } };

Deno.test("experiment accepts a valid file", () => {
  const parsed = parseExperiment(JSON.stringify(experiment()), "x.json", schemas);
  assert.equal(parsed.name, "mnist");
  assert.deepEqual(parsed.seeds, [0, 1]);
});

Deno.test("experiment rejects invalid JSON with position", () => {
  const error = parseError('{"version": 1,,}');
  assert.match(error.message, /experiments\/test\.json: invalid JSON/);
  assert.match(error.message, /at line 1, column 15 \(/);
});

Deno.test("experiment locates an invalid literal", () => {
  const error = parseError('{\n  "version": tru\n}');
  assert.match(error.message, /invalid JSON at line 2, column 17 \(Unexpected token/);
  assert.doesNotMatch(error.message, /is not valid JSON/);
});

Deno.test("experiment rejects unknown key with its path", () => {
  const error = parseError(experiment({ seedz: [1] }));
  assert.match(error.details.join("\n"), /\(root\): unknown key\(s\) "seedz"/);
});

Deno.test("experiment rejects wrong type with path and value", () => {
  const error = parseError(experiment({ seeds: [0, "one"] }));
  const details = error.details.join("\n");
  assert.match(details, /seeds\[1\]: /);
  assert.match(details, /value: "one"/);
});

Deno.test("experiment rejects missing field", () => {
  const data = experiment();
  delete data.dataset;
  const error = parseError(data);
  assert.match(error.details.join("\n"), /^dataset: missing; /m);
});

Deno.test("experiment rejects bad setting in a profile block", () => {
  const data = experiment();
  (data.profiles as Record<string, Record<string, unknown>>).quick.search = { epochs: 0 };
  const error = parseError(data);
  const details = error.details.join("\n");
  assert.match(details, /profiles\.quick\.search\.epochs: /);
  assert.match(details, /value: 0/);
});

Deno.test("experiment rejects misspelt nested setting", () => {
  const error = parseError(experiment({ search: { vinnas: { prio: "ard" } } }));
  assert.match(error.details.join("\n"), /search\.vinnas: unknown key\(s\) "prio"/);
});

Deno.test("experiment rejects undefined default profile", () => {
  const error = parseError(experiment({ defaultProfile: "paper" }));
  assert.match(error.details.join("\n"), /defaultProfile: profile "paper" is not defined/);
});

Deno.test("plan expands methods, seeds and merged settings", async () => {
  const parsed = parseExperiment(JSON.stringify(experiment()), "x.json", schemas);
  const units = await planRuns(parsed, "quick", schemas, identity);

  assert.equal(units.length, 6);
  assert.deepEqual(units[0].config.search, { epochs: 10, cells: 3, vinnas: { prior: "ard" } });
  assert.equal(units[0].config.randomSearch, null);
  assert.deepEqual(units[5].config.randomSearch, { samples: 8 });
  assert.equal(new Set(units.map((unit) => unit.runId)).size, 6);
});

Deno.test("plan applies profile seeds", async () => {
  const parsed = parseExperiment(JSON.stringify(experiment()), "x.json", schemas);
  const units = await planRuns(parsed, "smoke", schemas, identity);

  assert.equal(units.length, 3);
  assert.ok(units.every((unit) => unit.config.seed === 0));
  assert.equal(units[0].config.search.epochs, 1);
});

Deno.test("plan rejects unknown profile", async () => {
  const parsed = parseExperiment(JSON.stringify(experiment()), "x.json", schemas);
  await assert.rejects(
    () => planRuns(parsed, "paper", schemas, identity),
    (error: Error) =>
      error instanceof UserError && /Choose one of: quick, smoke/.test(error.message),
  );
});

Deno.test("run id changes with a knob but not key order", async () => {
  const parsed = parseExperiment(JSON.stringify(experiment()), "x.json", schemas);
  const [unit] = await planRuns(parsed, "quick", schemas, identity);
  const reordered = { ...unit.config, search: { vinnas: { prior: "ard" }, cells: 3, epochs: 10 } };
  const changed = { ...unit.config, search: { ...unit.config.search, epochs: 11 } };

  assert.equal(await runId(reordered, identity), unit.runId);
  assert.notEqual(await runId(changed, identity), unit.runId);
  assert.notEqual(
    await runId(unit.config, { ...identity, dataDigests: { "a.bin": "01" } }),
    unit.runId,
  );
  assert.notEqual(await runId(unit.config, { ...identity, harnessVersion: "x" }), unit.runId);
});

Deno.test("shards partition the units exactly once", async () => {
  const parsed = parseExperiment(JSON.stringify(experiment()), "x.json", schemas);
  const units = await planRuns(parsed, "quick", schemas, identity);

  for (const count of [1, 2, 3, 4, 7]) {
    const seen: string[] = [];
    for (let index = 0; index < count; index++) {
      seen.push(...selectShard(units, index, count).map((unit) => unit.runId));
    }
    assert.equal(seen.length, units.length, `shard count ${count}`);
    assert.deepEqual(new Set(seen), new Set(units.map((unit) => unit.runId)));
  }
});

Deno.test("shard rejects invalid index", () => {
  assert.throws(() => selectShard([], 2, 2), /Invalid shard 2\/2/);
  assert.throws(() => selectShard([], 0, 0), /Invalid shard 0\/0/);
});
