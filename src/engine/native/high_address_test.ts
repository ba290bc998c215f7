import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { initBackend } from "../backend.ts";
import { lrtConvolution } from "../lrt_convolution.ts";
import { lrtMixture } from "../lrt_mixture.ts";
import { nativeKernels } from "./module.ts";

// The kernels take heap addresses as wasm32 i32 values. Above 2 GiB these
// are negative as signed integers, so this test runs a VINNAS-like
// computation once above a 2.2 GiB ballast tensor and once low in the heap,
// and requires identical results.

const _BALLAST_FLOATS = 590_000_000;

async function _compute(): Promise<Float32Array[]> {
  const x = tf.randomNormal([2, 8, 8, 4], 0, 1, "float32", 1) as tf.Tensor4D;
  const theta = tf.randomNormal([3, 3, 4, 1], 0, 0.5, "float32", 2) as tf.Tensor4D;
  const logSigma2 = tf.fill([3, 3, 4, 1], -3) as tf.Tensor4D;
  const pointwise = tf.randomNormal([1, 1, 4, 8], 0, 0.5, "float32", 3) as tf.Tensor4D;
  const pointwiseLogSigma2 = tf.fill([1, 1, 4, 8], -4) as tf.Tensor4D;
  const mix = [tf.scalar(0.6), tf.scalar(0.4)];
  const mixVariance = [tf.scalar(0.1), tf.scalar(0.2)];
  const options = { stride: 1, dilation: 1, varianceEpsilon: 1e-8 };

  const { value, grads } = tf.valueAndGrads((...args: tf.Tensor[]) => {
    const [input, depthwise, depthwiseLogSigma2, full, fullLogSigma2] = args as tf.Tensor4D[];
    const a = lrtConvolution(input, depthwise, depthwiseLogSigma2, () => 11, {
      ...options,
      kind: "depthwise",
      padding: 1,
    });
    const b = lrtConvolution(a, full, fullLogSigma2, () => 12, {
      ...options,
      kind: "full",
      padding: 0,
    });
    const c = lrtConvolution(input, full, fullLogSigma2, () => 13, {
      ...options,
      kind: "full",
      padding: 0,
    });
    return tf.sum(tf.square(lrtMixture([b, c], mix, mixVariance, () => 14, 1e-8)));
  })([x, theta, logSigma2, pointwise, pointwiseLogSigma2]);

  const addresses = [value, ...grads].map((t) => nativeKernels(tf.backend()).address(t));
  const results = [await value.data() as Float32Array];
  for (const grad of grads) results.push(await grad.data() as Float32Array);
  tf.dispose([value, ...grads, x, theta, logSigma2, pointwise, pointwiseLogSigma2]);
  tf.dispose([...mix, ...mixVariance]);
  results.push(Float32Array.from(addresses, (address) => (address >= 2 ** 31 ? 1 : 0)));
  return results;
}

Deno.test("WebAssembly kernels work above 2 GiB of heap", async () => {
  await initBackend("wasm");

  // The ballast takes the heap from its low end, so the first run's tensors
  // lie above it.
  const ballast = tf.zeros([_BALLAST_FLOATS]);
  let high: Float32Array[];
  try {
    high = await _compute();
  } finally {
    ballast.dispose();
  }
  // Small tensors take up the blocks the first run freed above 2 GiB, so the
  // second run allocates from the freed ballast at the low end.
  const fillers = [1, 4, 16, 64, 256, 1024, 4096].flatMap((size) =>
    Array.from({ length: 300 }, () => tf.zeros([size]))
  );
  let low: Float32Array[];
  try {
    low = await _compute();
  } finally {
    tf.dispose(fillers);
  }

  assert.ok(high.at(-1)!.every((flag) => flag === 1), "a tensor of the first run lies below 2 GiB");
  assert.ok(low.at(-1)!.every((flag) => flag === 0), "a tensor of the second run lies above 2 GiB");
  for (let i = 0; i < low.length - 1; i++) {
    assert.deepEqual(Array.from(high[i]), Array.from(low[i]), `output ${i} differs`);
  }
});
