import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import {
  klPerWeight,
  LOG_ALPHA_EPSILON,
  LOG_UNIFORM_K1,
  LOG_UNIFORM_K2,
  LOG_UNIFORM_K3,
  logAlpha,
  type VariationalPrior,
} from "../nn/kl.ts";
import { Rng } from "../util/random.ts";
import { initBackend } from "./backend.ts";
import { fusedVariationalKl } from "./variational_kl.ts";

// The fused kernels run in float64 and tensor ops in float32: values and
// gradients must agree to 1e-5 relative to the largest entry.
const TOLERANCE = 1e-5;

const _SHAPES = [[3, 3, 4, 1], [1, 1, 4, 8], [14, 7], [5]];

function _pairs(seed: number): Array<{ theta: Float32Array; logSigma2: Float32Array }> {
  const rng = new Rng(seed);
  return _SHAPES.map((shape) => {
    const size = shape.reduce((p, q) => p * q, 1);
    // θ around 0 (log α large) to 1; log σ² from −12 to 2: both tails of the KL.
    const theta = Float32Array.from({ length: size }, () => rng.normal() * 0.5);
    theta[0] = 0;
    const logSigma2 = Float32Array.from({ length: size }, () => -12 + 14 * rng.next());
    return { theta, logSigma2 };
  });
}

function _maxRelativeError(actual: Float32Array, expected: Float32Array): number {
  const scale = Math.max(1e-12, ...Array.from(expected, Math.abs));
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / scale);
  }
  return worst;
}

for (const backend of ["cpu", "wasm"] as const) {
  for (const prior of ["ard", "log-uniform"] as VariationalPrior[]) {
    Deno.test(`fused KL on ${backend} matches tensor ops, ${prior} prior`, async () => {
      await initBackend(backend);
      const pairs = _pairs(prior === "ard" ? 1 : 2);
      const thetas = pairs.map((p, i) => tf.tensor(p.theta, _SHAPES[i]));
      const logSigma2s = pairs.map((p, i) => tf.tensor(p.logSigma2, _SHAPES[i]));
      const before = tf.memory().numTensors;
      const attrs = {
        prior,
        logAlphaEpsilon: LOG_ALPHA_EPSILON,
        k1: LOG_UNIFORM_K1,
        k2: LOG_UNIFORM_K2,
        k3: LOG_UNIFORM_K3,
      };

      // Scaled by 3 so that the gradient kernel's use of dy is checked too.
      const fused = tf.valueAndGrads((...args: tf.Tensor[]) =>
        fusedVariationalKl(args.slice(0, 4), args.slice(4), attrs)!.mul(3)
      )([...thetas, ...logSigma2s]);
      const reference = tf.valueAndGrads((...args: tf.Tensor[]) =>
        tf.addN(
          args.slice(0, 4).map((theta, i) =>
            klPerWeight(logAlpha(theta, args[4 + i]), prior).sum()
          ),
        ).mul(3)
      )([...thetas, ...logSigma2s]);

      const value = (await fused.value.data())[0];
      const expected = (await reference.value.data())[0];
      assert.ok(
        Math.abs(value - expected) <= TOLERANCE * Math.abs(expected),
        `KL ${value} against ${expected}`,
      );
      for (let i = 0; i < fused.grads.length; i++) {
        assert.deepEqual(fused.grads[i].shape, reference.grads[i].shape);
        const error = _maxRelativeError(
          await fused.grads[i].data() as Float32Array,
          await reference.grads[i].data() as Float32Array,
        );
        assert.ok(error < TOLERANCE, `gradient ${i}: relative error ${error}`);
      }

      tf.dispose([fused.value, reference.value, ...fused.grads, ...reference.grads]);
      assert.equal(tf.memory().numTensors, before, "tensors leaked");
      tf.dispose([...thetas, ...logSigma2s]);
    });
  }
}

Deno.test("fused KL rejects pairs of different shapes", async () => {
  await initBackend("wasm");
  const theta = tf.zeros([2, 3]);
  const logSigma2 = tf.zeros([3, 2]);
  const attrs = { prior: "ard" as const, logAlphaEpsilon: 1e-8, k1: 0, k2: 0, k3: 0 };
  assert.throws(
    () => fusedVariationalKl([theta], [logSigma2], attrs),
    /pair 0: θ has shape \[2,3\] and log σ² has shape \[3,2\]/,
  );
  tf.dispose([theta, logSigma2]);
});
