/**
 * Aggregation of result records over seeds: one summary per
 * (experiment, method, profile). Complete runs enter the statistics; failed
 * runs are counted and listed with their cause but never averaged.
 *
 * @module
 */

import { type Method, METHODS, type ResultRecord } from "../results/record.ts";
import { compareText } from "./_compare_text.ts";
import { type SampleStatistics, sampleStatistics } from "./statistics.ts";

/** A failed run, kept out of the statistics and listed below the table. */
export interface FailedRun {
  experiment: string;
  method: Method;
  profile: string;
  seed: number;
  runId: string;
  /** The stage that failed; null when the record carries no failure summary. */
  stage: "data" | "search" | "evaluation" | null;
  message: string;
}

/** The summary of one (experiment, method, profile) group over its seeds. */
export interface MethodSummary {
  experiment: string;
  dataset: ResultRecord["dataset"];
  method: Method;
  profile: string;
  /** Seeds of the complete runs, ascending. */
  seeds: number[];
  /** Test error in percent over the complete runs; null when none completed. */
  testError: SampleStatistics | null;
  /** Mean total parameters (auxiliary head excluded); null when none completed. */
  totalParameters: number | null;
  /** Mean non-zero parameters; null when none completed. */
  nonZeroParameters: number | null;
  /** Mean wall time of the search stage in hours; null when none completed. */
  searchHours: number | null;
  /** The backends and devices that ran the complete runs, sorted, without repeats. */
  devices: string[];
  /** Skip connections in the derived normal cell: mean and max over seeds. */
  skipConnections: { mean: number; max: number } | null;
  /** Failed runs of this group, sorted by seed and run id. */
  failures: FailedRun[];
}

const _SECONDS_PER_HOUR = 3600;

/**
 * Groups result records by (experiment, method, profile) and summarises each
 * group over its seeds. The output does not depend on the input order:
 * groups are sorted by experiment, then by the method order of `METHODS`,
 * then by profile, and values are summed in seed order.
 *
 * @throws Error when a complete record lacks its search or evaluation
 *   summary, or when one group contains two complete runs of the same seed
 */
export function aggregateResults(records: readonly ResultRecord[]): MethodSummary[] {
  const groups = new Map<string, ResultRecord[]>();
  for (const record of records) {
    const key = JSON.stringify([record.experiment, record.method, record.profile]);
    const group = groups.get(key) ?? [];
    group.push(record);
    groups.set(key, group);
  }

  const summaries = [...groups.values()].map(_summariseGroup);
  return summaries.sort(compareSummaries);
}

/** Orders summaries by experiment, method (in `METHODS` order) and profile. */
export function compareSummaries(a: MethodSummary, b: MethodSummary): number {
  return compareText(a.experiment, b.experiment) ||
    METHODS.indexOf(a.method) - METHODS.indexOf(b.method) ||
    compareText(a.profile, b.profile);
}

/**
 * Describes where a run executed, e.g. `wasm (2-core CPU)` or
 * `webgpu (NVIDIA H200)`, from the provenance that the record carries.
 */
export function describeDevice(provenance: ResultRecord["provenance"]): string {
  const adapter = provenance.adapter;
  if (adapter !== null) {
    const name = adapter.description.trim() ||
      `${adapter.vendor} ${adapter.architecture}`.trim() || "unnamed GPU adapter";
    const fallback = adapter.isFallbackAdapter ? ", fallback adapter" : "";
    return `${provenance.backend} (${name}${fallback})`;
  }

  const cpu = provenance.cpuCount === null ? "CPU" : `${provenance.cpuCount}-core CPU`;
  return `${provenance.backend} (${cpu})`;
}

function _summariseGroup(group: ResultRecord[]): MethodSummary {
  const sorted = [...group].sort((a, b) => a.seed - b.seed || compareText(a.runId, b.runId));
  const first = sorted[0];
  const complete = sorted.filter((record) => record.status === "complete");
  const failed = sorted.filter((record) => record.status === "failed");

  _checkCompleteRuns(complete);

  const failures = failed.map((record): FailedRun => ({
    experiment: record.experiment,
    method: record.method,
    profile: record.profile,
    seed: record.seed,
    runId: record.runId,
    stage: record.failure?.stage ?? null,
    message: record.failure?.message ?? "no failure message was recorded",
  }));

  const summary: MethodSummary = {
    experiment: first.experiment,
    dataset: first.dataset,
    method: first.method,
    profile: first.profile,
    seeds: complete.map((record) => record.seed),
    testError: null,
    totalParameters: null,
    nonZeroParameters: null,
    searchHours: null,
    devices: [...new Set(complete.map((record) => describeDevice(record.provenance)))]
      .sort(compareText),
    skipConnections: null,
    failures,
  };
  if (complete.length === 0) return summary;

  // _checkCompleteRuns guarantees both summaries on every complete run.
  const evaluations = complete.map((record) => record.evaluation!);
  const searches = complete.map((record) => record.search!);
  const skips = searches.map((search) => search.skipConnectionsInNormalCell);

  summary.testError = sampleStatistics(evaluations.map((evaluation) => evaluation.testError));
  summary.totalParameters = _mean(evaluations.map((evaluation) => evaluation.totalParameters));
  summary.nonZeroParameters = _mean(evaluations.map((evaluation) => evaluation.nonZeroParameters));
  summary.searchHours = _mean(searches.map((search) => search.wallSeconds)) / _SECONDS_PER_HOUR;
  summary.skipConnections = { mean: _mean(skips), max: Math.max(...skips) };
  return summary;
}

function _checkCompleteRuns(complete: ResultRecord[]): void {
  const runBySeed = new Map<number, string>();

  for (const record of complete) {
    if (record.search === null || record.evaluation === null) {
      const missing = record.search === null ? "search" : "evaluation";
      throw new Error(
        `Cannot aggregate run ${record.runId} of experiment "${record.experiment}": its status ` +
          `is complete but its ${missing} summary is null. Rerun the run unit or mark it failed.`,
      );
    }

    const other = runBySeed.get(record.seed);
    if (other !== undefined) {
      throw new Error(
        `Cannot aggregate experiment "${record.experiment}", method ${record.method}, profile ` +
          `"${record.profile}": seed ${record.seed} has two complete runs (${other} and ` +
          `${record.runId}), which would count the seed twice. Delete the stale result file.`,
      );
    }
    runBySeed.set(record.seed, record.runId);
  }
}

function _mean(values: readonly number[]): number {
  return sampleStatistics(values).mean;
}
