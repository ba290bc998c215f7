/**
 * The main job of the harness: turn experiment files into run units, run those without a
 * complete result (resuming interrupted ones from their checkpoints), and
 * regenerate the paper tables from all results.
 *
 * @module
 */

import { UserError } from "../config/errors.ts";
import { loadExperiment } from "../config/load_experiment.ts";
import { planRuns, type RunUnit, selectShard } from "../config/plan.ts";
import { SETTINGS_SCHEMAS } from "../config/settings_schemas.ts";
import { DATASET_SPECS, type LoadOptions } from "../data/mod.ts";
import { expectedDigestsOf } from "../data/load_dataset.ts";
import { type BackendChoice, initBackend } from "../engine/backend.ts";
import { gitState } from "../results/provenance.ts";
import type { ResultRecord } from "../results/record.ts";
import { readResult, resultPath } from "../results/store.ts";
import { renderAllTables } from "../tables/mod.ts";
import { logger } from "../util/log.ts";
import { HARNESS_VERSION } from "../version.ts";
import { ProgressReporter } from "./progress.ts";
import { executeRunUnit } from "./run_unit.ts";

const log = logger("reproduce");

/** Options of {@link reproduce}. */
export interface ReproduceOptions {
  /** Experiment files; empty means every `experiments/*.json`. */
  experiments: string[];
  /** Profile of every experiment; undefined uses each experiment's default. */
  profile?: string;
  backend: BackendChoice;
  /** Run only this shard of the units, for job arrays. */
  shard?: { index: number; count: number };
  /** Run only the unit whose run id starts with this. */
  runId?: string;
  /** Print the plan and exit. */
  dryRun: boolean;
  /** Run units again even when a complete result exists. */
  force: boolean;
  resultsDir: string;
  checkpointsDir: string;
  tablesDir: string;
  referencesPath: string;
  /** Skip regenerating the tables (default when a shard or a run id is given). */
  skipTables: boolean;
  dataOptions: LoadOptions;
  signal?: AbortSignal;
}

/** A planned unit and what reproduce decided to do with it. */
export interface PlannedUnit {
  unit: RunUnit;
  action: "skip" | "run" | "rerun-failed" | "resume";
}

/** Outcome of a reproduce call: the plan and the records of the runs it ran. */
export interface ReproduceSummary {
  planned: PlannedUnit[];
  completed: ResultRecord[];
  failed: ResultRecord[];
  tables: string[];
}

/** Plans every experiment and decides, per unit, whether it must run. */
export async function planReproduce(options: ReproduceOptions): Promise<PlannedUnit[]> {
  const paths = options.experiments.length > 0 ? options.experiments : await listExperiments();
  let units: RunUnit[] = [];

  for (const path of paths) {
    const experiment = await loadExperiment(path, SETTINGS_SCHEMAS);
    const profile = options.profile ?? experiment.defaultProfile;
    const dataDigests = expectedDigestsOf(DATASET_SPECS[experiment.dataset], undefined);
    units.push(
      ...await planRuns(experiment, profile, SETTINGS_SCHEMAS, {
        harnessVersion: HARNESS_VERSION,
        dataDigests,
      }),
    );
  }

  if (options.runId !== undefined) {
    const prefix = options.runId;
    units = units.filter((unit) => unit.runId.startsWith(prefix));
    if (units.length === 0) {
      throw new UserError(
        `No planned run has an id starting with "${prefix}". List the ids with \`deno task ` +
          "reproduce --dry-run\` (with the same --profile).",
      );
    }
  }
  if (options.shard !== undefined) {
    units = selectShard(units, options.shard.index, options.shard.count);
  }

  const planned: PlannedUnit[] = [];
  for (const unit of units) {
    planned.push({ unit, action: await _decide(unit, options) });
  }
  return planned;
}

/** Runs the plan and regenerates the tables. */
export async function reproduce(options: ReproduceOptions): Promise<ReproduceSummary> {
  const planned = await planReproduce(options);
  const summary: ReproduceSummary = { planned, completed: [], failed: [], tables: [] };
  if (options.dryRun) return summary;

  const toRun = planned.filter((entry) => entry.action !== "skip");
  log.info(
    `${planned.length} run(s) planned: ${
      planned.length - toRun.length
    } complete, ${toRun.length} to run`,
  );

  if (toRun.length > 0) {
    const backend = await initBackend(options.backend);
    const adapter = backend.adapter === null ? "" : ` on ${backend.adapter.description}`;
    log.info(`backend ${backend.backend}${adapter}`);
    const git = await gitState();
    const progress = new ProgressReporter();

    for (const [index, entry] of toRun.entries()) {
      const { config } = entry.unit;
      progress.startUnit(
        index + 1,
        toRun.length,
        `${config.experiment} ${config.method} seed ${config.seed} (${config.profile}, ${entry.action}) ${entry.unit.runId}`,
      );

      const record = await executeRunUnit(entry.unit, {
        resultsDir: options.resultsDir,
        checkpointsDir: options.checkpointsDir,
        backend,
        dataOptions: options.dataOptions,
        git,
        progress,
        signal: options.signal,
      });
      (record.status === "complete" ? summary.completed : summary.failed).push(record);
    }
    progress.clearLine();
  }

  if (!options.skipTables) {
    summary.tables = await renderAllTables(
      options.resultsDir,
      options.referencesPath,
      options.tablesDir,
    );
  }
  return summary;
}

/** Returns `experiments/*.json` (the JSON Schema excluded), sorted. */
export async function listExperiments(dir = "experiments"): Promise<string[]> {
  const paths: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && entry.name.endsWith(".json") && !entry.name.endsWith(".schema.json")) {
      paths.push(`${dir}/${entry.name}`);
    }
  }
  if (paths.length === 0) {
    throw new UserError(`No experiment files found in ${dir}/. Run from the repository root.`);
  }
  return paths.sort();
}

async function _decide(unit: RunUnit, options: ReproduceOptions): Promise<PlannedUnit["action"]> {
  const existing = await readResult(
    resultPath(options.resultsDir, unit.config.experiment, unit.runId),
  );
  if (existing?.status === "complete" && !options.force) return "skip";
  if (existing?.status === "failed") return "rerun-failed";

  try {
    await Deno.stat(`${options.checkpointsDir}/${unit.runId}`);
    return "resume";
  } catch {
    return "run";
  }
}
