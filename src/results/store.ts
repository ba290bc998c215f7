/**
 * The results folder: `results/<experiment>/<run id>.json`, one validated
 * result record a file, written atomically so that an interrupted run never
 * leaves a half-written result behind.
 *
 * @module
 */

import { UserError } from "../config/errors.ts";
import { formatIssues } from "../config/issues.ts";
import { writeFileAtomic } from "../train/checkpoint.ts";
import { type ResultRecord, ResultRecordSchema } from "./record.ts";

/** Returns the path of the result file of a run. */
export function resultPath(resultsDir: string, experiment: string, runId: string): string {
  return `${resultsDir}/${experiment}/${runId}.json`;
}

/** Validates and writes `record` atomically; creates the experiment folder when needed. */
export async function writeResult(resultsDir: string, record: ResultRecord): Promise<string> {
  const checked = ResultRecordSchema.parse(record);
  const path = resultPath(resultsDir, checked.experiment, checked.runId);

  await Deno.mkdir(`${resultsDir}/${checked.experiment}`, { recursive: true });
  await writeFileAtomic(path, JSON.stringify(checked, null, 2) + "\n");
  return path;
}

/** Reads and validates one result file, or returns null when it does not exist. */
export async function readResult(path: string): Promise<ResultRecord | null> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }

  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UserError(
      `Cannot read result ${path}: invalid JSON (${(error as Error).message}). Delete the file ` +
        "to run the unit again.",
    );
  }

  const parsed = ResultRecordSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    throw new UserError(
      `Cannot read result ${path}: it does not match result format version 1. Delete the file ` +
        "to run the unit again.",
      formatIssues(parsed.error.issues),
    );
  }
  return parsed.data;
}

/** Reads every result file under `resultsDir` (all experiments), sorted by path. */
export async function readAllResults(resultsDir: string): Promise<ResultRecord[]> {
  const paths: string[] = [];
  try {
    for await (const experiment of Deno.readDir(resultsDir)) {
      if (!experiment.isDirectory) continue;
      for await (const file of Deno.readDir(`${resultsDir}/${experiment.name}`)) {
        if (file.isFile && file.name.endsWith(".json")) {
          paths.push(`${resultsDir}/${experiment.name}/${file.name}`);
        }
      }
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }

  const records: ResultRecord[] = [];
  for (const path of paths.sort()) {
    const record = await readResult(path);
    if (record !== null) records.push(record);
  }
  return records;
}

/** Finds the result file of `runId` in any experiment folder, for `evaluate --from`. */
export async function findResultById(resultsDir: string, runId: string): Promise<ResultRecord> {
  const matches = (await readAllResults(resultsDir)).filter((record) =>
    record.runId.startsWith(runId)
  );
  if (matches.length === 1) return matches[0];

  if (matches.length === 0) {
    throw new UserError(
      `Cannot find a result with run id "${runId}" under ${resultsDir}/. List the run ids with ` +
        "`deno task reproduce --dry-run`.",
    );
  }
  throw new UserError(
    `Run id prefix "${runId}" matches ${matches.length} results (${
      matches.map((record) => record.runId).join(", ")
    }). Give more digits.`,
  );
}
