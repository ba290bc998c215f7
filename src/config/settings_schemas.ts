/**
 * The settings schemas that experiment blocks are validated against, in one
 * place so the CLI, the planner and the JSON Schema export agree.
 *
 * @module
 */

import { EvaluationSettingsSchema } from "../evaluate/settings.ts";
import { RandomSearchSettingsSchema } from "../search/random_search.ts";
import { SearchSettingsSchema } from "../search/settings.ts";
import type { SettingsSchemas } from "./load_experiment.ts";

/** The harness's settings schemas. */
export const SETTINGS_SCHEMAS: SettingsSchemas = {
  search: SearchSettingsSchema,
  evaluation: EvaluationSettingsSchema,
  randomSearch: RandomSearchSettingsSchema,
};
