/**
 * The summed KL divergence of many variational weight tensors as one
 * differentiable operation with one kernel forward and one backward.
 *
 * A supergraph has hundreds of variational pairs (θ, log σ²). Summing their
 * KL per pair costs tens of kernels each. Concatenating them into one vector
 * costs a Concat forward and a SplitV of the gradient backward, and on wasm
 * that SplitV alone took 95 ms of a 2 s VINNAS step. On wasm and cpu these
 * kernels loop over every pair in place instead. Other backends get `null`
 * from {@link fusedVariationalKl} and use tensor ops.
 *
 * Per weight: log α = log σ² − log(θ² + eps), and with z = −log α
 * - ARD prior: KL = ½·softplus(z), dKL/dlog α = −½·sigmoid(z).
 * - log-uniform prior: KL = ½·softplus(z) − k1·sigmoid(k2 + k3·log α) + k1,
 *   dKL/dlog α = −½·sigmoid(z) − k1·k3·s·(1 − s) with s = sigmoid(k2 + k3·log α).
 * - dlog α/dθ = −2θ / (θ² + eps), dlog α/dlog σ² = 1.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import type { WasmBackend } from "./wasm_backend.ts";

/** Kernel names the engine registers on wasm and cpu. */
export const VARIATIONAL_KL_KERNELS = {
  forward: "EngineVariationalKl",
  gradient: "EngineVariationalKlGrad",
} as const;

/** The prior and the constants of the KL formulas. */
export interface VariationalKlAttrs {
  prior: "ard" | "log-uniform";
  /** Added to θ² inside the logarithm of log α. */
  logAlphaEpsilon: number;
  /** Molchanov 2017's constants of the log-uniform approximation. */
  k1: number;
  k2: number;
  k3: number;
}

/** Reads and allocates float32 data on the backend a kernel runs on. */
interface _Memory {
  /** Returns allocated outputs of `shapes`; call before {@link view}. */
  allocate(shapes: number[][]): tf.TensorInfo[];
  view(info: tf.TensorInfo): Float32Array;
  /** Wraps values computed outside the backend's memory (cpu). */
  finish(outputs: tf.TensorInfo[], values: Float32Array[]): tf.TensorInfo[];
}

/**
 * Returns Σ KL over every element of the pairs (`thetas[i]`, `logSigma2s[i]`)
 * in nats as a scalar that gradients flow through, or `null` when the
 * current backend has no fused kernel.
 */
export function fusedVariationalKl(
  thetas: tf.Tensor[],
  logSigma2s: tf.Tensor[],
  attrs: VariationalKlAttrs,
): tf.Scalar | null {
  const backend = tf.getBackend();
  if (tf.getKernel(VARIATIONAL_KL_KERNELS.forward, backend) === undefined) return null;
  if (thetas.length !== logSigma2s.length || thetas.length === 0) {
    throw new RangeError(
      `Cannot sum the KL of ${thetas.length} means and ${logSigma2s.length} log variances: ` +
        "pass one log variance per mean, and at least one pair.",
    );
  }
  thetas.forEach((theta, i) => {
    if (!tf.util.arraysEqual(theta.shape, logSigma2s[i].shape)) {
      throw new RangeError(
        `Cannot sum the KL of pair ${i}: θ has shape [${theta.shape}] and log σ² has shape ` +
          `[${logSigma2s[i].shape}]; the shapes must be equal.`,
      );
    }
  });

  const count = thetas.length;
  const kernelAttrs = attrs as unknown as tf.NamedAttrMap;
  const named = (tensors: tf.Tensor[]) => {
    const inputs: tf.NamedTensorMap = {};
    tensors.forEach((tensor, i) => (inputs[`t${i}`] = tensor));
    return inputs;
  };

  const run = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const tensors = args.slice(0, 2 * count) as tf.Tensor[];
    const save = args[2 * count] as tf.GradSaveFunc;
    save(tensors);
    const value = tf.engine().runKernel(
      VARIATIONAL_KL_KERNELS.forward,
      named(tensors),
      kernelAttrs,
    ) as tf.Scalar;

    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.engine().runKernel(
          VARIATIONAL_KL_KERNELS.gradient,
          named([dy, ...saved]),
          kernelAttrs,
        ) as tf.Tensor[],
    };
  });
  return run(...thetas, ...logSigma2s) as tf.Scalar;
}

/** Sums the KL. Inputs t0 … t(2n−1) are the n means, then the n log variances. */
function _forward(memory: _Memory, inputs: tf.TensorInfo[], attrs: VariationalKlAttrs) {
  const count = inputs.length / 2;
  const [output] = memory.allocate([[]]);

  let total = 0;
  for (let i = 0; i < count; i++) {
    const theta = memory.view(inputs[i]);
    const logSigma2 = memory.view(inputs[count + i]);
    total += _klSum(theta, logSigma2, attrs);
  }

  const result = memory.view(output);
  result[0] = total;
  return memory.finish([output], [result])[0];
}

