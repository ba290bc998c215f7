import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { initBackend } from "../engine/backend.ts";
import { skipReason, TEST_BACKENDS } from "../engine/testing/backends.ts";
import { checkGradients } from "../engine/testing/gradient_check.ts";
import { relativeError } from "../engine/testing/reference_ops.ts";
import { type Primitive, PRIMITIVES } from "../search/primitives.ts";
import { Rng } from "../util/random.ts";
import { forwardContext, NoiseSource } from "./context.ts";
import { createPlainConvolutions } from "./conv.ts";
import { createOperation } from "./operations.ts";
import { ParameterStore } from "./parameter_store.ts";

const INPUT_SHAPE: [number, number, number, number] = [2, 6, 6, 4];
// Finite differences on float32 outputs summed in float64. The step 3e-3
// is small enough that few inner ReLU units change sign and large enough
// that float32 rounding stays below 1e-3; one-sided quotients cover the
// entries whose step still crosses a kink.
const GRADIENT_STEP = 3e-3;
const GRADIENT_TOLERANCE = 1e-2;
// wasm and webgpu against cpu: same formulas, different summation order.
const BACKEND_TOLERANCE = 1e-4;

/** Distinct values 0.05 apart, half a step off zero: no ±1e-2 step crosses a ReLU kink at the input or changes a pooling maximum. */
function gridInput(seed: number): tf.Tensor4D {
  const rng = new Rng(seed);
  const size = INPUT_SHAPE.reduce((a, b) => a * b, 1);
  const order = Array.from({ length: size }, (_, i) => i);
  for (let i = size - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return tf.tensor4d(Float32Array.from(order, (k) => (k - size / 2 + 0.5) * 0.05), INPUT_SHAPE);
}

function build(primitive: Primitive, stride: number) {
  const store = new ParameterStore();
  const operation = createOperation(primitive, {
    store,
    name: "op",
    channels: INPUT_SHAPE[3],
    stride,
    affine: true,
    factory: createPlainConvolutions({ seed: 17 }),
    poolBatchNorm: true,
  });
  return { store, operation };
}

function expectedShape(stride: number): number[] {
  const [batch, height, width, channels] = INPUT_SHAPE;
  return [batch, height / stride, width / stride, channels];
}

/** Output and gradients (input first, then the store's weights) as plain arrays. */
async function outputAndGradients(primitive: Primitive, stride: number) {
  const { store, operation } = build(primitive, stride);
  const initial = gridInput(1);
  const x = tf.variable(initial);
  const context = forwardContext(true, new NoiseSource(1));
  const projection = tf.tidy(() => tf.randomNormal(expectedShape(stride), 0, 1, "float32", 3));

  const variables = [x, ...store.variables("weight")];
  const output = operation.forward(x as tf.Tensor4D, context);
  const { value, grads } = tf.variableGrads(
    () => tf.sum(tf.mul(operation.forward(x as tf.Tensor4D, context), projection)) as tf.Scalar,
    variables,
  );
  const result = {
    output: await output.data(),
    gradients: await Promise.all(variables.map((v) => grads[v.name].data())),
  };

  tf.dispose([output, value, projection, x, initial, ...Object.values(grads)]);
  store.dispose();
  return result;
}

for (const stride of [1, 2]) {
  for (const primitive of PRIMITIVES) {
    Deno.test(`${primitive} at stride ${stride} has the DARTS output shape`, async () => {
      await initBackend("cpu");
      const before = tf.memory().numTensors;
      const { store, operation } = build(primitive, stride);
      const x = gridInput(1);

      const y = operation.forward(x, forwardContext(true, new NoiseSource(1)));
      assert.deepEqual(y.shape, expectedShape(stride));
      if (primitive === "none") assert.ok((await y.data()).every((v) => v === 0));

      tf.dispose([x, y]);
      store.dispose();
      assert.equal(tf.memory().numTensors, before);
    });

    if (primitive === "none") continue;

    Deno.test(`${primitive} at stride ${stride} gradients match finite differences`, async () => {
      await initBackend("cpu");
      const before = tf.memory().numTensors;
      const { store, operation } = build(primitive, stride);
      const initial = gridInput(1);
      const x = tf.variable(initial);
      const context = forwardContext(true, new NoiseSource(1));

      const comparisons = await checkGradients({
        output: () => operation.forward(x as tf.Tensor4D, context),
        variables: [x, ...store.variables("weight")],
        entriesPerVariable: 10,
        step: GRADIENT_STEP,
        oneSided: true,
      });
      for (const comparison of comparisons) {
        assert.ok(comparison.maxRelativeError < GRADIENT_TOLERANCE, JSON.stringify(comparison));
      }

      tf.dispose([x, initial]);
      store.dispose();
      assert.equal(tf.memory().numTensors, before);
    });
  }
}

for (const backend of TEST_BACKENDS.filter((name) => name !== "cpu")) {
  const ignore = await skipReason(backend);
  if (ignore !== undefined) console.log(`Skipping the ${backend} operation tests: ${ignore}.`);

  Deno.test({
    name: `operations on ${backend} match cpu`,
    ignore: ignore !== undefined,
    fn: async () => {
      for (const stride of [1, 2]) {
        for (const primitive of PRIMITIVES.filter((p) => p !== "none")) {
          await initBackend("cpu");
          const expected = await outputAndGradients(primitive, stride);
          await initBackend(backend);
          const before = tf.memory().numTensors;
          const actual = await outputAndGradients(primitive, stride);
          assert.equal(tf.memory().numTensors, before);

          const label = `${primitive} stride ${stride} on ${backend}`;
          const outputError = relativeError(actual.output, expected.output);
          assert.ok(outputError < BACKEND_TOLERANCE, `output error ${outputError}, ${label}`);
          expected.gradients.forEach((gradient, i) => {
            const error = relativeError(actual.gradients[i], gradient);
            assert.ok(error < BACKEND_TOLERANCE, `gradient ${i} error ${error}, ${label}`);
          });
        }
      }
    },
  });
}
