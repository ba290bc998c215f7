/**
 * Asynchronous tensor reads. The webgpu backend under Deno cannot read
 * synchronously (`dataSync` and `arraySync` throw because Deno has no
 * `OffscreenCanvas`), so library code reads every tensor through these.
 *
 * @module
 */

import type * as tf from "@tensorflow/tfjs";

/** Reads the single value of `t` (any rank, size 1) as a number. */
export async function readScalar(t: tf.Tensor): Promise<number> {
  if (t.size !== 1) {
    throw new RangeError(
      `Cannot read a scalar from a tensor of shape [${t.shape}]: it has ${t.size} elements, ` +
        "expected 1. Reduce it first or use readValues.",
    );
  }
  const values = await t.data();
  return Number(values[0]);
}

/** Reads all values of `t` in row-major order as a Float32Array (or Int32Array for int32). */
export async function readValues(t: tf.Tensor): Promise<Float32Array | Int32Array | Uint8Array> {
  return await t.data() as Float32Array | Int32Array | Uint8Array;
}
