/**
 * The CLI as a user meets it: exit codes, one `error:` line for user
 * errors with the JSON path and value, and help text with examples. Runs
 * the real entry point in a subprocess with the task's permissions.
 */

import assert from "node:assert/strict";

const MAIN = new URL("../src/cli/main.ts", import.meta.url).pathname;

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command("deno", {
    args: ["run", "--no-prompt", "--allow-read", "--allow-env", MAIN, ...args],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  return {
    code: output.code,
    stdout: new TextDecoder().decode(output.stdout),
    stderr: new TextDecoder().decode(output.stderr),
  };
}

async function experimentFile(mutate: (data: Record<string, unknown>) => void): Promise<string> {
  const data = JSON.parse(
    await Deno.readTextFile(new URL("../experiments/mnist.json", import.meta.url)),
  );
  mutate(data);
  const path = await Deno.makeTempFile({ suffix: ".json" });
  await Deno.writeTextFile(path, JSON.stringify(data));
  return path;
}

Deno.test("cli help lists subcommands and examples", async () => {
  const { code, stdout } = await cli("--help");

  assert.equal(code, 0);
  for (const command of ["reproduce", "search", "evaluate", "tables", "data", "bench", "info"]) {
    assert.match(stdout, new RegExp(`^  ${command} `, "m"), command);
  }
  assert.match(stdout, /Examples:/);
});

Deno.test("cli reproduce help shows units and defaults", async () => {
  const { code, stdout } = await cli("reproduce", "--help");

  assert.equal(code, 0);
  assert.match(stdout, /--backend <name>/);
  assert.match(stdout, /"webgpu"/);
  assert.match(stdout, /--results-dir <dir>\s+folder of result files \(default:\s+"results"\)/);
  assert.match(stdout, /deno task reproduce --shard/);
});

Deno.test("cli unknown option exits 2", async () => {
  const { code, stderr } = await cli("reproduce", "--profil", "quick");

  assert.equal(code, 2);
  assert.match(stderr, /^error: unknown option '--profil'/m);
});

Deno.test("cli invalid choice exits 2", async () => {
  const { code, stderr } = await cli("reproduce", "--backend", "cuda", "--dry-run");

  assert.equal(code, 2);
  assert.match(stderr, /error: option '--backend <name>' argument 'cuda' is invalid/);
});

Deno.test("cli rejects unknown experiment key", async () => {
  const path = await experimentFile((data) => (data.seedz = [1]));
  const { code, stderr } = await cli("reproduce", "--dry-run", path);

  assert.equal(code, 2);
  assert.equal(stderr.match(/^error: /gm)?.length, 1);
  assert.match(stderr, /Cannot load experiment .*: 1 invalid value/);
  assert.match(stderr, /\(root\): unknown key\(s\) "seedz"/);
  await Deno.remove(path);
});

Deno.test("cli rejects wrong setting type", async () => {
  const path = await experimentFile((data) => {
    (data.profiles as Record<string, Record<string, unknown>>).quick.search = { epochs: "six" };
  });
  const { code, stderr } = await cli("reproduce", "--dry-run", path);

  assert.equal(code, 2);
  assert.match(stderr, /profiles\.quick\.search\.epochs: .*\(value: "six"\)/);
  await Deno.remove(path);
});

Deno.test("cli rejects missing field", async () => {
  const path = await experimentFile((data) => delete data.methods);
  const { code, stderr } = await cli("reproduce", "--dry-run", path);

  assert.equal(code, 2);
  assert.match(stderr, /^ {2}- methods: /m);
  await Deno.remove(path);
});

Deno.test("cli rejects invalid JSON", async () => {
  const path = await Deno.makeTempFile({ suffix: ".json" });
  await Deno.writeTextFile(path, '{"version": 1,');
  const { code, stderr } = await cli("reproduce", "--dry-run", path);

  assert.equal(code, 2);
  assert.match(stderr, /error: Cannot load experiment .*: invalid JSON at line 1, column 15 /);
  await Deno.remove(path);
});

Deno.test("cli rejects missing experiment file", async () => {
  const { code, stderr } = await cli("reproduce", "--dry-run", "experiments/nope.json");

  assert.equal(code, 2);
  assert.match(
    stderr,
    /error: Cannot load experiment experiments\/nope\.json: the file does not exist/,
  );
});

Deno.test("cli rejects bad shard", async () => {
  const { code, stderr } = await cli("reproduce", "--dry-run", "--shard", "3/2");

  assert.equal(code, 2);
  assert.match(stderr, /error: Invalid --shard "3\/2"/);
});

Deno.test("cli dry run lists every unit", async () => {
  const { code, stdout } = await cli(
    "reproduce",
    "--dry-run",
    "--profile",
    "smoke",
    "experiments/mnist.json",
  );

  assert.equal(code, 0);
  const rows = stdout.trim().split("\n").slice(1);
  assert.equal(rows.length, 4);
  assert.match(rows[0], /^[0-9a-f]{16} {2}mnist/);
});

Deno.test("cli explains a folder outside the permissions", async () => {
  // The helper grants no write access, as a task grants none outside its folders.
  const folder = await Deno.makeTempDir();
  const { code, stderr } = await cli("tables", "--tables-dir", `${folder}/tables`);

  assert.equal(code, 2);
  assert.match(stderr, /^error: Requires write access to ".*tables"\.$/m);
  assert.match(stderr, /Point the folder options\s+\(--results-dir, --tables-dir/);
  assert.doesNotMatch(stderr, /at .*\.ts:\d+/, "a stack trace was printed");
  await Deno.remove(folder, { recursive: true });
});

Deno.test("cli bench rejects an unknown case", async () => {
  const { code, stderr } = await cli("bench", "--only", "nope");

  assert.equal(code, 2);
  assert.match(stderr, /^error: Cannot run the benchmark with --only nope: expected/m);
  assert.doesNotMatch(stderr, /at .*\.ts:\d+/, "a stack trace was printed");
});

Deno.test("cli reproduce exits 1 when runs fail", async () => {
  // No dataset cache and no permission to run npm or apt-get: every run fails in its data stage.
  const dir = await Deno.makeTempDir();
  const output = await new Deno.Command("deno", {
    args: [
      "run",
      "--no-prompt",
      "--allow-read",
      `--allow-write=${dir}`,
      "--allow-env",
      MAIN,
      "reproduce",
      "--profile",
      "smoke",
      "experiments/mnist.json",
      "--data-dir",
      `${dir}/empty-cache`,
      "--results-dir",
      `${dir}/results`,
      "--checkpoints-dir",
      `${dir}/checkpoints`,
      "--tables-dir",
      `${dir}/tables`,
    ],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);

  assert.equal(output.code, 1, stderr);
  assert.match(stderr, /failed in data: Cannot load dataset mnist/);
  assert.equal([...Deno.readDirSync(`${dir}/results/mnist`)].length, 4);
  await Deno.remove(dir, { recursive: true });
});
