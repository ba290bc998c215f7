/**
 * Benchmarks of dataset loading and of search training steps on each tfjs
 * backend, beside PyTorch, and the benchmark page they render.
 *
 * @module
 */

export {
  BEGIN_MARKER,
  END_MARKER,
  renderBenchmarkSection,
  writeBenchmarkPage,
} from "./benchmark_page.ts";
export { benchmarkDataLoad, type DataLoadBenchmark } from "./data_load.ts";
export {
  mixedOperationStepFlops,
  type StepFlops,
  type SupergraphShape,
  supergraphStepFlops,
} from "./flop_model.ts";
export {
  probePytorch,
  type PytorchCaseResult,
  type PytorchProbe,
  runPytorchCase,
} from "./pytorch_reference.ts";
export { runCaseInWorker } from "./run_case.ts";
export {
  runStepCase,
  type StepCaseRequest,
  type StepCaseResult,
  type StepCaseStatus,
  type StepKind,
} from "./step_case.ts";
export {
  type CaseReport,
  experimentProfile,
  type MachineInfo,
  type Measurement,
  MIXED_OPERATION_PROFILE,
  paperProfile,
  runStepSuite,
  type SizeProfile,
  type StepSuiteOptions,
  type StepSuiteReport,
  type SuiteRatios,
  suiteRatios,
} from "./step_suite.ts";
