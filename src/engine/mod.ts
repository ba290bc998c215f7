/**
 * The training engine: backend selection and the kernels, gradients and
 * operations that make convolutional training work on tfjs's cpu, wasm and
 * webgpu backends under Deno.
 *
 * @module
 */

export {
  type AdapterDescription,
  type BackendChoice,
  type BackendInfo,
  type BackendName,
  type BackendProbe,
  initBackend,
  probeBackends,
  wasmBinaryPath,
} from "./backend.ts";
export {
  benchMixedOperation,
  type MixedOperationBenchOptions,
  type MixedOperationBenchResult,
  mixedOperationMacs,
} from "./bench_mixed_op.ts";
export { type EngineInstallation, ensureEngineInstalled, installEngine } from "./install.ts";
export {
  avgPool,
  type AvgPoolOptions,
  batchNormInference,
  batchNormTraining,
  type BatchNormTrainingResult,
  conv2d,
  type ConvolutionOpOptions,
  depthwiseConv2d,
  maxPool,
  pad2d,
  type PoolOptions,
} from "./ops.ts";
export { readScalar, readValues } from "./read.ts";
