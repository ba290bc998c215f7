import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { initBackend } from "../src/engine/backend.ts";
import { readScalar } from "../src/engine/read.ts";
import { skipReason, TEST_BACKENDS } from "../src/engine/testing/backends.ts";
import { forwardContext, NoiseSource } from "../src/nn/context.ts";
import { createPlainConvolutions } from "../src/nn/conv.ts";
import { FactorizedReduce } from "../src/nn/factorized_reduce.ts";
import type { Layer } from "../src/nn/module.ts";
import { createOperation } from "../src/nn/operations.ts";
import { ParameterStore } from "../src/nn/parameter_store.ts";
import { ReLUConvBN } from "../src/nn/relu_conv_bn.ts";

const STEPS = 100;
const CHANNELS = 8;
const CLASSES = 3;
const LEARNING_RATE = 0.05;

/**
 * Builds a small net that runs every engine path: full, depthwise, dilated
 * and strided convolutions, pooling, BN and FactorizedReduce.
 */
function buildNet(store: ParameterStore) {
  const factory = createPlainConvolutions({ seed: 5 });
  const operation = (primitive: Parameters<typeof createOperation>[0], name: string, stride = 1) =>
    createOperation(primitive, {
      store,
      name,
      channels: CHANNELS,
      stride,
      affine: true,
      factory,
      poolBatchNorm: true,
    });
  const layers: Layer[] = [
    new ReLUConvBN(store, "stem", {
      inChannels: 3,
      outChannels: CHANNELS,
      kernelSize: 3,
      stride: 1,
      padding: 1,
      affine: true,
      factory,
    }),
    operation("sep_conv_3x3", "sep"),
    operation("dil_conv_3x3", "dil", 2),
    operation("max_pool_3x3", "max"),
    operation("avg_pool_3x3", "avg"),
    new FactorizedReduce(store, "reduce", {
      inChannels: CHANNELS,
      outChannels: CHANNELS,
      affine: true,
      factory,
    }),
  ];
  const classifier = store.add(
    "classifier",
    tf.randomUniform([CHANNELS, CLASSES], -0.3, 0.3, "float32", 1),
    { role: "weight" },
  );
  return { layers, classifier };
}

for (const backend of TEST_BACKENDS) {
  const ignore = await skipReason(backend);
  if (ignore !== undefined) console.log(`Skipping the ${backend} leak test: ${ignore}.`);

  Deno.test({
    name: `${STEPS} training steps leak no tensors on ${backend}`,
    ignore: ignore !== undefined,
    fn: async () => {
      await initBackend(backend);
      const before = tf.memory().numTensors;
      const store = new ParameterStore();
      const { layers, classifier } = buildNet(store);
      const images = tf.randomNormal([4, 8, 8, 3], 0, 1, "float32", 2) as tf.Tensor4D;
      const labels = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 1, 2, 1], "int32"), CLASSES));
      const context = forwardContext(true, new NoiseSource(3));

      const weights = store.variables("weight");

      // Plain SGD by hand: tfjs 4.22.0's optimizers keep a scalar after
      // dispose(), which would hide the engine's own balance.
      const step = (): tf.Scalar =>
        tf.tidy(() => {
          const { value, grads } = tf.variableGrads(() => {
            let y = images;
            for (const layer of layers) y = layer.forward(y, context);
            const logits = tf.matMul(tf.mean(y, [1, 2]), classifier);
            return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
          }, weights);
          for (const variable of weights) {
            variable.assign(tf.sub(variable, tf.mul(grads[variable.name], LEARNING_RATE)));
          }
          return value;
        });

      // The first step compiles shaders on webgpu and allocates pooled buffers.
      const first = step();
      const firstLoss = await readScalar(first);
      first.dispose();
      const tensorsAfterFirst = tf.memory().numTensors;
      const buffersAfterFirst = tf.engine().backend.numDataIds();

      let lastLoss = firstLoss;
      for (let i = 1; i < STEPS; i++) {
        const loss = step();
        if (i === STEPS - 1) lastLoss = await readScalar(loss);
        loss.dispose();
      }

      assert.equal(tf.memory().numTensors, tensorsAfterFirst, "tensors after the last step");
      assert.equal(tf.engine().backend.numDataIds(), buffersAfterFirst, "backend buffers");
      assert.ok(lastLoss < firstLoss, `loss fell from ${firstLoss} to ${lastLoss}`);

      tf.dispose([images, labels]);
      store.dispose();
      assert.equal(tf.memory().numTensors, before, "tensors after disposing the net");
    },
  });
}
