/**
 * Runs one unit of work end to end. It loads the verified dataset, searches
 * a genotype (VINNAS, DARTS first or second order, or random search),
 * evaluates it by training the derived network from scratch, and writes the
 * versioned result file with provenance.
 *
 * Interrupted runs resume: each stage checkpoints every epoch under
 * `<checkpointsDir>/<run id>/`, and a finished search is kept there as a
 * summary so that a resumed run goes straight to evaluation. A run that
 * fails (a NaN loss, any error) is recorded as failed with its cause. An
 * aborted run (Ctrl-C) writes no result and keeps its checkpoints.
 *
 * @module
 */

import type { RunUnit } from "../config/plan.ts";
import { type Dataset, loadDataset, type LoadOptions } from "../data/mod.ts";
import type { BackendInfo } from "../engine/backend.ts";
import { EvaluationSettingsSchema } from "../evaluate/settings.ts";
import { runEvaluation } from "../evaluate/train.ts";
import { peakMemoryBytes, runtimeFacts } from "../results/provenance.ts";
import { RESULT_VERSION, type ResultRecord, SearchSummarySchema } from "../results/record.ts";
import { writeResult } from "../results/store.ts";
import { writeFileAtomic } from "../train/checkpoint.ts";
import { HARNESS_VERSION } from "../version.ts";
import { logger } from "../util/log.ts";
import type { ProgressReporter } from "./progress.ts";
import { searchGenotype, type SearchSummary } from "./search_stage.ts";

const log = logger("run");

/** Context of a run unit besides its configuration: folders, backend, data and provenance. */
export interface RunUnitContext {
  resultsDir: string;
  checkpointsDir: string;
  backend: BackendInfo;
  dataOptions: LoadOptions;
  git: { commit: string | null; dirty: boolean | null };
  progress?: ProgressReporter;
  /** Aborting stops the run between steps; no result is written. */
  signal?: AbortSignal;
}

type _Stage = "data" | "search" | "evaluation";

/** Runs `unit` and writes its result file; returns the record written. */
export async function executeRunUnit(
  unit: RunUnit,
  context: RunUnitContext,
): Promise<ResultRecord> {
  const { config } = unit;
  const startedAt = new Date();
  const started = performance.now();
  const unitDir = `${context.checkpointsDir}/${unit.runId}`;
  let stage: _Stage = "data";
  let dataset: Dataset | null = null;
  let search: SearchSummary | null = null;

  try {
    await Deno.mkdir(unitDir, { recursive: true });
    dataset = await loadDataset(config.dataset, context.dataOptions);

    stage = "search";
    search = await _searchStage(unit, dataset, unitDir, context);

    stage = "evaluation";
    context.signal?.throwIfAborted();
    const evaluationSettings = EvaluationSettingsSchema.parse(config.evaluation);
    const evaluation = await runEvaluation({
      genotype: search.genotype,
      dataset,
      settings: evaluationSettings,
      seed: config.seed,
      checkpointPath: `${unitDir}/evaluation.ckpt`,
      signal: context.signal,
    });

    const record = _record(unit, context, dataset, startedAt, started, {
      status: "complete",
      search,
      evaluation: {
        testError: evaluation.testError,
        totalParameters: evaluation.totalParameters,
        nonZeroParameters: evaluation.nonZeroParameters,
        multiplyAccumulates: evaluation.multiplyAccumulates,
        epochs: evaluation.epochs,
        wallSeconds: evaluation.wallSeconds,
        curves: evaluation.curves as unknown as Record<string, unknown>[],
      },
      failure: null,
    });
    const path = await writeResult(context.resultsDir, record);
    await Deno.remove(unitDir, { recursive: true });
    log.info(
      `${unit.runId} complete: test error ${evaluation.testError.toFixed(2)} %, ` +
        `${evaluation.nonZeroParameters} of ${evaluation.totalParameters} parameters non-zero -> ${path}`,
    );
    return record;
  } catch (error) {
    if (context.signal?.aborted) throw error;

    const failure = {
      stage,
      message: error instanceof Error ? error.message : String(error),
      stack: error instanceof Error ? (error.stack ?? null) : null,
    };
    log.error(`${unit.runId} failed in ${stage}: ${failure.message}`);
    const record = _record(unit, context, dataset, startedAt, started, {
      status: "failed",
      search,
      evaluation: null,
      failure,
    });
    await writeResult(context.resultsDir, record);
    return record;
  }
}

// The search stage, or its saved summary when an earlier process finished it.
async function _searchStage(
  unit: RunUnit,
  dataset: Dataset,
  unitDir: string,
  context: RunUnitContext,
): Promise<SearchSummary> {
  const summaryPath = `${unitDir}/search-summary.json`;
  const saved = await _readSearchSummary(summaryPath);
  if (saved !== null) {
    log.info(`${unit.runId}: search finished earlier; reusing ${summaryPath}`);
    return saved;
  }

  const checkpointName = unit.config.method === "random" ? "random-search.ckpt" : "search.ckpt";
  const summary = await searchGenotype(unit.config, dataset, {
    checkpointPath: `${unitDir}/${checkpointName}`,
    signal: context.signal,
  });

  await writeFileAtomic(summaryPath, JSON.stringify(summary));
  return summary;
}

async function _readSearchSummary(path: string): Promise<SearchSummary | null> {
  try {
    const parsed = SearchSummarySchema.safeParse(JSON.parse(await Deno.readTextFile(path)));
    if (parsed.success) return parsed.data;
    log.warn(`ignoring invalid search summary ${path}; the search runs again`);
    return null;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    log.warn(`ignoring unreadable search summary ${path}: ${(error as Error).message}`);
    return null;
  }
}

function _record(
  unit: RunUnit,
  context: RunUnitContext,
  dataset: Dataset | null,
  startedAt: Date,
  started: number,
  outcome: Pick<ResultRecord, "status" | "search" | "evaluation" | "failure">,
): ResultRecord {
  const { config } = unit;
  const runtime = runtimeFacts();

  return {
    version: RESULT_VERSION,
    runId: unit.runId,
    experiment: config.experiment,
    dataset: config.dataset,
    method: config.method,
    seed: config.seed,
    profile: config.profile,
    status: outcome.status,
    config: config as unknown as Record<string, unknown>,
    provenance: {
      gitCommit: context.git.commit,
      gitDirty: context.git.dirty,
      codeVersion: HARNESS_VERSION,
      deno: runtime.deno,
      v8: runtime.v8,
      typescript: runtime.typescript,
      tfjs: runtime.tfjs,
      backend: context.backend.backend,
      adapter: context.backend.adapter,
      tfjsFlags: context.backend.flags,
      platform: runtime.platform,
      cpuCount: runtime.cpuCount,
      dataDigests: dataset?.digests ?? {},
      seed: config.seed,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      wallSeconds: (performance.now() - started) / 1000,
      peakMemoryBytes: peakMemoryBytes(),
    },
    search: outcome.search,
    evaluation: outcome.evaluation,
    failure: outcome.failure,
  };
}
