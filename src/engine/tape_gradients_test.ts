import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { initBackend } from "./backend.ts";
import { installLinearTapeGradients, uninstallLinearTapeGradients } from "./tape_gradients.ts";

// The replacement must return exactly what tfjs's own tape walk returns:
// the same nodes run in the same order, so the values are bit-identical.

type _Grads = Array<number[] | null>;

const _X = [0.3, -1.2, 2.5, 0.7, -0.1, 1.9];

/** Cases: a function of six inputs (some unused) and what to differentiate. */
const _CASES: Record<string, (xs: tf.Tensor[]) => tf.Scalar> = {
  "chain with reuse": ([a, b]) => a.mul(b).add(a.square()).sin().sum(),
  "split outputs, one unused": ([a, b]) => {
    const [left, , right] = tf.split(tf.concat([a, b, a]), 3);
    return left.mul(right).sum();
  },
  "unused input": ([a, , c]) => a.exp().mul(c).sum(),
  "custom gradient": ([a, b]) => {
    const double = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const x = args[0] as tf.Tensor;
      (args[1] as tf.GradSaveFunc)([x]);
      return { value: x.mul(2), gradFunc: (dy: tf.Tensor) => dy.mul(3) };
    });
    return (double(a) as tf.Tensor).mul(b).sum();
  },
  "one input twice in one op": ([a, , , d]) => a.mul(a).add(d.mul(d).mul(a)).sum(),
};

async function _gradients(): Promise<Record<string, _Grads>> {
  const xs = _X.map((value, i) => tf.tensor1d([value, value * 0.5 + i]));
  const results: Record<string, _Grads> = {};
  for (const [name, f] of Object.entries(_CASES)) {
    const { value, grads } = tf.engine().gradients(() => f(xs), xs, undefined, true);
    results[name] = await Promise.all(
      grads.map(async (g) => (g == null ? null : Array.from(await g.data()))),
    );
    tf.dispose([value, ...grads.filter((g) => g != null)]);
  }
  tf.dispose(xs);
  return results;
}

Deno.test("linear tape gradients equal tfjs's, without leaks", async () => {
  await initBackend("cpu");
  installLinearTapeGradients();
  const before = tf.memory().numTensors;
  const linear = await _gradients();
  assert.equal(tf.memory().numTensors, before, "tensors leaked");

  uninstallLinearTapeGradients();
  try {
    const reference = await _gradients();
    assert.deepEqual(linear, reference);
  } finally {
    installLinearTapeGradients();
  }
});

Deno.test("linear tape gradients support second derivatives", async () => {
  await initBackend("cpu");
  installLinearTapeGradients();
  const x = tf.tensor1d([0.5, -2]);

  // d²/dx² of x³ is 6x.
  const second = tf.grad((v: tf.Tensor) => tf.grad((u: tf.Tensor) => u.pow(3).sum())(v).sum())(x);

  assert.deepEqual(Array.from(await second.data()), [3, -12]);
  tf.dispose([x, second]);
});

Deno.test("linear tape gradients explain a missing path", async () => {
  await initBackend("cpu");
  installLinearTapeGradients();
  const x = tf.scalar(1);
  const outside = x.mul(2);

  assert.throws(
    () => tf.grad(() => outside.mul(3))(x),
    /no operation recorded inside f leads from them to the output/,
  );
  tf.dispose([x, outside]);
});
