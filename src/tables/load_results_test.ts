import assert from "node:assert/strict";
import { join } from "node:path";
import { loadResults } from "./load_results.ts";
import { makeRecord } from "./testdata/make_record.ts";
import type { ResultRecord } from "../results/record.ts";

async function _withResults(
  files: Record<string, unknown>,
  body: (resultsDir: string) => Promise<void>,
): Promise<void> {
  const resultsDir = await Deno.makeTempDir();
  try {
    for (const [name, content] of Object.entries(files)) {
      const path = join(resultsDir, name);
      await Deno.mkdir(join(path, ".."), { recursive: true });
      const text = typeof content === "string" ? content : JSON.stringify(content);
      await Deno.writeTextFile(path, text);
    }
    await body(resultsDir);
  } finally {
    await Deno.remove(resultsDir, { recursive: true });
  }
}

function _fileOf(record: ResultRecord): string {
  return `${record.experiment}/${record.runId}.json`;
}

Deno.test("loadResults reads every experiment sorted by path", async () => {
  const records = [
    makeRecord({ experiment: "mnist", dataset: "mnist", seed: 1 }),
    makeRecord({ experiment: "cifar10", seed: 2 }),
    makeRecord({ experiment: "cifar10", seed: 1 }),
  ];
  const files: Record<string, unknown> = Object.fromEntries(
    records.map((record) => [_fileOf(record), record]),
  );
  files["cifar10/notes.txt"] = "not a result file";

  await _withResults(files, async (resultsDir) => {
    const loaded = await loadResults(resultsDir);
    const paths = loaded.map((result) => result.path);

    assert.equal(loaded.length, 3);
    assert.deepEqual(paths, [...paths].sort());
    assert.deepEqual(
      loaded.map((result) => result.record.experiment),
      ["cifar10", "cifar10", "mnist"],
    );
  });
});

Deno.test("loadResults returns nothing without a results folder", async () => {
  assert.deepEqual(await loadResults("/tmp/vinnas-test-nonexistent/results-folder"), []);
});

Deno.test("loadResults names an invalid file and its issues", async () => {
  const record = makeRecord();
  const invalid = {
    ...record,
    seed: "three",
    evaluation: { ...record.evaluation, testError: 120 },
  };

  await _withResults({ [_fileOf(record)]: invalid }, async (resultsDir) => {
    const path = join(resultsDir, _fileOf(record));

    await assert.rejects(loadResults(resultsDir), (error: Error) => {
      assert.ok(error.message.startsWith(`Cannot read result file ${path}: `));
      assert.match(error.message, /- seed: Invalid input: expected number.*\(value: "three"\)/);
      assert.match(error.message, /- evaluation\.testError: .*<=100 \(value: 120\)/);
      return true;
    });
  });
});

Deno.test("loadResults names a file with invalid JSON", async () => {
  await _withResults({ "cifar10/0123456789abcdef.json": "{ truncated" }, async (resultsDir) => {
    const path = join(resultsDir, "cifar10/0123456789abcdef.json");

    await assert.rejects(loadResults(resultsDir), {
      message: new RegExp(`Cannot read result file ${path}: invalid JSON`),
    });
  });
});

Deno.test("loadResults rejects a file in the wrong folder or with the wrong name", async () => {
  const record = makeRecord({ experiment: "cifar10" });

  await _withResults({ [`mnist/${record.runId}.json`]: record }, async (resultsDir) => {
    await assert.rejects(loadResults(resultsDir), {
      message: /names experiment "cifar10" but lies in the folder of experiment "mnist"/,
    });
  });
  await _withResults({ "cifar10/renamed.json": record }, async (resultsDir) => {
    await assert.rejects(loadResults(resultsDir), {
      message: new RegExp(`must be named ${record.runId}\\.json`),
    });
  });
});
