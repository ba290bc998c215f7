import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { initBackend, probeBackends, wasmBinaryPath } from "./backend.ts";
import { readScalar, readValues } from "./read.ts";

Deno.test("initBackend cpu records provenance", async () => {
  const info = await initBackend("cpu");

  assert.equal(info.backend, "cpu");
  assert.equal(tf.getBackend(), "cpu");
  assert.equal(info.tfjsVersion, "4.22.0");
  assert.equal(info.adapter, null);
  assert.equal(info.flags.PROD, true);
  assert.ok(info.engine.replacedKernels.includes("Conv2DBackpropFilter"));
});

Deno.test("initBackend wasm reports SIMD and threads", async () => {
  const info = await initBackend("wasm");

  assert.equal(info.backend, "wasm");
  assert.equal(typeof info.wasmSimd, "boolean");
  // tfjs turns threads off whenever it believes it runs in Node, as under Deno.
  assert.equal(info.wasmThreads, false);
  assert.ok(info.engine.replacedKernels.includes("MaxPoolGrad"));
});

Deno.test({
  name: "initBackend wasm names the missing read permission",
  permissions: { read: false },
  fn: async () => {
    await assert.rejects(() => initBackend("wasm"), (error: Error) => {
      assert.match(error.message, /Cannot initialise the tfjs wasm backend/);
      assert.ok(error.message.includes(`--allow-read=${wasmBinaryPath()}`), error.message);
      return true;
    });
  },
});

Deno.test("initBackend auto never picks a software adapter", async () => {
  const info = await initBackend("auto");

  if (info.backend === "webgpu") {
    assert.ok(info.adapter !== null);
    assert.equal(info.adapter.isFallbackAdapter, false);
  } else {
    assert.equal(info.backend, "wasm");
  }
});

Deno.test("probeBackends lists every backend and restores the current one", async () => {
  await initBackend("cpu");
  const probes = await probeBackends();

  assert.deepEqual(probes.map((probe) => probe.backend), ["cpu", "wasm", "webgpu"]);
  assert.equal(probes[0].available, true);
  for (const probe of probes) {
    assert.equal(probe.available, probe.reason === undefined, JSON.stringify(probe));
  }
  assert.equal(tf.getBackend(), "cpu");
});

Deno.test("readScalar reads one value and rejects larger tensors", async () => {
  await initBackend("cpu");
  const scalar = tf.scalar(2.5);
  const vector = tf.tensor1d([1, 2]);

  assert.equal(await readScalar(scalar), 2.5);
  assert.deepEqual(Array.from(await readValues(vector)), [1, 2]);
  await assert.rejects(() => readScalar(vector), {
    name: "RangeError",
    message: /shape \[2\]: it has 2 elements/,
  });
  tf.dispose([scalar, vector]);
});
