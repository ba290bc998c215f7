import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { loadReferences, parseReferences, type References } from "./reference.ts";

const _committedPath = fileURLToPath(new URL("../../paper-tables/reference.json", import.meta.url));
const _fixturePath = fileURLToPath(new URL("./testdata/reference.json", import.meta.url));

async function _fixture(): Promise<Record<string, unknown>> {
  return JSON.parse(await Deno.readTextFile(_fixturePath));
}

Deno.test("reference file in paper-tables is valid", async () => {
  const references = await loadReferences(_committedPath);

  assert.equal(references.version, 1);
  assert.ok(references.tables.mnist.rows.some((row) => row.method === "vinnas"));
  assert.ok(references.tables["fashion-mnist"].rows.some((row) => row.method === "vinnas"));
  assert.ok(references.tables.cifar10.rows.some((row) => row.method === "vinnas"));
});

Deno.test("reference file holds the DARTS values from its README", async () => {
  const references: References = await loadReferences(_committedPath);
  const darts = references.tables.cifar10.rows.find((row) => row.method === "darts-second-order");

  assert.ok(darts !== undefined);
  assert.equal(darts.testErrorMean.value, 2.76);
  assert.equal(darts.testErrorStd.value, 0.09);
  assert.equal(darts.totalParameters.value, 3_300_000);
  assert.match(darts.testErrorMean.source.url!, /^https:\/\/github\.com\/quark0\/darts\//);
  assert.match(darts.totalParameters.source.url!, /^https:\/\/github\.com\/quark0\/darts\//);
});

Deno.test("reference file fills no value without a source page", async () => {
  const references = await loadReferences(_committedPath);

  for (const table of Object.values(references.tables)) {
    for (const row of table.rows) {
      const values = [
        row.testErrorMean,
        row.testErrorStd,
        row.totalParameters,
        row.nonZeroParameters,
        row.searchCostGpuDays,
      ];
      for (const entry of values) {
        if (entry.value !== null) assert.notEqual(entry.source.url, null, row.label);
        else assert.ok(entry.source.location.length > 0, row.label);
      }
    }
  }
});

Deno.test("parseReferences rejects unknown keys", async () => {
  const top = { ...(await _fixture()), comment: "typo" };
  const inRow = await _fixture();
  const rows = (inRow.tables as Record<string, { rows: Record<string, unknown>[] }>).mnist.rows;
  rows[0].testErrorMea = rows[0].testErrorMean;
  const inSource = await _fixture();
  const source = (inSource.tables as Record<string, { rows: Record<string, unknown>[] }>)
    .cifar10.rows[1].testErrorMean as { source: Record<string, unknown> };
  source.source.page = 3;

  assert.throws(() => parseReferences(top, "top.json"), {
    message:
      /Cannot load reference values from top\.json[\s\S]*\(root\): Unrecognized key: "comment"/,
  });
  assert.throws(() => parseReferences(inRow, "row.json"), {
    message: /tables\.mnist\.rows\.0: Unrecognized key: "testErrorMea"/,
  });
  assert.throws(() => parseReferences(inSource, "source.json"), {
    message: /tables\.cifar10\.rows\.1\.testErrorMean\.source: Unrecognized key: "page"/,
  });
});

Deno.test("parseReferences rejects a value without a source URL", async () => {
  const data = await _fixture();
  const entry = (data.tables as Record<string, { rows: Record<string, unknown>[] }>)
    .mnist.rows[1].totalParameters as { source: { url: string | null } };
  entry.source.url = null;

  assert.throws(() => parseReferences(data, "x.json"), {
    message: /tables\.mnist\.rows\.1\.totalParameters\.source\.url: a reported value needs the URL/,
  });
});

Deno.test("parseReferences rejects a wrong version and wrong units", async () => {
  const version = { ...(await _fixture()), version: 2 };
  const negative = await _fixture();
  const entry = (negative.tables as Record<string, { rows: Record<string, unknown>[] }>)
    .cifar10.rows[1].testErrorMean as { value: number };
  entry.value = -1;

  assert.throws(() => parseReferences(version, "v.json"), {
    message: /version: Invalid input: expected 1 \(value: 2\)/,
  });
  assert.throws(() => parseReferences(negative, "n.json"), {
    message: /rows\.1\.testErrorMean\.value: .*>=0 \(value: -1\)/,
  });
});

Deno.test("parseReferences rejects a spread without a mean", async () => {
  const data = await _fixture();
  const row = (data.tables as Record<string, { rows: Record<string, { value: unknown }>[] }>)
    .cifar10.rows[1];
  row.testErrorMean.value = null;
  (row.testErrorMean as unknown as { source: { url: null } }).source.url = null;

  assert.throws(() => parseReferences(data, "s.json"), {
    message: /rows\.1\.testErrorStd\.value: a standard deviation needs its mean/,
  });
});

Deno.test("loadReferences names a missing or broken file", async () => {
  const folder = await Deno.makeTempDir();
  const broken = `${folder}/broken.json`;
  await Deno.writeTextFile(broken, "{ not json");

  try {
    await assert.rejects(loadReferences(`${folder}/absent.json`), {
      message: new RegExp(`Cannot load reference values from ${folder}/absent\\.json`),
    });
    await assert.rejects(loadReferences(broken), {
      message: new RegExp(`Cannot load reference values from ${broken}: invalid JSON`),
    });
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});
