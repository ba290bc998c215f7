/**
 * Loading an experiment file: JSON parsing, schema validation, and
 * validation of every settings block against the settings schemas, with
 * every problem reported by its JSON path and value.
 *
 * @module
 */

import { JsonSyntaxError, parseJson } from "./json_syntax.ts";
import type { z } from "zod";
import { UserError } from "./errors.ts";
import { type ExperimentFile, ExperimentFileSchema } from "./experiment.ts";
import { formatIssues } from "./issues.ts";
import { deepMerge, type JsonObject } from "./merge.ts";
import type { Method } from "../results/record.ts";

/** The schemas that the settings blocks must satisfy once defaults are applied. */
export interface SettingsSchemas {
  search: z.ZodType;
  evaluation: z.ZodType;
  randomSearch: z.ZodType;
}

type _BlockName = keyof SettingsSchemas;

const _BLOCKS: readonly _BlockName[] = ["search", "evaluation", "randomSearch"];

/** Reads, parses and validates the experiment file at `path`; throws a UserError listing every problem. */
export async function loadExperiment(
  path: string,
  schemas: SettingsSchemas,
): Promise<ExperimentFile> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new UserError(
        `Cannot load experiment ${path}: the file does not exist. List the experiments with ` +
          "`ls experiments/*.json`.",
      );
    }
    throw error;
  }

  return parseExperiment(text, path, schemas);
}

/** Parses and validates experiment JSON `text`; `path` names it in errors. */
export function parseExperiment(
  text: string,
  path: string,
  schemas: SettingsSchemas,
): ExperimentFile {
  let data: unknown;
  try {
    data = parseJson(text);
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    throw new UserError(
      `Cannot load experiment ${path}: invalid JSON at line ${error.line}, column ` +
        `${error.column} (${error.reason}). Fix the syntax there.`,
    );
  }

  const parsed = ExperimentFileSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    throw new UserError(
      `Cannot load experiment ${path}: ${parsed.error.issues.length} invalid value(s).`,
      formatIssues(parsed.error.issues),
    );
  }

  const problems = _checkSettingsBlocks(parsed.data, schemas);
  if (problems.length > 0) {
    throw new UserError(
      `Cannot load experiment ${path}: ${problems.length} invalid setting(s).`,
      problems,
    );
  }
  return parsed.data;
}

/**
 * Returns the settings blocks of one run unit, merged in order: experiment,
 * experiment method override, profile, profile method override.
 */
export function mergedSettingsBlocks(
  experiment: ExperimentFile,
  method: Method,
  profileName: string,
): Record<_BlockName, JsonObject> {
  const profile = experiment.profiles[profileName];
  const methodBlocks = experiment.methodOverrides?.[method];
  const profileMethodBlocks = profile?.methodOverrides?.[method];

  const merged = {} as Record<_BlockName, JsonObject>;
  for (const block of _BLOCKS) {
    merged[block] = deepMerge(
      experiment[block],
      methodBlocks?.[block],
      profile?.[block],
      profileMethodBlocks?.[block],
    );
  }
  return merged;
}

// Each block is checked on its own, so an issue points at the file location
// where the bad value is written; then every merged combination is checked,
// which catches values that are valid alone but invalid together.
function _checkSettingsBlocks(experiment: ExperimentFile, schemas: SettingsSchemas): string[] {
  const problems: string[] = [];
  const check = (block: _BlockName, value: unknown, basePath: PropertyKey[]) => {
    if (value === undefined) return;
    const parsed = schemas[block].safeParse(value, { reportInput: true });
    if (!parsed.success) problems.push(...formatIssues(parsed.error.issues, basePath));
  };

  for (const block of _BLOCKS) {
    check(block, experiment[block], [block]);
    for (const [method, overrides] of Object.entries(experiment.methodOverrides ?? {})) {
      check(block, overrides?.[block], ["methodOverrides", method, block]);
    }
    for (const [name, profile] of Object.entries(experiment.profiles)) {
      check(block, profile[block], ["profiles", name, block]);
      for (const [method, overrides] of Object.entries(profile.methodOverrides ?? {})) {
        check(block, overrides?.[block], ["profiles", name, "methodOverrides", method, block]);
      }
    }
  }
  if (problems.length > 0) return problems;

  for (const profileName of Object.keys(experiment.profiles)) {
    for (const method of experiment.profiles[profileName].methods ?? experiment.methods) {
      const merged = mergedSettingsBlocks(experiment, method, profileName);
      for (const block of _BLOCKS) {
        const parsed = schemas[block].safeParse(merged[block], { reportInput: true });
        if (parsed.success) continue;
        const where = `profile "${profileName}", method "${method}", merged ${block}`;
        problems.push(...formatIssues(parsed.error.issues).map((line) => `${where}: ${line}`));
      }
    }
  }
  return problems;
}
