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
  createMixedOperationStep,
  type MixedOperationBenchOptions,
  type MixedOperationBenchResult,
  mixedOperationMacs,
  type MixedOperationStep,
} from "./bench_mixed_op.ts";
export { type EngineInstallation, ensureEngineInstalled, installEngine } from "./install.ts";
export { lrtConvolution, type LrtConvolutionOptions } from "./lrt_convolution.ts";
export { lrtMixture } from "./lrt_mixture.ts";
export { lrtSample } from "./lrt_sample.ts";
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
export { fillNormal, NormalStream, seededNormal, zigguratTables } from "./random_normal.ts";
export { readScalar, readValues } from "./read.ts";
export { installLinearTapeGradients } from "./tape_gradients.ts";
export { fusedVariationalKl, type VariationalKlAttrs } from "./variational_kl.ts";
