/**
 * The JSON Schema of experiment files, generated from the zod schemas so
 * that editors complete and check `experiments/*.json`. Settings blocks get
 * the input form of the settings schemas (keys with defaults optional), so
 * a misspelt knob is flagged in the editor as well as by the loader.
 *
 * @module
 */

import { z } from "zod";
import { ExperimentFileSchema } from "./experiment.ts";
import { SETTINGS_SCHEMAS } from "./settings_schemas.ts";

const _BLOCKS = ["search", "evaluation", "randomSearch"] as const;

/** Path of the generated schema, relative to the repository root. */
export const EXPERIMENT_JSON_SCHEMA_PATH = "experiments/experiment.schema.json";

/** Returns the JSON Schema text (formatted, newline-terminated). */
export function experimentJsonSchema(): string {
  const schema = z.toJSONSchema(ExperimentFileSchema, { io: "input", unrepresentable: "any" }) as
    & Record<string, unknown>
    & { $defs?: Record<string, unknown> };

  schema.$defs = schema.$defs ?? {};
  for (const block of _BLOCKS) {
    const blockSchema = z.toJSONSchema(SETTINGS_SCHEMAS[block], {
      io: "input",
      unrepresentable: "any",
    }) as Record<string, unknown>;
    delete blockSchema.$schema;
    schema.$defs[`${block}Settings`] = blockSchema;
  }

  _replaceBlocks(schema);
  schema.title = "VINNAS harness experiment file";
  return JSON.stringify(schema, null, 2) + "\n";
}

// Points every `search`, `evaluation` and `randomSearch` property at the
// settings definitions, wherever the blocks appear (experiment, profiles,
// method overrides).
function _replaceBlocks(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) _replaceBlocks(item);
    return;
  }
  if (typeof node !== "object" || node === null) return;

  const record = node as Record<string, unknown>;
  const properties = record.properties as Record<string, unknown> | undefined;
  if (properties !== undefined) {
    for (const block of _BLOCKS) {
      if (block in properties) {
        properties[block] = {
          $ref: `#/$defs/${block}Settings`,
          description: `overrides of the ${block} settings`,
        };
      }
    }
  }

  for (const [key, value] of Object.entries(record)) {
    if (key !== "$defs") _replaceBlocks(value);
  }
}
