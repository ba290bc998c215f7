/**
 * Experiment files: one per paper table, naming the dataset, the methods,
 * the seeds, the search and evaluation settings, and profiles that override
 * budgets. This schema is the single definition of the format; the JSON
 * Schema in `experiments/experiment.schema.json` is generated from it.
 *
 * Settings blocks (`search`, `evaluation`, `randomSearch`) are partial: each
 * key present overrides the default of the settings schema, and the blocks
 * merge in this order: experiment, experiment method override, profile,
 * profile method override.
 *
 * @module
 */

import { z } from "zod";
import { DatasetNameSchema, MethodSchema } from "../results/record.ts";

/** Version of the experiment file format. */
export const EXPERIMENT_VERSION = 1;

/** A partial settings block; its keys are checked against the settings schemas when resolved. */
const SettingsBlockSchema = z.record(z.string(), z.unknown());

/** The settings blocks that experiments, method overrides and profiles may contain. */
const SettingsBlocksShape = {
  search: SettingsBlockSchema.optional().describe("overrides of the search settings"),
  evaluation: SettingsBlockSchema.optional().describe("overrides of the evaluation settings"),
  randomSearch: SettingsBlockSchema.optional().describe(
    "overrides of the random-search baseline settings",
  ),
};

/** Overrides that apply to one method only. */
export const MethodOverrideSchema = z.strictObject(SettingsBlocksShape);

const MethodOverridesSchema = z.partialRecord(MethodSchema, MethodOverrideSchema);

/** A profile: a named budget (smoke, quick, paper) that overrides settings and seeds. */
export const ProfileSchema = z.strictObject({
  description: z.string().min(1).describe("what the profile is for and its budget"),
  hardware: z.string().min(1).describe("the hardware the profile is sized for"),
  seeds: z.array(z.int().nonnegative()).min(1).optional().describe("replaces the seeds"),
  methods: z.array(MethodSchema).min(1).optional().describe("replaces the methods"),
  ...SettingsBlocksShape,
  methodOverrides: MethodOverridesSchema.optional(),
});

/** Schema of an experiment file. */
export const ExperimentFileSchema = z.strictObject({
  $schema: z.string().optional().describe("path of the JSON Schema, for editors"),
  version: z.literal(EXPERIMENT_VERSION),
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/).describe(
    "experiment id: results go to results/<name>/",
  ),
  title: z.string().min(1),
  table: z.string().min(1).describe("the paper table this experiment reproduces"),
  dataset: DatasetNameSchema,
  methods: z.array(MethodSchema).min(1),
  seeds: z.array(z.int().nonnegative()).min(1),
  defaultProfile: z.string().min(1),
  ...SettingsBlocksShape,
  methodOverrides: MethodOverridesSchema.optional(),
  profiles: z.record(z.string().regex(/^[a-z0-9-]+$/), ProfileSchema),
}).superRefine((experiment, context) => {
  if (!(experiment.defaultProfile in experiment.profiles)) {
    context.addIssue({
      code: "custom",
      path: ["defaultProfile"],
      input: experiment.defaultProfile,
      message: `profile "${experiment.defaultProfile}" is not defined in "profiles" (defined: ${
        Object.keys(experiment.profiles).join(", ") || "none"
      })`,
    });
  }

  for (
    const [key, list] of [["methods", experiment.methods], ["seeds", experiment.seeds]] as const
  ) {
    if (new Set<unknown>(list).size !== list.length) {
      context.addIssue({
        code: "custom",
        path: [key],
        input: list,
        message: `${key} contains duplicates`,
      });
    }
  }
});

/** An experiment file's contents. */
export type ExperimentFile = z.infer<typeof ExperimentFileSchema>;

/** A profile of an experiment. */
export type Profile = z.infer<typeof ProfileSchema>;
