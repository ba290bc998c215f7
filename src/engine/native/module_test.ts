import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { initBackend } from "../backend.ts";
import { lrtSample } from "../lrt_sample.ts";
import { fillNormal } from "../random_normal.ts";
import { nativeKernels } from "./module.ts";

// 100 003 draws: an odd count exercises the scalar remainder, and about 3 %
// of draws (the wedges) and 0.05 % (the tail beyond 3.44) take the slow path.
const _COUNT = 100_003;

Deno.test("the WebAssembly normal draws equal the JavaScript stream's", async () => {
  await initBackend("wasm");
  for (const seed of [0, 1, 0xffffffff]) {
    const expected = new Float32Array(_COUNT);
    fillNormal(expected, seed);

    const output = tf.zeros([_COUNT]);
    nativeKernels(tf.backend()).normalFill(output, seed);
    const actual = await output.data() as Float32Array;
    output.dispose();

    const mismatch = actual.findIndex((value, i) => value !== expected[i]);
    assert.equal(mismatch, -1, `seed ${seed}: first mismatch at ${mismatch}`);
    assert.ok(expected.some((value) => Math.abs(value) > 3.442619855899), "no tail draw");
  }
});

Deno.test("lrtSample gives bit-identical outputs on wasm and cpu", async () => {
  const mean = Float32Array.from({ length: _COUNT }, (_, i) => Math.sin(i) * 3);
  const variance = Float32Array.from(
    { length: _COUNT },
    (_, i) => (i % 7 === 0 ? 0 : (i % 13) / 5),
  );

  const results: Float32Array[][] = [];
  for (const backend of ["wasm", "cpu"] as const) {
    await initBackend(backend);
    const m = tf.tensor1d(mean);
    const v = tf.tensor1d(variance);
    const [y, ratio] = lrtSample(m, v, 12345, 1e-8);
    results.push([await y.data() as Float32Array, await ratio.data() as Float32Array]);
    tf.dispose([m, v, y, ratio]);
  }

  const [[wasmY, wasmRatio], [cpuY, cpuRatio]] = results;
  assert.equal(wasmY.findIndex((value, i) => value !== cpuY[i]), -1, "y differs");
  assert.equal(wasmRatio.findIndex((value, i) => value !== cpuRatio[i]), -1, "ratio differs");
});

Deno.test("the WebAssembly kernels refuse a backend without wasm memory", async () => {
  await initBackend("cpu");

  assert.throws(() => nativeKernels(tf.backend()), /They run on tfjs's wasm backend only/);
});

Deno.test("a failed scratch allocation keeps the old block", async () => {
  await initBackend("wasm");
  const kernels = nativeKernels(tf.backend()) as unknown as {
    workspace(bytes: number): number;
    address(info: tf.TensorInfo): number;
  };
  const first = kernels.workspace(1 << 20);
  const ballast = tf.zeros([2 ** 29]);

  try {
    // 2 GiB of ballast plus 2.5 GiB of scratch exceed the 4 GiB heap.
    assert.throws(() => kernels.workspace(2.5 * 2 ** 30), /wasm heap/);
    const tensor = tf.zeros([1024]);
    assert.notEqual(kernels.address(tensor), first, "a new tensor got the scratch block");
    assert.equal(kernels.workspace(4096), first, "the scratch block moved");
    tensor.dispose();
  } finally {
    ballast.dispose();
  }
});
