/**
 * The result record of one run unit (experiment × method × seed × profile):
 * the single definition of `results/<experiment>/<run id>.json`. Every
 * table cell is computed from these files, so they carry the resolved
 * configuration and full provenance.
 *
 * @module
 */

import { z } from "zod";
import { GenotypeSchema } from "../search/genotype.ts";

/** Version of the result file format; bump it when a field changes meaning. */
export const RESULT_VERSION = 1;

/** The methods a run unit can use. */
export const METHODS = ["vinnas", "darts-first-order", "darts-second-order", "random"] as const;

/** Schema of a method name. */
export const MethodSchema = z.enum(METHODS);

/** A method name. */
export type Method = z.infer<typeof MethodSchema>;

/** Datasets of the VINNAS paper's result tables. */
export const DATASETS = ["mnist", "fashion-mnist", "cifar10"] as const;

/** Schema of a dataset name. */
export const DatasetNameSchema = z.enum(DATASETS);

/** Provenance of a run: what produced the numbers, where and when. */
export const ProvenanceSchema = z.strictObject({
  gitCommit: z.string().nullable().describe("HEAD commit, or null outside a git checkout"),
  gitDirty: z.boolean().nullable().describe("whether tracked files differed from HEAD"),
  codeVersion: z.string().describe("harness version that enters the run id"),
  deno: z.string(),
  v8: z.string(),
  typescript: z.string(),
  tfjs: z.string(),
  backend: z.string().describe("tfjs backend: cpu, wasm or webgpu"),
  adapter: z.strictObject({
    description: z.string(),
    vendor: z.string(),
    architecture: z.string(),
    isFallbackAdapter: z.boolean(),
  }).nullable().describe("WebGPU adapter, null on cpu and wasm"),
  tfjsFlags: z.record(z.string(), z.unknown()),
  platform: z.string().describe("operating system and architecture"),
  cpuCount: z.int().nullable(),
  dataDigests: z.record(z.string(), z.string()).describe("sha256 of every decoded data file"),
  seed: z.int(),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
  wallSeconds: z.number().nonnegative(),
  peakMemoryBytes: z.int().nonnegative().describe("peak resident set size seen by the run"),
});

/** Summary of the search stage. Trajectory entries are method-specific records. */
export const SearchSummarySchema = z.strictObject({
  genotype: GenotypeSchema,
  genotypeHash: z.string(),
  epochs: z.int().nonnegative(),
  wallSeconds: z.number().nonnegative(),
  skipConnectionsInNormalCell: z.int().nonnegative(),
  trajectory: z.array(z.record(z.string(), z.unknown())),
});

/** Summary of the evaluation stage. */
export const EvaluationSummarySchema = z.strictObject({
  testError: z.number().min(0).max(100).describe("test error in percent"),
  totalParameters: z.int().nonnegative().describe("auxiliary head excluded"),
  nonZeroParameters: z.int().nonnegative().describe(
    "weights with log α ≤ threshold plus non-variational ones",
  ),
  multiplyAccumulates: z.int().nonnegative().describe("per image"),
  epochs: z.int().nonnegative(),
  wallSeconds: z.number().nonnegative(),
  curves: z.array(z.record(z.string(), z.unknown())),
});

/** Cause of a failed run. Failed runs are kept and reported, and tables exclude them. */
export const FailureSchema = z.strictObject({
  stage: z.enum(["data", "search", "evaluation"]),
  message: z.string(),
  stack: z.string().nullable(),
});

/** Schema of a result file. */
export const ResultRecordSchema = z.strictObject({
  version: z.literal(RESULT_VERSION),
  runId: z.string().regex(/^[0-9a-f]{16}$/),
  experiment: z.string(),
  dataset: DatasetNameSchema,
  method: MethodSchema,
  seed: z.int(),
  profile: z.string(),
  status: z.enum(["complete", "failed"]),
  config: z.record(z.string(), z.unknown()).describe("the resolved run configuration"),
  provenance: ProvenanceSchema,
  search: SearchSummarySchema.nullable(),
  evaluation: EvaluationSummarySchema.nullable(),
  failure: FailureSchema.nullable(),
}).superRefine((record, context) => {
  // A complete run has both stages; a failed one names its cause. Tables rely
  // on this to exclude failed runs and to read every complete one.
  if (record.status === "complete" && (record.search === null || record.evaluation === null)) {
    context.addIssue({
      code: "custom",
      path: ["status"],
      message: "a complete result needs both a search and an evaluation summary",
    });
  }
  if (record.status === "failed" && record.failure === null) {
    context.addIssue({
      code: "custom",
      path: ["failure"],
      message: "a failed result needs a failure cause",
    });
  }
});

/** A result file's contents. */
export type ResultRecord = z.infer<typeof ResultRecordSchema>;

/** Provenance of a run. */
export type Provenance = z.infer<typeof ProvenanceSchema>;
