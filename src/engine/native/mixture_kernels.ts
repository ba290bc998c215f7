/**
 * The LRT mixture of an edge's operations (see ../lrt_mixture.ts) as two
 * WebAssembly kernels on the wasm backend. Forward: one pass over the K
 * operation outputs accumulates Σ θ_k·o_k and Σ σ²_k·o_k², then the
 * sampling step. Backward: one pass per block of elements writes every
 * do_k = θ_k·dy + σ²_k·o_k·g (g = dy·r) and accumulates dθ_k = Σ dy·o_k and
 * dσ²_k = ½ Σ o_k²·g. Composed from tfjs kernels the same step takes about
 * 3K + 3 passes forward and 8K backward.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { checkOperands, type NativeKernels, nativeKernels, type Operand } from "./module.ts";
import type { WasmBackend } from "../wasm_backend.ts";

/** Names of the kernels. */
export const LRT_MIXTURE_KERNELS = {
  forward: "EngineLrtMixture",
  gradient: "EngineLrtMixtureGrad",
} as const;

/** Attributes of both kernels. */
export interface LrtMixtureAttrs {
  /** Number K of mixed outputs. */
  count: number;
  /** Seed of ε (forward only). */
  seed: number;
  varianceEpsilon: number;
}

/**
 * Runs the forward pass. Inputs: o0 … o(K−1) (equal shapes), t0 … (θ_k
 * scalars), s0 … (σ²_k scalars). Outputs: [y, ratio].
 */
export const wasmLrtMixture: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { count, seed, varianceEpsilon } = attrs as unknown as LrtMixtureAttrs;
  const native = nativeKernels(backend);
  const { outputs, thetas, sigma2s } = _operands(
    LRT_MIXTURE_KERNELS.forward,
    inputs,
    count,
    native,
  );

  const wasm = backend as unknown as WasmBackend;
  const y = wasm.makeOutput(outputs[0].shape, "float32");
  const ratio = wasm.makeOutput(outputs[0].shape, "float32");
  native.lrtMixtureForward(outputs, thetas, sigma2s, y, ratio, seed, varianceEpsilon);
  return [y, ratio];
};

/**
 * Runs the backward pass. Inputs: dy, ratio, o0 …, t0 …, s0 …. Outputs:
 * [do_0 …, dθ_0 …, dσ²_0 …], the last 2K as scalars.
 */
export const wasmLrtMixtureGrad: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { count } = attrs as unknown as LrtMixtureAttrs;
  const native = nativeKernels(backend);
  const { outputs, thetas, sigma2s } = _operands(
    LRT_MIXTURE_KERNELS.gradient,
    inputs,
    count,
    native,
  );
  const { dy, ratio } = inputs as Record<string, tf.TensorInfo>;

  const wasm = backend as unknown as WasmBackend;
  const grads = outputs.map((o) => wasm.makeOutput(o.shape, "float32"));
  const scalars = Array.from({ length: 2 * count }, () => wasm.makeOutput([], "float32"));
  const sums = native.lrtMixtureBackward(dy, ratio, outputs, grads, thetas, sigma2s);
  scalars.forEach((scalar, i) => native.setScalar(scalar, sums[i]));
  return [...grads, ...scalars];
};

/** Reads the K operation outputs and the values of their θ and σ² scalars. */
function _operands(
  kernel: string,
  inputs: tf.NamedTensorInfoMap,
  count: number,
  native: NativeKernels,
) {
  const named = inputs as Record<string, tf.TensorInfo>;
  const list = (prefix: string) => Array.from({ length: count }, (_, k) => named[`${prefix}${k}`]);
  const outputs = list("o");
  const thetas = list("t");
  const sigma2s = list("s");

  // Outputs, dy and ratio share one shape; θ and σ² are scalars.
  const shape = outputs[0].shape;
  const operands: Operand[] = [];
  for (let k = 0; k < count; k++) {
    operands.push([`o${k}`, outputs[k], shape], [`t${k}`, thetas[k], []], [
      `s${k}`,
      sigma2s[k],
      [],
    ]);
  }
  for (const name of ["dy", "ratio"]) {
    if (named[name] !== undefined) operands.push([name, named[name], shape]);
  }
  checkOperands(kernel, operands);

  return {
    outputs,
    thetas: thetas.map((t) => native.scalar(t)),
    sigma2s: sigma2s.map((s) => native.scalar(s)),
  };
}
