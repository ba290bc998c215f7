import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { initBackend } from "../engine/backend.ts";
import { forwardContext, NoiseSource } from "./context.ts";
import { plainConvolutions } from "./conv.ts";
import { FactorizedReduce } from "./factorized_reduce.ts";
import { ParameterStore } from "./parameter_store.ts";

Deno.test("FactorizedReduce halves the size and reads both pixel phases", async () => {
  await initBackend("cpu");
  const store = new ParameterStore();
  const reduce = new FactorizedReduce(store, "reduce", {
    inChannels: 1,
    outChannels: 2,
    affine: false,
    factory: plainConvolutions,
  });
  // With 1×1 kernels of 1, the first half of the channels reads pixels (0, 0),
  // (0, 2), … and the second half pixels (1, 1), (1, 3), …
  for (const name of ["reduce.conv_1.weight", "reduce.conv_2.weight"]) {
    const one = tf.ones([1, 1, 1, 1]);
    store.get(name)!.variable.assign(one);
    one.dispose();
  }
  const x = tf.tensor4d(Float32Array.from({ length: 16 }, (_, i) => i + 1), [1, 4, 4, 1]);

  const convolved = tf.tidy(() => {
    const activated = tf.relu(x);
    const context = forwardContext(false, new NoiseSource(0));
    return [
      reduce.convolution1.forward(activated, context),
      reduce.convolution2.forward(tf.slice(activated, [0, 1, 1, 0], [1, 3, 3, 1]), context),
    ];
  });
  assert.deepEqual(Array.from(await convolved[0].data()), [1, 3, 9, 11]);
  assert.deepEqual(Array.from(await convolved[1].data()), [6, 8, 14, 16]);

  const y = reduce.forward(x, forwardContext(true, new NoiseSource(0)));
  assert.deepEqual(y.shape, [1, 2, 2, 2]);

  tf.dispose([x, y, ...convolved]);
  store.dispose();
});

Deno.test("FactorizedReduce rejects odd sizes and channel counts", async () => {
  await initBackend("cpu");
  const store = new ParameterStore();
  const options = { inChannels: 2, outChannels: 4, affine: false, factory: plainConvolutions };
  const reduce = new FactorizedReduce(store, "reduce", options);
  const x = tf.zeros([1, 5, 5, 2]) as tf.Tensor4D;

  assert.throws(
    () => reduce.forward(x, forwardContext(true, new NoiseSource(0))),
    { name: "RangeError", message: /5×5 input/ },
  );
  assert.throws(
    () => new FactorizedReduce(store, "odd", { ...options, outChannels: 3 }),
    { name: "RangeError", message: /3 output channels/ },
  );
  x.dispose();
  store.dispose();
});
