/**
 * VINNAS on TensorFlow.js: a harness that reproduces "VINNAS: Variational
 * Inference-based Neural Network Architecture Search" (Ferianc, Fan,
 * Rodrigues, arXiv 2007.06103) and runs DARTS first order, DARTS second
 * order and random search on the same search space and data.
 *
 * The main job is {@link reproduce}: experiment files → run units →
 * versioned result files → regenerated paper tables. Its stages are
 * exported for use on their own:
 *
 * - datasets: {@link loadDataset} (MNIST, Fashion-MNIST, CIFAR-10, verified
 *   by SHA-256);
 * - backends: {@link initBackend} (webgpu on a real GPU, else wasm, else cpu);
 * - search: {@link runSearch} (VINNAS, DARTS) and {@link runRandomSearch};
 * - evaluation: {@link runEvaluation} of any {@link Genotype};
 * - tables: {@link renderAllTables}.
 *
 * @example Evaluate DARTS's published cell briefly on MNIST
 * ```ts ignore
 * import { DARTS_V2, evaluationSettings, initBackend, loadDataset, runEvaluation } from "./mod.ts";
 *
 * await initBackend("auto");
 * const dataset = await loadDataset("mnist");
 * const outcome = await runEvaluation({
 *   genotype: DARTS_V2.genotype,
 *   dataset,
 *   settings: evaluationSettings({ cells: 3, initChannels: 8, epochs: 1, trainSubsetPerClass: 100 }),
 *   seed: 0,
 * });
 * console.log(outcome.testError, outcome.totalParameters);
 * ```
 *
 * @module
 */

export * from "./src/data/mod.ts";
export * from "./src/engine/mod.ts";
export * from "./src/search/mod.ts";
export * from "./src/evaluate/mod.ts";
export * from "./src/tables/mod.ts";
export {
  type ExperimentFile,
  ExperimentFileSchema,
  type Profile,
  ProfileSchema,
} from "./src/config/experiment.ts";
export { loadExperiment, parseExperiment } from "./src/config/load_experiment.ts";
export { planRuns, type RunConfig, runId, type RunUnit, selectShard } from "./src/config/plan.ts";
export { SETTINGS_SCHEMAS } from "./src/config/settings_schemas.ts";
export { UserError } from "./src/config/errors.ts";
export {
  type Method,
  METHODS,
  type Provenance,
  type ResultRecord,
  ResultRecordSchema,
} from "./src/results/record.ts";
export { readAllResults, readResult, writeResult } from "./src/results/store.ts";
export {
  reproduce,
  type ReproduceOptions,
  type ReproduceSummary,
} from "./src/pipeline/reproduce.ts";
export { executeRunUnit } from "./src/pipeline/run_unit.ts";
export { logger, setLogLevel } from "./src/util/log.ts";
export { Rng } from "./src/util/random.ts";