/** Computes the gradient of every input from dy and the forward's inputs. */
function _gradient(memory: _Memory, inputs: tf.TensorInfo[], attrs: VariationalKlAttrs) {
  const [dyInfo, ...pairs] = inputs;
  const count = pairs.length / 2;
  const outputs = memory.allocate(pairs.map((info) => info.shape));

  const dy = memory.view(dyInfo)[0];
  const results: Float32Array[] = outputs.map((info) => memory.view(info));
  for (let i = 0; i < count; i++) {
    _klGradient(
      memory.view(pairs[i]),
      memory.view(pairs[count + i]),
      dy,
      results[i],
      results[count + i],
      attrs,
    );
  }
  return memory.finish(outputs, results);
}

function _klSum(theta: Float32Array, logSigma2: Float32Array, attrs: VariationalKlAttrs): number {
  const { logAlphaEpsilon, k1, k2, k3 } = attrs;
  const logUniform = attrs.prior === "log-uniform";

  let sum = 0;
  for (let j = 0; j < theta.length; j++) {
    const logAlpha = logSigma2[j] - Math.log(theta[j] * theta[j] + logAlphaEpsilon);
    sum += 0.5 * _softplus(-logAlpha);
    if (logUniform) sum += k1 - k1 * _sigmoid(k2 + k3 * logAlpha);
  }
  return sum;
}

function _klGradient(
  theta: Float32Array,
  logSigma2: Float32Array,
  dy: number,
  dTheta: Float32Array,
  dLogSigma2: Float32Array,
  attrs: VariationalKlAttrs,
): void {
  const { logAlphaEpsilon, k1, k2, k3 } = attrs;
  const logUniform = attrs.prior === "log-uniform";

  for (let j = 0; j < theta.length; j++) {
    const t = theta[j];
    const squared = t * t + logAlphaEpsilon;
    const logAlpha = logSigma2[j] - Math.log(squared);

    let slope = -0.5 * _sigmoid(-logAlpha);
    if (logUniform) {
      const s = _sigmoid(k2 + k3 * logAlpha);
      slope -= k1 * k3 * s * (1 - s);
    }
    dLogSigma2[j] = dy * slope;
    dTheta[j] = dy * slope * (-2 * t / squared);
  }
}

/** log(1 + eᶻ) without overflow. */
function _softplus(z: number): number {
  return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
}

function _sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** Returns the wasm backend's memory: views of its heap. */
function _wasmMemory(backend: unknown): _Memory {
  const wasm = backend as WasmBackend;
  return {
    allocate: (shapes) => shapes.map((shape) => wasm.makeOutput(shape, "float32")),
    view: (info) => wasm.typedArrayFromHeap(info) as Float32Array,
    finish: (outputs) => outputs,
  };
}

/** Returns the cpu backend's memory: its stored arrays, and new arrays for outputs. */
function _cpuMemory(backend: unknown): _Memory {
  const cpu = backend as {
    readSync(dataId: tf.DataId): Float32Array;
    makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
  };
  const fresh = new Map<tf.TensorInfo, Float32Array>();
  return {
    allocate: (shapes) =>
      shapes.map((shape) => {
        const info = { dataId: {}, shape, dtype: "float32" as const };
        fresh.set(info, new Float32Array(tf.util.sizeFromShape(shape)));
        return info;
      }),
    view: (info) => fresh.get(info) ?? cpu.readSync(info.dataId),
    finish: (outputs, values) =>
      outputs.map((info, i) => cpu.makeTensorInfo(info.shape, "float32", values[i])),
  };
}

function _kernel(
  memoryOf: (backend: unknown) => _Memory,
  body: (
    memory: _Memory,
    inputs: tf.TensorInfo[],
    attrs: VariationalKlAttrs,
  ) => tf.TensorInfo | tf.TensorInfo[],
): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const list = Object.keys(inputs)
      .sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)))
      .map((key) => inputs[key] as tf.TensorInfo);
    for (const info of list) {
      if (info.dtype !== "float32") {
        throw new TypeError(
          `Cannot sum the KL of a ${info.dtype} tensor of shape [${info.shape}]: ` +
            "variational parameters must be float32.",
        );
      }
    }
    return body(memoryOf(backend), list, attrs as unknown as VariationalKlAttrs);
  };
}

/** Forward and gradient kernels for the wasm backend. */
export const wasmVariationalKlKernels = {
  forward: _kernel(_wasmMemory, _forward),
  gradient: _kernel(_wasmMemory, _gradient),
};

/** Forward and gradient kernels for the cpu backend. */
export const cpuVariationalKlKernels = {
  forward: _kernel(_cpuMemory, _forward),
  gradient: _kernel(_cpuMemory, _gradient),
};
