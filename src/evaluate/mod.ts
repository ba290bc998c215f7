/**
 * Evaluation of derived networks: building DARTS's evaluation network from a
 * genotype, training it from scratch with DARTS's protocol (optionally with
 * sparse variational weights), and measuring test error, parameters and
 * multiply-accumulates.
 *
 * @module
 */

export { accuracy } from "./accuracy.ts";
export { AuxiliaryHead, type AuxiliaryHeadOptions } from "./auxiliary_head.ts";
export { DerivedCell, type DerivedCellOptions } from "./cell.ts";
export { dropPath } from "./drop_path.ts";
export { Linear } from "./linear.ts";
export { type MacCount, MacCounter, type MacRecord, summarizeMacs } from "./macs.ts";
export { EvaluationNetwork, type EvaluationNetworkOptions, type NetworkOutput } from "./network.ts";
export {
  dropPathSchedule,
  type EvaluationSettings,
  evaluationSettings,
  type EvaluationSettingsInput,
  EvaluationSettingsSchema,
  VariationalEvaluationSchema,
} from "./settings.ts";
export {
  benchmarkTrainingStep,
  formatStepTable,
  standardStepGrid,
  type StepBenchmarkCase,
  type StepBenchmarkOptions,
  type StepBenchmarkResult,
} from "./step_benchmark.ts";
export {
  type EpochRecord,
  evaluationConvolutions,
  type EvaluationOutcome,
  type EvaluationRequest,
  runEvaluation,
} from "./train.ts";
export {
  createEvaluationOptimizer,
  trainedEntries,
  trainingStep,
  type TrainingStepOptions,
  type TrainingStepResult,
} from "./train_step.ts";
export { type DivergenceDetails, TrainingDivergedError } from "./training_diverged_error.ts";
