/**
 * The sampling step of the local reparameterisation trick as one kernel:
 * from the mean μ and variance s² of a Gaussian output, draw
 * y = μ + ε·√(s² + eps) with ε ~ N(0, 1), and return beside it the ratio
 * r = ε / √(s² + eps) that the gradient of s² needs. On wasm (the engine's
 * WebAssembly kernel, native/kernels.c) and cpu (the same computation in
 * JavaScript), one pass generates ε and writes both outputs. That replaces a
 * noise tensor and five elementwise kernels, which other backends still run.
 * The arithmetic is float32 with one rounding per operation, so wasm and cpu
 * agree bit for bit.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { nativeKernels } from "./native/module.ts";
import { NormalStream, seededNormal } from "./random_normal.ts";
import type { WasmBackend } from "./wasm_backend.ts";

/** Name under which the engine registers the fused kernel. */
export const LRT_SAMPLE_KERNEL = "EngineLrtSample";

/** Attributes of the kernel. */
interface _SampleAttrs {
  /** Seed of ε, a 32-bit integer. */
  seed: number;
  varianceEpsilon: number;
}

/** The part of the cpu backend's interface the kernel uses. */
interface _CpuBackend {
  readSync(dataId: tf.DataId): Float32Array;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

/**
 * Returns `[y, r]` for mean `mean` and variance `variance` (same shape), with
 * ε drawn from `seed`: the same seed gives the same ε on every backend.
 */
export function lrtSample(
  mean: tf.Tensor,
  variance: tf.Tensor,
  seed: number,
  varianceEpsilon: number,
): [tf.Tensor, tf.Tensor] {
  if (!tf.util.arraysEqual(mean.shape, variance.shape)) {
    throw new RangeError(
      `Cannot draw an LRT sample from a mean of shape [${mean.shape}] and a variance of shape ` +
        `[${variance.shape}]: the shapes must be equal.`,
    );
  }
  if (tf.getKernel(LRT_SAMPLE_KERNEL, tf.getBackend()) !== undefined) {
    const attrs: _SampleAttrs = { seed, varianceEpsilon };
    const [y, ratio] = tf.engine().runKernel(
      LRT_SAMPLE_KERNEL,
      { mean, variance },
      attrs as unknown as tf.NamedAttrMap,
    ) as tf.Tensor[];
    return [y, ratio];
  }

  return tf.tidy(() => {
    const epsilon = seededNormal(mean.shape, seed);
    const std = tf.sqrt(tf.add(variance, varianceEpsilon));
    return [tf.add(mean, tf.mul(epsilon, std)), tf.div(epsilon, std)];
  }) as [tf.Tensor, tf.Tensor];
}

/** The kernel on wasm: the engine's WebAssembly loop, in place in the heap. */
export const wasmLrtSampleKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { mean, variance } = inputs as { mean: tf.TensorInfo; variance: tf.TensorInfo };
  const { seed, varianceEpsilon } = attrs as unknown as _SampleAttrs;
  const wasm = backend as unknown as WasmBackend;

  const y = wasm.makeOutput(mean.shape, "float32");
  const ratio = wasm.makeOutput(mean.shape, "float32");
  nativeKernels(backend).lrtSample(mean, variance, y, ratio, seed, varianceEpsilon);
  return [y, ratio];
};

/** The kernel on cpu. */
export const cpuLrtSampleKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { mean, variance } = inputs as { mean: tf.TensorInfo; variance: tf.TensorInfo };
  const { seed, varianceEpsilon } = attrs as unknown as _SampleAttrs;
  const cpu = backend as unknown as _CpuBackend;

  const size = tf.util.sizeFromShape(mean.shape);
  const y = new Float32Array(size);
  const ratio = new Float32Array(size);
  _sample(
    cpu.readSync(mean.dataId),
    cpu.readSync(variance.dataId),
    y,
    ratio,
    seed,
    varianceEpsilon,
  );
  return [
    cpu.makeTensorInfo(mean.shape, "float32", y),
    cpu.makeTensorInfo(mean.shape, "float32", ratio),
  ];
};

function _sample(
  mean: Float32Array,
  variance: Float32Array,
  y: Float32Array,
  ratio: Float32Array,
  seed: number,
  varianceEpsilon: number,
): void {
  // float32 rounding after every operation, as the WebAssembly kernel does.
  const round = Math.fround;
  const epsilon32 = round(varianceEpsilon);
  const stream = new NormalStream(seed);
  for (let i = 0; i < mean.length; i++) {
    const epsilon = round(stream.next());
    const std = round(Math.sqrt(round(variance[i] + epsilon32)));
    y[i] = round(mean[i] + round(epsilon * std));
    ratio[i] = round(epsilon / std);
  }
}
