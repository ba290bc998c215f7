import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { initBackend } from "../src/engine/backend.ts";
import { skipReason, TEST_BACKENDS } from "../src/engine/testing/backends.ts";
import { relativeError } from "../src/engine/testing/reference_ops.ts";
import { forwardContext, NoiseSource } from "../src/nn/context.ts";
import { plainConvolutions } from "../src/nn/conv.ts";
import { createOperation } from "../src/nn/operations.ts";
import { ParameterStore } from "../src/nn/parameter_store.ts";
import type { Primitive } from "../src/search/primitives.ts";
import reference from "./fixtures/pytorch/operations_reference.json" with { type: "json" };

// float32 against PyTorch in float64: largest absolute error relative to
// the largest reference entry. Batch norm over as few as 32 values per
// channel amplifies rounding, so 1e-4 rather than 1e-6.
const TOLERANCE = 1e-4;

type Case = typeof reference.cases[number];

/** Our parameter names for the positions of PyTorch's `nn.Sequential` in the fixture script. */
const NAMES: Record<string, Record<string, string>> = {
  sep_conv_3x3: {
    "1": "depthwise_1",
    "2": "pointwise_1",
    "3": "bn_1",
    "5": "depthwise_2",
    "6": "pointwise_2",
    "7": "bn_2",
  },
  dil_conv_5x5: { "1": "depthwise", "2": "pointwise", "3": "bn" },
};

function storeName(testCase: Case, key: string): string {
  const [index, field] = key.split(".");
  return `op.${NAMES[testCase.name][index]}.${field}`;
}

function load(testCase: Case) {
  const store = new ParameterStore();
  const operation = createOperation(testCase.name as Primitive, {
    store,
    name: "op",
    channels: testCase.inputShape[3],
    stride: testCase.stride,
    affine: true,
    factory: plainConvolutions,
    poolBatchNorm: false,
  });

  for (const [key, parameter] of Object.entries(testCase.parameters)) {
    const entry = store.get(storeName(testCase, key));
    assert.ok(entry !== undefined, `missing parameter ${storeName(testCase, key)}`);
    const value = tf.tensor(parameter.values, entry.variable.shape);
    entry.variable.assign(value);
    value.dispose();
  }
  return { store, operation };
}

for (const backend of TEST_BACKENDS) {
  const ignore = await skipReason(backend);
  if (ignore !== undefined) console.log(`Skipping the ${backend} PyTorch comparison: ${ignore}.`);

  for (const testCase of reference.cases) {
    const label = `${testCase.name} at stride ${testCase.stride}`;

    Deno.test({
      name: `${label} matches PyTorch on ${backend}`,
      ignore: ignore !== undefined,
      fn: async () => {
        await initBackend(backend);
        const before = tf.memory().numTensors;
        const { store, operation } = load(testCase);
        const shape = testCase.inputShape as [number, number, number, number];
        const initial = tf.tensor4d(testCase.input, shape);
        const x = tf.variable(initial);
        const projection = tf.tensor(testCase.projection, testCase.outputShape);
        const weights = store.variables("weight");

        // One training-mode forward pass, so running statistics move once as in PyTorch.
        let output: tf.Tensor | undefined;
        const { value, grads } = tf.variableGrads(() => {
          const y = operation.forward(x as tf.Tensor4D, forwardContext(true, new NoiseSource(0)));
          output = tf.keep(y.clone());
          return tf.sum(tf.mul(y, projection)) as tf.Scalar;
        }, [x, ...weights]);

        assert.ok(output !== undefined);
        assert.deepEqual(output.shape, testCase.outputShape);
        const outputError = relativeError(await output.data(), testCase.output);
        assert.ok(outputError < TOLERANCE, `output error ${outputError}`);

        const inputError = relativeError(await grads[x.name].data(), testCase.inputGradient);
        assert.ok(inputError < TOLERANCE, `input gradient error ${inputError}`);

        for (const [key, expected] of Object.entries(testCase.parameterGradients)) {
          const variable = store.get(storeName(testCase, key))!.variable;
          const error = relativeError(await grads[variable.name].data(), expected as number[]);
          assert.ok(error < TOLERANCE, `gradient of ${key} error ${error}`);
        }

        for (const [index, expected] of Object.entries(testCase.runningStatistics)) {
          const prefix = storeName(testCase, `${index}.x`).replace(/\.x$/, "");
          const mean = await store.get(`${prefix}.running_mean`)!.variable.data();
          const variance = await store.get(`${prefix}.running_var`)!.variable.data();
          assert.ok(relativeError(mean, expected.mean) < TOLERANCE, `${prefix} running mean`);
          assert.ok(relativeError(variance, expected.var) < TOLERANCE, `${prefix} running var`);
        }

        const evaluated = operation.forward(
          x as tf.Tensor4D,
          forwardContext(false, new NoiseSource(0)),
        );
        const evalError = relativeError(await evaluated.data(), testCase.evalOutput);
        assert.ok(evalError < TOLERANCE, `inference output error ${evalError}`);

        tf.dispose([output, value, evaluated, projection, x, initial, ...Object.values(grads)]);
        store.dispose();
        assert.equal(tf.memory().numTensors, before);
      },
    });
  }
}
