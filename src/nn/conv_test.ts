import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { initBackend } from "../engine/backend.ts";
import { forwardContext, NoiseSource } from "./context.ts";
import { createPlainConvolutions } from "./conv.ts";
import { ParameterStore } from "./parameter_store.ts";

const OPTIONS = {
  inChannels: 4,
  outChannels: 6,
  kernelSize: 3,
  stride: 1,
  padding: 1,
  dilation: 1,
};

Deno.test("plain convolution starts inside the PyTorch bound", async () => {
  await initBackend("cpu");
  const store = new ParameterStore();
  createPlainConvolutions({ seed: 1 }).conv2d(store, "conv", OPTIONS);
  createPlainConvolutions({ seed: 1 }).depthwise(store, "depthwise", {
    channels: 4,
    kernelSize: 5,
    stride: 1,
    padding: 2,
    dilation: 1,
  });

  const kernel = store.get("conv.weight")!.variable;
  assert.deepEqual(kernel.shape, [3, 3, 4, 6]);
  const values = await kernel.data();
  const bound = 1 / Math.sqrt(4 * 9);
  assert.ok(values.every((v) => Math.abs(v) <= bound), "all within 1/√fanIn");
  assert.ok(values.some((v) => Math.abs(v) > 0.8 * bound), "spread over the range");

  const depthwise = store.get("depthwise.weight")!.variable;
  assert.deepEqual(depthwise.shape, [5, 5, 4, 1]);
  assert.ok((await depthwise.data()).every((v) => Math.abs(v) <= 1 / 5), "depthwise fanIn is k²");
  store.dispose();
});

Deno.test("plain convolution initialisation depends on seed and name", async () => {
  await initBackend("cpu");
  const read = async (seed: number, name: string) => {
    const store = new ParameterStore();
    createPlainConvolutions({ seed }).conv2d(store, name, OPTIONS);
    const values = Array.from(await store.get(`${name}.weight`)!.variable.data());
    store.dispose();
    return values;
  };

  const reference = await read(1, "a");
  assert.deepEqual(await read(1, "a"), reference);
  assert.notDeepEqual(await read(2, "a"), reference);
  assert.notDeepEqual(await read(1, "b"), reference);
});

Deno.test("plain convolution registers one counted weight", async () => {
  await initBackend("cpu");
  const store = new ParameterStore();
  const layer = createPlainConvolutions().conv2d(store.scope("cell"), "conv", OPTIONS);
  const x = tf.ones([2, 5, 5, 4]) as tf.Tensor4D;
  const before = tf.memory().numTensors;

  const y = layer.forward(x, forwardContext(true, new NoiseSource(0)));
  assert.deepEqual(y.shape, [2, 5, 5, 6]);
  y.dispose();
  assert.equal(tf.memory().numTensors, before);

  const entries = store.entries();
  assert.equal(entries.length, 1);
  assert.equal(entries[0].name, "cell.conv.weight");
  assert.equal(entries[0].role, "weight");
  assert.equal(entries[0].counted, true);
  x.dispose();
  store.dispose();
});
