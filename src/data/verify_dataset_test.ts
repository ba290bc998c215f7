import assert from "node:assert/strict";
import { join } from "node:path";
import { loadDataset } from "./load_dataset.ts";
import { verifyDataset } from "./verify_dataset.ts";
import { verifyDatasets } from "./fetch_datasets.ts";
import { fakeIdxFiles, writeFiles } from "./testdata/fixtures.ts";

async function cachedFake(seed: number) {
  const fake = await fakeIdxFiles(20, 10, seed);
  const root = await Deno.makeTempDir({ prefix: "vinnas-data-test-" });
  const cacheDir = join(root, "cache");
  await writeFiles(join(root, "source"), fake.files, false);
  await loadDataset("mnist", {
    cacheDir,
    sourceDir: join(root, "source"),
    allowPackages: false,
    digests: fake.digests,
  });
  return { fake, root, cacheDir };
}

Deno.test("verifyDataset accepts an intact entry", async () => {
  const { fake, root, cacheDir } = await cachedFake(41);

  const report = await verifyDataset("mnist", { cacheDir, digests: fake.digests });

  assert.equal(report.ok, true);
  assert.deepEqual(report.problems, []);
  assert.equal(report.files.length, 4);
  assert.ok(report.files.every((file) => file.ok && file.actualSha256 === file.expectedSha256));
  await Deno.remove(root, { recursive: true });
});

Deno.test("verifyDataset finds a changed byte that keeps the size", async () => {
  const { fake, root, cacheDir } = await cachedFake(42);
  const path = join(cacheDir, "mnist", "test-images.u8");
  const bytes = await Deno.readFile(path);
  bytes[100] ^= 0xff;
  await Deno.writeFile(path, bytes);

  const report = await verifyDataset("mnist", { cacheDir, digests: fake.digests });

  assert.equal(report.ok, false);
  const row = report.files.find((file) => file.file === "test-images.u8");
  assert.equal(row?.ok, false);
  assert.equal(report.problems.length, 1);
  assert.match(
    report.problems[0],
    /^test-images\.u8: expected sha256 [0-9a-f]{64} \(7840 bytes\) but got [0-9a-f]{64} \(7840 bytes\)$/,
  );
  await Deno.remove(root, { recursive: true });
});

Deno.test("verifyDataset reports stale source digests and missing files", async () => {
  const { root, cacheDir } = await cachedFake(43);
  await Deno.remove(join(cacheDir, "mnist", "train-labels.u8"));

  const report = await verifyDataset("mnist", { cacheDir });

  assert.equal(report.ok, false);
  assert.match(
    report.problems[0],
    /records sha256 [0-9a-f]{64} for train-images-idx3-ubyte, expected ba891046/,
  );
  assert.ok(report.problems.includes("train-labels.u8 is missing"), report.problems.join("\n"));
  await Deno.remove(root, { recursive: true });
});

Deno.test("verifyDatasets reports an absent entry per dataset", async () => {
  const cacheDir = await Deno.makeTempDir({ prefix: "vinnas-data-test-" });

  const reports = await verifyDatasets([], { cacheDir });

  assert.deepEqual(reports.map((report) => report.dataset), ["mnist", "fashion-mnist", "cifar10"]);
  assert.ok(
    reports.every((report) => !report.ok && /manifest\.json is missing/.test(report.problems[0])),
  );
  await Deno.remove(cacheDir, { recursive: true });
});
