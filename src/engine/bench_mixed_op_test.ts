import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { initBackend } from "./backend.ts";
import { benchMixedOperation, mixedOperationMacs } from "./bench_mixed_op.ts";

Deno.test("mixedOperationMacs counts depthwise and pointwise work", () => {
  // sep_conv_3x3, 16 channels, 32×32: two (9·16 + 16·16)·1024 MACs.
  assert.equal(mixedOperationMacs("sep_conv_3x3", 16, 32, 1), 2 * (9 * 16 + 16 * 16) * 1024);
  // dil_conv_5x5 at stride 2 works on the 16×16 output.
  assert.equal(mixedOperationMacs("dil_conv_5x5", 16, 32, 2), (25 * 16 + 16 * 16) * 256);
  // FactorizedReduce: two 1×1 convolutions to 8 channels each on 16×16.
  assert.equal(mixedOperationMacs("skip_connect", 16, 32, 2), 16 * 16 * 256);
  assert.equal(mixedOperationMacs("skip_connect", 16, 32, 1), 0);
  assert.equal(mixedOperationMacs("max_pool_3x3", 16, 32, 1), 0);
});

Deno.test("benchMixedOperation times a small mixed operation", async () => {
  await initBackend("cpu");
  const before = tf.memory().numTensors;

  const result = await benchMixedOperation({
    channels: 4,
    size: 8,
    batch: 2,
    stride: 2,
    steps: 2,
    warmup: 1,
  });

  assert.equal(result.backend, "cpu");
  assert.equal(result.steps, 2);
  assert.ok(result.msPerStep > 0);
  assert.ok(result.msPerStepMin <= result.msPerStep);
  assert.ok(result.cpuMsPerStep > 0);
  assert.ok(
    Math.abs(result.gflopPerSecond - result.gflopPerStep / (result.msPerStep / 1000)) < 1e-9,
  );
  assert.equal(tf.memory().numTensors, before);
});
