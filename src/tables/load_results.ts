/**
 * Reads every result file `results/<experiment>/<run id>.json` and validates
 * it with the result schema. An invalid file stops the tables with its path
 * and the zod issues. No file is skipped, because a table that silently
 * drops a run would misreport the mean over seeds.
 *
 * @module
 */

import { join } from "node:path";
import { type ResultRecord, ResultRecordSchema } from "../results/record.ts";
import { compareText } from "./_compare_text.ts";
import { formatZodIssues } from "./_zod_issues.ts";

/** A validated result record and the file it came from. */
export interface LoadedResult {
  /** Path of the result file, as built from the results folder. */
  path: string;
  record: ResultRecord;
}

/**
 * Validates one parsed result file.
 *
 * @param data the parsed JSON
 * @param path the file path, for error messages
 * @param experiment the folder name, which must equal `record.experiment`
 * @throws Error naming the path, with every zod issue (path and value)
 */
export function parseResultFile(data: unknown, path: string, experiment: string): ResultRecord {
  const parsed = ResultRecordSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    throw new Error(
      `Cannot read result file ${path}: it does not match the result schema. ` +
        `Fix or delete the file, or rerun its run unit:\n${formatZodIssues(parsed.error.issues)}`,
    );
  }

  const record = parsed.data;
  if (record.experiment !== experiment) {
    throw new Error(
      `Cannot read result file ${path}: it names experiment "${record.experiment}" but lies in ` +
        `the folder of experiment "${experiment}". Move it to results/${record.experiment}/.`,
    );
  }

  const expectedName = `${record.runId}.json`;
  if (!path.endsWith(`/${expectedName}`) && path !== expectedName) {
    throw new Error(
      `Cannot read result file ${path}: its run id is ${record.runId}, so the file must be ` +
        `named ${expectedName}. Rename it or rerun its run unit.`,
    );
  }

  return record;
}

/**
 * Reads and validates all result files under `resultsDir`, one folder per
 * experiment. Only `*.json` files directly inside an experiment folder are
 * read. The results are sorted by path, so their order does not depend on
 * the file system.
 *
 * @throws Error naming the first file that is not valid JSON or not a valid result record
 */
export async function loadResults(resultsDir: string): Promise<LoadedResult[]> {
  const experiments = await _listEntries(resultsDir, "directory");
  const results: LoadedResult[] = [];

  for (const experiment of experiments) {
    const folder = join(resultsDir, experiment);
    const files = (await _listEntries(folder, "file")).filter((name) => name.endsWith(".json"));

    for (const name of files) {
      const path = join(folder, name);
      const data = _parseJson(await Deno.readTextFile(path), path);
      results.push({ path, record: parseResultFile(data, path, experiment) });
    }
  }

  return results;
}

async function _listEntries(folder: string, kind: "file" | "directory"): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(folder)) {
      if (kind === "file" ? entry.isFile : entry.isDirectory) names.push(entry.name);
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound && kind === "directory") return [];
    throw error;
  }

  return names.sort(compareText);
}

function _parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(
      `Cannot read result file ${path}: invalid JSON (${(error as Error).message}). ` +
        `Delete the file and rerun its run unit.`,
    );
  }
}
