import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ResultRecord } from "../src/results/record.ts";
import { setLogLevel } from "../src/util/log.ts";
import { checkTables, GENERATED_MARKER, renderAllTables } from "../src/tables/mod.ts";
import { makeRecord } from "../src/tables/testdata/make_record.ts";

const _referencePath = fileURLToPath(
  new URL("../src/tables/testdata/reference.json", import.meta.url),
);

setLogLevel("warn");

interface Workspace {
  resultsDir: string;
  outDir: string;
}

async function _withWorkspace(
  records: readonly ResultRecord[],
  body: (workspace: Workspace) => Promise<void>,
): Promise<void> {
  const root = await Deno.makeTempDir();
  const workspace = { resultsDir: join(root, "results"), outDir: join(root, "paper-tables") };

  try {
    for (const record of records) {
      const folder = join(workspace.resultsDir, record.experiment);
      await Deno.mkdir(folder, { recursive: true });
      await Deno.writeTextFile(join(folder, `${record.runId}.json`), JSON.stringify(record));
    }
    await body(workspace);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

const _records = [
  makeRecord({ seed: 0, testError: 3.0 }),
  makeRecord({ seed: 1, testError: 3.2 }),
  makeRecord({ experiment: "mnist", dataset: "mnist", method: "darts-first-order" }),
];

Deno.test("renderAllTables writes one table per experiment", async () => {
  await _withWorkspace(_records, async ({ resultsDir, outDir }) => {
    const written = await renderAllTables(resultsDir, _referencePath, outDir);
    const cifar = await Deno.readTextFile(join(outDir, "cifar10.md"));

    assert.deepEqual(written, [join(outDir, "cifar10.md"), join(outDir, "mnist.md")]);
    assert.ok(cifar.startsWith(GENERATED_MARKER));
    assert.match(cifar, /\| VINNAS \| `smoke` \| 2 complete \| 3\.10 ± 0\.14 \(n=2\) \|/);
  });
});

Deno.test("checkTables finds nothing after a fresh render", async () => {
  await _withWorkspace(_records, async ({ resultsDir, outDir }) => {
    await renderAllTables(resultsDir, _referencePath, outDir);
    await Deno.writeTextFile(join(outDir, "README.md"), "# Hand-written notes\n");

    assert.deepEqual(await checkTables(resultsDir, _referencePath, outDir), []);
  });
});

Deno.test("checkTables reports missing, changed and orphaned tables", async () => {
  await _withWorkspace(_records, async ({ resultsDir, outDir }) => {
    await renderAllTables(resultsDir, _referencePath, outDir);
    await Deno.remove(join(outDir, "mnist.md"));
    await Deno.writeTextFile(join(outDir, "cifar10.md"), `${GENERATED_MARKER}\nedited by hand\n`);
    await Deno.writeTextFile(join(outDir, "old.md"), `${GENERATED_MARKER}\nfrom a removed run\n`);

    const stale = await checkTables(resultsDir, _referencePath, outDir);

    assert.deepEqual(stale, [
      { path: join(outDir, "cifar10.md"), reason: "different" },
      { path: join(outDir, "mnist.md"), reason: "missing" },
      { path: join(outDir, "old.md"), reason: "orphaned" },
    ]);
  });
});

Deno.test("checkTables sees a new result as a stale table", async () => {
  await _withWorkspace(_records, async ({ resultsDir, outDir }) => {
    await renderAllTables(resultsDir, _referencePath, outDir);
    const extra = makeRecord({ seed: 2, testError: 5 });
    await Deno.writeTextFile(
      join(resultsDir, "cifar10", `${extra.runId}.json`),
      JSON.stringify(extra),
    );

    const stale = await checkTables(resultsDir, _referencePath, outDir);

    assert.deepEqual(stale, [{ path: join(outDir, "cifar10.md"), reason: "different" }]);
  });
});

Deno.test("renderAllTables stops at an invalid result file", async () => {
  await _withWorkspace(_records, async ({ resultsDir, outDir }) => {
    const path = join(resultsDir, "cifar10", "0000000000000000.json");
    await Deno.writeTextFile(path, JSON.stringify({ ...makeRecord(), status: "running" }));

    await assert.rejects(renderAllTables(resultsDir, _referencePath, outDir), (error: Error) => {
      assert.match(error.message, new RegExp(`Cannot read result file ${path}`));
      assert.match(error.message, /- status: .*\(value: "running"\)/);
      return true;
    });
    await assert.rejects(Deno.stat(outDir), Deno.errors.NotFound);
  });
});
